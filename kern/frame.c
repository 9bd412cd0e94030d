/*
 * The frame table: one frame_t for every 4 KiB page of RAM.
 *
 * Invariants (checked by frame_check, and against every page table, object
 * and capability by the audit of kern/audit.c, through the census below):
 *   - refs(f) = leaf PTEs mapping f + frame capabilities naming f + kernel
 *     pins.  Kernel, firmware and page-table frames hold one pin.  By kind:
 *       user       leaves + frame capabilities (in slots or in flight);
 *       kernel,    1 + leaves + frame capabilities (the zero frame and the
 *       firmware   initrd are kernel frames that user space maps);
 *       pagetable  1, and exactly one table link names it (a user root
 *                  from its address space, an interior table from the
 *                  table above, or the kernel's own tables);
 *       kobj       1, and exactly one object owns it (its header frame,
 *                  or a slot page of a cspace).
 *   - refs(f) == 0  exactly when  kind(f) == FRAME_FREE, and then f is on
 *     the free list exactly once.
 *   - free_count == length of the two free lists == number of FREE frames.
 *     One list holds frames known to be all zero (page tables, roots and
 *     cspace slot pages emptied on destroy, release builds): zeroed
 *     allocations take from it first and skip zeroing, unzeroed ones take
 *     from the other list first.
 *   - refs never exceeds FRAME_REFS_MAX (increments are bounded) and a
 *     decrement of a zero count is a kernel bug (assert).
 *   - a freed frame is filled with FRAME_POISON (DEBUG); frame_alloc checks
 *     the poison is intact before zeroing, catching writes after free.
 *
 * RAM may come in several ranges (FRAME_MAX_RANGES); all entries live in one
 * array and each range knows where its entries start, so pa -> entry is a
 * short loop over ranges and allocation and free are O(1) list operations.
 *
 * Locking: none yet; the kernel runs on one hart with interrupts off in
 * kernel mode.  The SMP issue adds a frame lock here.
 */
#include <stdint.h>
#include <string.h>

#include <abi/error.h>
#include <arch/arch.h>
#include <arch/vm.h>
#include <kern/assert.h>
#include <kern/console.h>
#include <kern/frame.h>
#include <kern/inject.h>
#include <kern/trace.h>

#define FRAME_NIL    UINT32_MAX
#define FRAME_POISON 0xdeadbeefdeadbeefULL

_Static_assert(sizeof(frame_t) == 16, "frame_t is 16 bytes");

typedef struct frame_region {
	paddr_t base; /* page aligned */
	size_t npages;
	size_t first; /* index of this region's first entry */
} frame_region_t;

static frame_region_t regions[FRAME_MAX_RANGES];
static size_t nregions;
frame_t *frame_table; /* all entries; region 0's come first */
paddr_t frame_base0;  /* region 0, for the inline lookups */
size_t frame_npages0;
#define table frame_table
static size_t total;
static uint32_t free_head = FRAME_NIL; /* contents unknown */
static uint32_t zero_head = FRAME_NIL; /* known all zero */
size_t frame_free_frames;	       /* see frame_free_count_fast() */
#define free_count frame_free_frames
static size_t kind_count[FRAME_NKINDS];

static const char *const kind_names[FRAME_NKINDS] = {
    [FRAME_UNSET] = "unset",   [FRAME_FREE] = "free",		[FRAME_FIRMWARE] = "firmware",
    [FRAME_KERNEL] = "kernel", [FRAME_PAGETABLE] = "pagetable", [FRAME_USER] = "user",
    [FRAME_KOBJ] = "kobj",
};

const char *frame_kind_name(frame_kind_t kind)
{
	return (unsigned)kind < FRAME_NKINDS ? kind_names[kind] : "?";
}

static void range_pages(const frame_range_t *r, paddr_t *base, size_t *npages)
{
	paddr_t lo = PAGE_ROUND_UP(r->base);
	paddr_t hi = PAGE_ROUND_DOWN(r->base + r->size);
	*base = lo;
	*npages = hi > lo ? (hi - lo) >> PAGE_SHIFT : 0;
}

size_t frame_table_bytes(const frame_range_t *ram, size_t nram)
{
	size_t n = 0;
	for (size_t i = 0; i < nram; i++) {
		paddr_t base;
		size_t pages;
		range_pages(&ram[i], &base, &pages);
		n += pages;
	}
	return n * sizeof(frame_t);
}

