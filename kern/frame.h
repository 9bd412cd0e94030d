/*
 * The frame table: one entry for every 4 KiB page of RAM.
 * See the invariants at the top of kern/frame.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/vm.h>

typedef enum frame_kind {
	FRAME_UNSET = 0, /* only during frame_init, before frame_seal */
	FRAME_FREE,	 /* on the free list, refs == 0 */
	FRAME_FIRMWARE,	 /* reserved by the device tree (OpenSBI, /memreserve/) */
	FRAME_KERNEL,	 /* kernel image, DTB, initrd, boot-time tables */
	FRAME_PAGETABLE, /* a page-table page */
	FRAME_USER,	 /* mapped into user space / named by frame caps */
	FRAME_KOBJ,	 /* backs kernel objects */
	FRAME_NKINDS
} frame_kind_t;

/* A contiguous RAM range handed to frame_init. */
typedef struct frame_range {
	paddr_t base;
	uint64_t size;
} frame_range_t;

#define FRAME_MAX_RANGES 8
#define FRAME_REFS_MAX	 0x7fffffffu

typedef struct frame_stats {
	size_t total; /* frames in the table */
	size_t free;
	size_t by_kind[FRAME_NKINDS];
} frame_stats_t;

/* Bytes of storage frame_init needs for these RAM ranges. */
size_t frame_table_bytes(const frame_range_t *ram, size_t nram);

/*
 * Start a frame table over ram[0..nram) (page-aligned inward) using
 * storage of frame_table_bytes() bytes.  Every frame starts FRAME_UNSET;
 * mark reserved ones with frame_reserve, then call frame_seal.
 * Returns 0, or E_NOSPC for more than FRAME_MAX_RANGES ranges, E_INVAL
 * for overlapping ranges.
 */
int frame_init(void *storage, const frame_range_t *ram, size_t nram);

/* Mark [base, base+size) (rounded outward to pages, clipped to RAM) as
 * kind, pinned with one reference.  Frames already marked keep their
 * first kind.  Returns the number of frames newly marked. */
size_t frame_reserve(paddr_t base, uint64_t size, frame_kind_t kind);

/* Put every frame still FRAME_UNSET on the free list. */
void frame_seal(void);

/* Allocate one zeroed frame of kind (not FREE/UNSET) with refs = 1.
 * Returns 0 and sets *pa, or E_NOMEM. O(1). */
int frame_alloc(frame_kind_t kind, paddr_t *pa);

/* The same without zeroing, for a caller that overwrites the whole page
 * at once (a copy-on-write copy). */
int frame_alloc_nozero(frame_kind_t kind, paddr_t *pa);

/* The general form: with an owner token set, zeroed or not. */
int frame_alloc_owned(frame_kind_t kind, uint32_t owner, bool zero, paddr_t *pa);

/* Take one more reference to an allocated frame. */
void frame_ref(paddr_t pa);

/* Take n more (one per page of a range mapping). */
void frame_ref_n(paddr_t pa, size_t n);

/* Drop one reference; at zero the frame is poisoned (debug) and freed and
 * true is returned.  O(1).  Dropping a free frame's reference is a kernel
 * bug (panic). */
bool frame_unref(paddr_t pa);

/* Free a frame whose one reference the caller holds and whose contents
 * the caller has set back to all zero (a page table emptied entry by
 * entry, a root, a cspace's slot page with every slot empty): the next
 * zeroed allocation can skip zeroing it.  (DEBUG builds check it is zero,
 * then poison it like any freed frame.) */
void frame_free_zeroed(paddr_t pa);

/* frame_unref, also telling the frame's owner token before the drop. */
bool frame_unref_owner(paddr_t pa, uint32_t *owner);

/* An allocated frame's owner token (kern/pool.c: who is charged for it);
 * 0 for none.  Cleared by frame_alloc and when the frame is freed. */
void frame_set_owner(paddr_t pa, uint32_t owner);
uint32_t frame_owner(paddr_t pa);

/* One frame table entry (private to kern/frame.c but for the inline
 * lookup below). */
typedef struct frame {
	uint32_t refs;
	uint8_t kind;	  /* frame_kind_t */
	uint8_t poisoned; /* freed by frame_unref and filled with poison */
	uint8_t zeroed;	  /* free and known to be all zero: alloc skips zeroing */
	uint8_t census;	  /* during an audit: table links found to a page table */
	union {
		struct {
			uint32_t next;	/* next free frame's index, FRAME_NIL at the end */
			uint32_t owner; /* allocated frames: owner token (kern/pool.c), 0 = none */
		};
		uint64_t pt_meta; /* allocated page tables: arch/riscv/pt.c's */
	};
} frame_t;

extern frame_t *frame_table;

