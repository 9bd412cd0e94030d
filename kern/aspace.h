/*
 * Address spaces: an Sv39 root table whose user half maps frames.
 */
#pragma once

#include <arch/arch.h>
#include <arch/cpu.h>
#include <kern/cap.h>
#include <kern/kobj.h>

typedef struct aspace {
	kobj_t obj;
	paddr_t root;	 /* root page table, charged to obj.pool */
	pool_t *pool;	 /* pays for page tables (and COW copies) */
	uint64_t tables; /* interior table pages */
	uint64_t leaves; /* mapped leaves */
	/* Counters for ASPACE_STATS (aspace_stats_t). */
	uint64_t cow_copies, cow_reuses, zero_fills, faults_forwarded;
	/* SMP: the harts (CPU_BIT) with this space in satp, which are the
	 * only ones that may cache its translations (no ASIDs: every satp
	 * write fences the whole TLB).  Kept only in SMP mode. */
	uint32_t cpus;
	/* Unmaps, protects and COW clones of this space so far (a fault on a
	 * leaf that allows the access is stale only if one came between:
	 * aspace_fault_spurious). */
	uint32_t downgrades;
} aspace_t;

/* Create an empty address space charged to pool (NULL at boot). */
int aspace_create(pool_t *pool, aspace_t **out);
void aspace_destroy(aspace_t *as);

/* Make as the current address space of this hart (one hart: the fast
 * paths use it; SMP mode uses aspace_switch, which keeps as->cpus). */
static inline __attribute__((always_inline)) void aspace_activate(aspace_t *as)
{
	cpu_t *c = this_cpu();

	if (c->cur_aspace != as) {
		arch_aspace_activate(as->root);
		c->cur_aspace = as;
	}
}

/* SMP: make as this hart's address space, keeping the cpus masks. */
void aspace_switch(aspace_t *as);
/* SMP: this hart leaves its address space for the kernel's page table
 * (idle, evicted); may run without the big lock (kern/smp.c). */
void aspace_deactivate(void);

/* A page fault of the current thread at va for access (VM_*) found a
 * leaf that allows it: a stale TLB entry (another hart already resolved
 * it, or the hart cached an invalid entry).  Fences va on this hart and
 * returns true, unless the same fault repeats at once. */
bool aspace_fault_spurious(aspace_t *as, uaddr_t va, unsigned access);

/* A map / unmap / protect, decoded. */
typedef struct aspace_op {
	unsigned label;
	aspace_t *as;
	uaddr_t va;
	paddr_t pa;
	unsigned vm; /* VM_* */
	bool ram;    /* pa is a RAM frame (refcounted) */
} aspace_op_t;

/* ASPACE_MAP of frame capability c at va with rights (RIGHT_*). */
int decode_aspace_map(aspace_t *as, const cap_t *c, uint64_t va, uint64_t rights, aspace_op_t *op);
int decode_aspace_unmap(aspace_t *as, uint64_t va, aspace_op_t *op);
int decode_aspace_protect(aspace_t *as, uint64_t va, uint64_t rights, aspace_op_t *op);
void perform_aspace_op(const aspace_op_t *op);

/* Rights (RIGHT_*) of the mapping at va, 0 if none.  A copy-on-write
 * page reports RIGHT_WRITE: it is writable, the first store copies it. */
unsigned aspace_query(aspace_t *as, uaddr_t va);

/* ASPACE_CLONE: the user half of src into the empty dst (CLONE_* flags). */
typedef struct aspace_clone {
	aspace_t *src, *dst;
	unsigned flags;
} aspace_clone_t;
int decode_aspace_clone(aspace_t *src, aspace_t *dst, uint64_t flags, aspace_clone_t *op);
void perform_aspace_clone(const aspace_clone_t *op);

/*
 * A store to va hit a leaf without W.  If the leaf is copy-on-write, make
 * it writable: reuse the frame when as holds its only reference, else copy
 * it into a frame of as's pool, install the copy, fence, and only then drop
 * the old frame.  Returns 0 (resolved), E_PERM (not a COW leaf: a real
 * fault) or E_NOMEM (no frame for the copy).
 */
int aspace_cow_resolve(aspace_t *as, uaddr_t va);

/* COW statistics (kstats). */
extern unsigned long aspace_cow_copies, aspace_cow_reuses, aspace_zero_fills;
/* SMP statistics (kstats): remote fences sent, stale-TLB faults resumed. */
extern unsigned long aspace_shootdowns, aspace_spurious_faults;

/* The frame of zeros behind ASPACE_MAP_ZERO: allocated at boot, pinned by
 * the kernel (so never freed, and never reused in place by a COW fault),
 * never written (a store to it always gets a fresh zeroed frame). */
extern paddr_t aspace_zero_frame;
void aspace_init_zero_frame(void);

/* ASPACE_MAP_ZERO and ASPACE_SHARE, decoded. */
typedef struct aspace_fill {
	aspace_t *as;
	uaddr_t va;
	size_t npages;
	paddr_t pa; /* the zero frame, or the shared frame */
	unsigned vm;
} aspace_fill_t;
int decode_aspace_map_zero(aspace_t *as, uint64_t va, uint64_t npages, uint64_t rights,
			   aspace_fill_t *op);
int decode_aspace_share(aspace_t *dst, aspace_t *src, uint64_t src_va, uint64_t va, uint64_t rights,
			uint64_t flags, aspace_fill_t *op);
void perform_aspace_fill(const aspace_fill_t *op);

/* ASPACE_STATS: as's counters. */
void aspace_get_stats(const aspace_t *as, aspace_stats_t *st);

/* Kernel-internal: map a RAM frame (taking a reference) or fail cleanly. */
int aspace_map_frame(aspace_t *as, uaddr_t va, paddr_t pa, unsigned vm);