int frame_init(void *storage, const frame_range_t *ram, size_t nram)
{
	if (nram > FRAME_MAX_RANGES)
		return E_NOSPC;
	for (size_t i = 0; i < nram; i++)
		for (size_t j = 0; j < i; j++)
			if (ram[i].base < ram[j].base + ram[j].size &&
			    ram[j].base < ram[i].base + ram[i].size)
				return E_INVAL;

	table = storage;
	nregions = 0;
	total = 0;
	for (size_t i = 0; i < nram; i++) {
		frame_region_t *r = &regions[nregions];
		range_pages(&ram[i], &r->base, &r->npages);
		if (r->npages == 0)
			continue;
		r->first = total;
		total += r->npages;
		nregions++;
	}
	assert(total < FRAME_NIL);
	frame_base0 = nregions ? regions[0].base : 0;
	frame_npages0 = nregions ? regions[0].npages : 0;
	memset(table, 0, total * sizeof(frame_t));
	for (size_t i = 0; i < total; i++)
		table[i].next = FRAME_NIL;
	free_head = FRAME_NIL;
	zero_head = FRAME_NIL;
	free_count = 0;
	memset(kind_count, 0, sizeof(kind_count));
	kind_count[FRAME_UNSET] = total;
	return 0;
}

/* Index of the frame at pa, or FRAME_NIL if pa is not RAM in the table. */
static uint32_t frame_index(paddr_t pa)
{
	uint64_t i0 = (pa - frame_base0) >> PAGE_SHIFT;
	if (pa >= frame_base0 && i0 < frame_npages0)
		return (uint32_t)i0;
	for (size_t i = 0; i < nregions; i++) {
		const frame_region_t *r = &regions[i];
		if (pa >= r->base && ((pa - r->base) >> PAGE_SHIFT) < r->npages)
			return (uint32_t)(r->first + ((pa - r->base) >> PAGE_SHIFT));
	}
	return FRAME_NIL;
}

static paddr_t frame_addr(uint32_t idx)
{
	if (idx < frame_npages0) /* region 0 starts at index 0 */
		return frame_base0 + ((paddr_t)idx << PAGE_SHIFT);
	for (size_t i = 0; i < nregions; i++) {
		const frame_region_t *r = &regions[i];
		if (idx >= r->first && idx - r->first < r->npages)
			return r->base + ((paddr_t)(idx - r->first) << PAGE_SHIFT);
	}
	panic("frame_addr: bad index %u", idx);
}

static frame_t *frame_get(paddr_t pa)
{
	uint32_t idx = frame_index(pa);
	assert(idx != FRAME_NIL);
	assert((pa & PAGE_MASK) == 0);
	return &table[idx];
}

static void set_kind(frame_t *f, frame_kind_t kind)
{
	kind_count[f->kind]--;
	f->kind = (uint8_t)kind;
	kind_count[kind]++;
}

bool frame_is_ram(paddr_t pa)
{
	return frame_index(pa) != FRAME_NIL;
}

size_t frame_reserve(paddr_t base, uint64_t size, frame_kind_t kind)
{
	assert(kind != FRAME_FREE && kind != FRAME_UNSET && kind < FRAME_NKINDS);
	if (size == 0)
		return 0;
	paddr_t lo = PAGE_ROUND_DOWN(base);
	paddr_t hi = base + size < base ? ~(paddr_t)PAGE_MASK : PAGE_ROUND_UP(base + size);
	size_t marked = 0;

	for (size_t i = 0; i < nregions; i++) {
		const frame_region_t *r = &regions[i];
		paddr_t rlo = r->base, rhi = r->base + ((paddr_t)r->npages << PAGE_SHIFT);
		paddr_t a = lo > rlo ? lo : rlo, b = hi < rhi ? hi : rhi;
		for (paddr_t pa = a; pa < b; pa += PAGE_SIZE) {
			frame_t *f = &table[r->first + ((pa - rlo) >> PAGE_SHIFT)];
			if (f->kind != FRAME_UNSET)
				continue;
			assert(free_head == FRAME_NIL && free_count == 0); /* before seal */
			set_kind(f, kind);
			f->refs = 1;
			marked++;
		}
	}
	return marked;
}

static void free_push(uint32_t idx)
{
	table[idx].next = free_head;
	free_head = idx;
	free_count++;
}