/* True if pa lies in a RAM range of the table. */
bool frame_is_ram(paddr_t pa);
extern paddr_t frame_base0;
extern size_t frame_npages0;
uint32_t frame_refs_slow(paddr_t pa);

/* Reference count of the frame at pa (pa must be RAM).  Inline for the
 * copy-on-write fault path: the first RAM range is the common case. */
static inline uint32_t frame_refs(paddr_t pa)
{
	uint64_t i = (pa - frame_base0) >> PAGE_SHIFT;
	if (pa >= frame_base0 && i < frame_npages0)
		return frame_table[i].refs;
	return frame_refs_slow(pa);
}

/* Inline fast paths for the per-page loops of fork and teardown (clone,
 * destroy): the first RAM range, a frame that stays allocated.  Anything
 * else, and every DEBUG build, takes the checked functions. */
static inline frame_t *frame_fast(paddr_t pa)
{
	uint64_t i = (pa - frame_base0) >> PAGE_SHIFT;
	return pa >= frame_base0 && i < frame_npages0 ? &frame_table[i] : 0;
}

static inline bool frame_is_ram_fast(paddr_t pa)
{
	return frame_fast(pa) != 0 || frame_is_ram(pa);
}

static inline void frame_ref_fast(paddr_t pa)
{
#ifndef DEBUG
	frame_t *f = frame_fast(pa);
	if (f && f->refs > 0 && f->refs < FRAME_REFS_MAX) {
		f->refs++;
		return;
	}
#endif
	frame_ref(pa);
}

/* Drop a reference that is not the last one; false (nothing done) if it
 * is, or if the fast path does not apply. */
static inline bool frame_unref_shared_fast(paddr_t pa)
{
#ifndef DEBUG
	frame_t *f = frame_fast(pa);
	if (f && f->refs > 1) {
		f->refs--;
		return true;
	}
#endif
	return false;
}

/* The entry of the frame at pa (pa must be RAM). */
frame_t *frame_entry(paddr_t pa);

/* 8 bytes of metadata for an allocated page-table page, kept in its
 * frame-table entry (whose free-list link and owner are unused while it
 * is allocated): arch/riscv/pt.c keeps an occupancy summary there. */
static inline uint64_t *frame_pt_meta(paddr_t pa)
{
	frame_t *f = frame_fast(pa);
	return &(f ? f : frame_entry(pa))->pt_meta;
}

/* Kind of the frame at pa (pa must be RAM). */
frame_kind_t frame_kind(paddr_t pa);

size_t frame_free_count(void);
extern size_t frame_free_frames;
static inline size_t frame_free_count_fast(void)
{
	return frame_free_frames;
}
void frame_get_stats(frame_stats_t *st);

/*
 * Verify the table: free list acyclic and exactly the FREE frames, every
 * FREE frame has refs == 0 and every other frame refs > 0, counters
 * match.  With deep, also verify the poison of freed frames (debug).
 * Returns 0 or E_CORRUPT (and prints what is wrong).
 */
int frame_check(bool deep);

const char *frame_kind_name(frame_kind_t kind);

/*
 * The census of frame references, for the invariant audit (kern/audit.c).
 * Between frame_census_begin and frame_census_end the auditor reports
 * every reference it finds with frame_census_ref; end compares what was
 * found with every frame's refs (see the top of kern/frame.c for what each
 * kind must hold) and restores the table.  Debug only; O(frames).
 */
typedef enum frame_ref_kind {
	FREF_LEAF,   /* a user leaf PTE (device addresses are skipped) */
	FREF_CAP,    /* a frame capability (in a slot or in flight) */
	FREF_TABLE,  /* a user page-table page: a root or an interior link */
	FREF_KTABLE, /* a table page of the kernel's half */
	FREF_OBJECT, /* the frame of a kernel object or of cspace slots */
} frame_ref_kind_t;

/* Start a census: every count zero.  E_CORRUPT if an allocated frame has
 * a free-list link (the census keeps its counts there). */
int frame_census_begin(void);

/* Count one reference of kind to pa.  E_CORRUPT (printed) if pa is not RAM
 * (but for a leaf: a device page), is free, or is of a kind that this
 * reference cannot name (a leaf to a page table, a table link to an
 * object frame, ...). */
int frame_census_ref(paddr_t pa, frame_ref_kind_t kind);

/* End the census; with compare, check every frame's refs against the
 * count (the first mismatch is printed, E_CORRUPT).  Always restores the
 * table, so it must follow every successful frame_census_begin. */
int frame_census_end(bool compare);

/* Call fn(ctx, pa, owner) for every allocated user frame with an owner
 * token; stops at the first non-zero return and returns it. */
int frame_for_each_owned(int (*fn)(void *ctx, paddr_t pa, uint32_t owner), void *ctx);