#ifndef DEBUG /* DEBUG poisons every freed frame: none is known zero */
static void zero_push(uint32_t idx)
{
	table[idx].next = zero_head;
	zero_head = idx;
	free_count++;
}
#endif

void frame_seal(void)
{
	/* Push in reverse so allocation starts at the lowest address. */
	for (size_t i = total; i-- > 0;) {
		if (table[i].kind != FRAME_UNSET)
			continue;
		set_kind(&table[i], FRAME_FREE);
		free_push((uint32_t)i);
	}
}

/* The kernel's own allocations, charged to no pool (pool allocations
 * come through pool_alloc_frame_fill, which has its own hook). */
int frame_alloc(frame_kind_t kind, paddr_t *pa)
{
	if (!inject_take())
		return E_NOMEM;
	return frame_alloc_owned(kind, 0, true, pa);
}

int frame_alloc_nozero(frame_kind_t kind, paddr_t *pa)
{
	if (!inject_take())
		return E_NOMEM;
	return frame_alloc_owned(kind, 0, false, pa);
}

int frame_alloc_owned(frame_kind_t kind, uint32_t owner, bool zero, paddr_t *pa)
{
	assert(kind > FRAME_FREE && kind < FRAME_NKINDS);
	/* A zeroed allocation prefers a known-zero frame, the others do not. */
	uint32_t *list = zero ? (zero_head != FRAME_NIL ? &zero_head : &free_head)
			      : (free_head != FRAME_NIL ? &free_head : &zero_head);
	if (*list == FRAME_NIL)
		return E_NOMEM;

	uint32_t idx = *list;
	frame_t *f = &table[idx];
	assert(f->kind == FRAME_FREE && f->refs == 0);
	*list = f->next;
	free_count--;
	f->next = FRAME_NIL;

	paddr_t addr = frame_addr(idx);
#ifdef DEBUG
	uint64_t *w = pa2kva(addr);
	if (f->poisoned)
		for (size_t i = 0; i < PAGE_SIZE / 8; i++)
			if (w[i] != FRAME_POISON)
				panic("frame %#lx written after free (word %zu = %#lx)",
				      (unsigned long)addr, i, (unsigned long)w[i]);
#endif
	f->poisoned = 0;
	f->refs = 1;
	f->owner = owner;
	set_kind(f, kind);
	if (zero && !f->zeroed)
		arch_zero_page(pa2kva(addr));
	f->zeroed = 0;
	*pa = addr;
	TRACE(TRACE_M_FRAME, TRACE_FRAME_ALLOC, addr, kind);
	return 0;
}

void frame_ref(paddr_t pa)
{
	frame_t *f = frame_get(pa);
	assert(f->kind != FRAME_FREE && f->kind != FRAME_UNSET);
	assert(f->refs > 0 && f->refs < FRAME_REFS_MAX);
	f->refs++;
}

void frame_ref_n(paddr_t pa, size_t n)
{
	frame_t *f = frame_get(pa);
	assert(f->kind != FRAME_FREE && f->kind != FRAME_UNSET);
	assert(f->refs > 0 && n < FRAME_REFS_MAX && f->refs < FRAME_REFS_MAX - n);
	f->refs += (uint32_t)n;
}

bool frame_unref(paddr_t pa)
{
	uint32_t owner;
	return frame_unref_owner(pa, &owner);
}

bool frame_unref_owner(paddr_t pa, uint32_t *owner)
{
	frame_t *f = frame_get(pa);
	*owner = f->owner;
	if (f->refs == 0 || f->kind == FRAME_FREE)
		panic("frame_unref: frame %#lx is already free", (unsigned long)pa);
	if (--f->refs > 0)
		return false;
#ifdef DEBUG
	uint64_t *w = pa2kva(pa);
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = FRAME_POISON;
	f->poisoned = 1;
#endif
	set_kind(f, FRAME_FREE);
	f->owner = 0;
	free_push((uint32_t)(f - table));
	TRACE(TRACE_M_FRAME, TRACE_FRAME_FREE, pa, 0);
	return true;
}

void frame_free_zeroed(paddr_t pa)
{
	frame_t *f = frame_get(pa);
	assert(f->refs == 1);
#ifdef DEBUG
	/* Check the promise, then poison as usual. */
	const uint64_t *w = pa2kva(pa);
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		assert(w[i] == 0);
	frame_unref(pa);
#else
	f->refs = 0;
	set_kind(f, FRAME_FREE);
	f->owner = 0;
	f->zeroed = 1;
	zero_push((uint32_t)(f - table));
	TRACE(TRACE_M_FRAME, TRACE_FRAME_FREE, pa, 0);
#endif
}

void frame_set_owner(paddr_t pa, uint32_t owner)
{
	frame_t *f = frame_get(pa);
	assert(f->kind != FRAME_FREE && f->kind != FRAME_UNSET);
	f->owner = owner;
}

uint32_t frame_owner(paddr_t pa)
{
	return frame_get(pa)->owner;
}

frame_t *frame_entry(paddr_t pa)
{
	return frame_get(pa);
}

uint32_t frame_refs_slow(paddr_t pa)
{
	return frame_get(pa)->refs;
}

frame_kind_t frame_kind(paddr_t pa)
{
	return (frame_kind_t)frame_get(pa)->kind;
}

size_t frame_free_count(void)
{
	return free_count;
}

void frame_get_stats(frame_stats_t *st)
{
	st->total = total;
	st->free = free_count;
	memcpy(st->by_kind, kind_count, sizeof(kind_count));
}

static int check_poison(uint32_t idx)
{
	const uint64_t *w = pa2kva(frame_addr(idx));
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != FRAME_POISON)
			return E_CORRUPT;
	return 0;
}

/* ---- census (kern/audit.c) ----
 * An allocated frame's free-list link is FRAME_NIL and unused (page tables
 * excepted: pt_meta overlays it), so during a census it holds the number
 * of leaves and capabilities found; page tables count their links in the
 * census byte.  frame_census_end puts FRAME_NIL back. */

static bool census_on;

int frame_census_begin(void)
{
	for (size_t i = 0; i < total; i++) {
		frame_t *f = &table[i];
		f->census = 0;
		if (f->kind == FRAME_FREE || f->kind == FRAME_PAGETABLE)
			continue;
		if (f->next != FRAME_NIL) {
			kprintf("audit: allocated frame %#lx (%s) has a free-list link\n",
				(unsigned long)frame_addr((uint32_t)i), frame_kind_name(f->kind));
			for (size_t j = 0; j < i; j++)
				if (table[j].kind != FRAME_FREE && table[j].kind != FRAME_PAGETABLE)
					table[j].next = FRAME_NIL;
			return E_CORRUPT;
		}
		f->next = 0;
	}
	census_on = true;
	return 0;
}

static const char *const ref_names[] = {
    [FREF_LEAF] = "a leaf",
    [FREF_CAP] = "a frame capability",
    [FREF_TABLE] = "a user table link",
    [FREF_KTABLE] = "a kernel table link",
    [FREF_OBJECT] = "an object",
};

/* May a reference of kind name a frame of kind fk?  (Kernel frames hold
 * the kernel's own tables: the image's, whose pin covers them.) */
static bool ref_allowed(frame_kind_t fk, frame_ref_kind_t kind)
{
	switch (fk) {
	case FRAME_USER: return kind == FREF_LEAF || kind == FREF_CAP;
	case FRAME_KERNEL:
	case FRAME_FIRMWARE: return kind == FREF_LEAF || kind == FREF_CAP || kind == FREF_KTABLE;
	case FRAME_PAGETABLE: return kind == FREF_TABLE || kind == FREF_KTABLE;
	case FRAME_KOBJ: return kind == FREF_OBJECT;
	default: return false;
	}
}

int frame_census_ref(paddr_t pa, frame_ref_kind_t kind)
{
	uint32_t idx = frame_index(pa);
	assert(census_on);
	if (idx == FRAME_NIL || (pa & PAGE_MASK)) {
		if (kind == FREF_LEAF || kind == FREF_KTABLE)
			return 0; /* a device page; the kernel's tables of the image */
		kprintf("audit: %s names %#lx, not a RAM frame\n", ref_names[kind],
			(unsigned long)pa);
		return E_CORRUPT;
	}
	frame_t *f = &table[idx];
	if (!ref_allowed((frame_kind_t)f->kind, kind)) {
		kprintf("audit: %s names frame %#lx of kind %s (refs %u)\n", ref_names[kind],
			(unsigned long)pa, frame_kind_name(f->kind), f->refs);
		return E_CORRUPT;
	}
	if (f->kind == FRAME_PAGETABLE) {
		if (f->census < UINT8_MAX)
			f->census++;
	} else if (kind == FREF_OBJECT) {
		if (f->census < UINT8_MAX)
			f->census++;
	} else if (kind != FREF_KTABLE) {
		f->next++; /* bounded: at most one per leaf or slot in the system */
	}
	return 0;
}

/* What refs must be for the frame f given the census; false if the census
 * itself is impossible for its kind (two owners, none). */
static bool census_matches(const frame_t *f, uint32_t *want)
{
	switch (f->kind) {
	case FRAME_USER: *want = f->next; return true;
	case FRAME_KERNEL:
	case FRAME_FIRMWARE: *want = 1 + f->next; return true;
	case FRAME_PAGETABLE: *want = 1; return f->census == 1;
	case FRAME_KOBJ: *want = 1; return f->census == 1;
	default: *want = 0; return true;
	}
}

int frame_census_end(bool compare)
{
	int err = 0;
	assert(census_on);
	census_on = false;
	for (size_t i = 0; i < total; i++) {
		frame_t *f = &table[i];
		uint32_t want;
		if (f->kind == FRAME_FREE)
			continue;
		bool ok = census_matches(f, &want);
		if (compare && !err && (!ok || f->refs != want)) {
			paddr_t pa = frame_addr((uint32_t)i);
			if (f->kind == FRAME_PAGETABLE || f->kind == FRAME_KOBJ)
				kprintf(
				    "audit: frame %#lx (%s) refs %u, %u owners (want 1 and 1)\n",
				    (unsigned long)pa, frame_kind_name(f->kind), f->refs,
				    f->census);
			else
				kprintf("audit: frame %#lx (%s) refs %u, but %u leaves and "
					"capabilities%s name it\n",
					(unsigned long)pa, frame_kind_name(f->kind), f->refs,
					f->next, f->kind == FRAME_USER ? "" : " (and one pin)");
			err = E_CORRUPT;
		}
		f->census = 0;
		if (f->kind != FRAME_PAGETABLE)
			f->next = FRAME_NIL;
	}
	return err;
}

int frame_for_each_owned(int (*fn)(void *ctx, paddr_t pa, uint32_t owner), void *ctx)
{
	for (size_t i = 0; i < total; i++) {
		const frame_t *f = &table[i];
		if (f->kind != FRAME_USER || f->owner == 0)
			continue;
		int err = fn(ctx, frame_addr((uint32_t)i), f->owner);
		if (err)
			return err;
	}
	return 0;
}

int frame_check(bool deep)
{
	size_t n = 0, counted[FRAME_NKINDS] = {0};

	/* Walk both free lists; more than `total` steps means a cycle. */
	const uint32_t heads[2] = {free_head, zero_head};
	for (int l = 0; l < 2; l++) {
		for (uint32_t i = heads[l]; i != FRAME_NIL; i = table[i].next) {
			if (i >= total || n++ > total) {
				kprintf("frame_check: free list broken at index %u\n", i);
				return E_CORRUPT;
			}
			if (table[i].kind != FRAME_FREE || table[i].refs != 0) {
				kprintf(
				    "frame_check: frame %#lx on free list has kind %s refs %u\n",
				    (unsigned long)frame_addr(i), frame_kind_name(table[i].kind),
				    table[i].refs);
				return E_CORRUPT;
			}
			if (deep && table[i].poisoned && check_poison(i)) {
				kprintf("frame_check: free frame %#lx written after free\n",
					(unsigned long)frame_addr(i));
				return E_CORRUPT;
			}
		}
	}
	for (size_t i = 0; i < total; i++) {
		const frame_t *f = &table[i];
		if (f->kind >= FRAME_NKINDS || (f->kind == FRAME_FREE) != (f->refs == 0)) {
			kprintf("frame_check: frame %#lx kind %s refs %u\n",
				(unsigned long)frame_addr((uint32_t)i), frame_kind_name(f->kind),
				f->refs);
			return E_CORRUPT;
		}
		counted[f->kind]++;
	}
	if (n != free_count || counted[FRAME_FREE] != free_count) {
		kprintf("frame_check: free list %zu, counter %zu, free frames %zu\n", n, free_count,
			counted[FRAME_FREE]);
		return E_CORRUPT;
	}
	for (size_t k = 0; k < FRAME_NKINDS; k++)
		if (counted[k] != kind_count[k]) {
			kprintf("frame_check: kind %s counted %zu, recorded %zu\n",
				frame_kind_name((frame_kind_t)k), counted[k], kind_count[k]);
			return E_CORRUPT;
		}
	return 0;
}
