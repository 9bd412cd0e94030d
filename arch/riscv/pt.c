/*
 * User page tables (Sv39): the walk that encodes the PTE format.
 *
 * kern/aspace.c decides what is mapped; this file only knows how.  The
 * user half is [0, USER_TOP); the upper half of every root table is a copy
 * of the kernel's root entries, so traps need no table switch.  Interior
 * tables come from a caller-supplied allocator (charged to the address
 * space's pool).  Leaves always have A and D set and U set.
 *
 * No CSR access here (TLB fences are in mmu.c), so the host unit tests
 * compile this file as it is and walk tables in a fake physical memory.
 * The per-page loops of clone and destroy adjust frame reference counts
 * inline through kern/frame.h's fast paths: fork and exit cost a few
 * dozen instructions per page instead of an indirect call each.
 */
#include <string.h>

#include <abi/error.h>
#include <arch/arch.h>
#include <arch/pte.h>
#include <kern/assert.h>
#include <kern/console.h>
#include <kern/frame.h>

#define USER_ROOT_ENTRIES (USER_TOP >> LEVEL_SHIFT(2)) /* 256 */

/* Frame-table index of a leaf's frame relative to the first RAM range;
 * a frame below it wraps to a huge index (unsigned), so one compare with
 * the range's size checks both ends. */
/* (Bits 54..63 of every PTE this kernel writes are zero: no mask.) */
#define PTE_PPN(p) ((p) >> PTE_PPN_SHIFT)

static pte_t *table(paddr_t pa)
{
	return pa2kva(pa);
}

/* True if the 8 entries from t[i] are all invalid (a quick skip over the
 * empty stretches that make up most of a sparse table). */
static inline bool empty8(const pte_t *t, size_t i)
{
	return !(
	    (t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7]) &
	    PTE_V);
}

/*
 * Occupancy summary of a user page-table page: bit g is set when any of
 * entries 8g..8g+7 may be valid (set on map and clone, cleared when a
 * group empties on unmap).  Kept in the page's frame-table entry.  The
 * per-page loops of clone, destroy and count visit only those groups:
 * a sparse process costs its mappings, not 512 entries per table.
 */
static inline uint64_t *occ(paddr_t tpa)
{
	return frame_pt_meta(tpa);
}

static inline void occ_set(paddr_t tpa, size_t idx)
{
	*occ(tpa) |= 1UL << (idx >> 3);
}

/* Index of the lowest set bit of m != 0 (no Zbb: de Bruijn). */
static inline unsigned lowest_bit(uint64_t m)
{
	static const uint8_t pos[64] = {
	    0,	1,  2,	53, 3,	7,  54, 27, 4,	38, 41, 8,  34, 55, 48, 28, 62, 5,  39, 46, 44, 42,
	    22, 9,  24, 35, 59, 56, 49, 18, 29, 11, 63, 52, 6,	26, 37, 40, 33, 47, 61, 45, 43, 21,
	    23, 58, 17, 10, 51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
	};
	return pos[((m & -m) * 0x022fdd63cc95386dUL) >> 58];
}

/* Visit entry idx of every group that may be occupied in table tpa. */
#define FOR_EACH_SLOT(tpa, mvar, idx)                                                              \
	for (uint64_t mvar = *occ(tpa); mvar; mvar &= mvar - 1)                                    \
		for (size_t idx = 8 * (size_t)lowest_bit(mvar), idx##_end = idx + 8;               \
		     idx < idx##_end; idx++)

static pte_t vm_to_pte(unsigned vm)
{
	pte_t p = PTE_V | PTE_U | PTE_A | PTE_D;
	p |= (vm & VM_READ) ? PTE_R : 0;
	p |= (vm & VM_WRITE) ? PTE_W : 0;
	p |= (vm & VM_EXEC) ? PTE_X : 0;
	p |= (vm & VM_COW) ? PTE_COW : 0;
	return p;
}

static unsigned pte_to_vm(pte_t p)
{
	unsigned vm = 0;
	vm |= (p & PTE_R) ? VM_READ : 0;
	vm |= (p & PTE_W) ? VM_WRITE : 0;
	vm |= (p & PTE_X) ? VM_EXEC : 0;
	vm |= (p & PTE_U) ? VM_USER : 0;
	vm |= (p & PTE_COW) ? VM_COW : 0;
	return vm;
}

/* The kernel root's valid upper-half entries, found once (the kernel's
 * mappings never change after boot): a new root copies just those. */
static uint16_t kernel_idx[PTES_PER_TABLE - USER_ROOT_ENTRIES];
static int kernel_nidx = -1;

void arch_pt_init_root(paddr_t root)
{
	pte_t *r = table(root);
	const pte_t *k = table(arch_kernel_root());
	if (kernel_nidx < 0) {
		kernel_nidx = 0;
		for (size_t i = USER_ROOT_ENTRIES; i < PTES_PER_TABLE; i++)
			if (k[i] & PTE_V)
				kernel_idx[kernel_nidx++] = (uint16_t)i;
	}
	/* root comes zeroed from the frame allocator. */
	for (int i = 0; i < kernel_nidx; i++)
		r[kernel_idx[i]] = k[kernel_idx[i]];
	*occ(root) = 0;
}

/* The level-0 PTE for va, or NULL if an interior table is missing. */
static pte_t *walk(paddr_t root, uaddr_t va)
{
	pte_t *t = table(root);
	for (int level = 2; level > 0; level--) {
		pte_t p = t[VPN(va, level)];
		if (!(p & PTE_V))
			return NULL;
		assert(!PTE_LEAF(p)); /* user mappings are 4 KiB only */
		t = table(PTE_PA(p));
	}
	return &t[VPN(va, 0)];
}

int arch_pt_tables_needed(paddr_t root, uaddr_t va)
{
	pte_t *t = table(root);
	for (int level = 2; level > 0; level--) {
		pte_t p = t[VPN(va, level)];
		if (!(p & PTE_V))
			return level;
		t = table(PTE_PA(p));
	}
	return 0;
}

/* The level-0 table for va in *l0pa, making the missing interior tables
 * with alloc on the way (each starts with an empty summary). */
static inline __attribute__((always_inline)) int
walk_build(paddr_t root, uaddr_t va, pt_alloc_fn alloc, void *ctx, paddr_t *l0pa)
{
	paddr_t tpa = root;
	for (int level = 2; level > 0; level--) {
		pte_t *e = &table(tpa)[VPN(va, level)];
		if (!(*e & PTE_V)) {
			paddr_t tp;
			int err = alloc(ctx, &tp);
			if (err)
				return err;
			*occ(tp) = 0;
			*e = PA_PTE(tp) | PTE_V;
			occ_set(tpa, VPN(va, level));
		}
		tpa = PTE_PA(*e);
	}
	*l0pa = tpa;
	return 0;
}

int arch_pt_map(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm, pt_alloc_fn alloc, void *ctx)
{
	assert(va < USER_TOP && !(va & PAGE_MASK) && !(pa & PAGE_MASK));
	paddr_t tpa;
	int err = walk_build(root, va, alloc, ctx, &tpa);
	if (err)
		return err;
	pte_t *leaf = &table(tpa)[VPN(va, 0)];
	if (*leaf & PTE_V)
		return E_EXISTS;
	*leaf = PA_PTE(pa) | vm_to_pte(vm);
	occ_set(tpa, VPN(va, 0));
	return 0;
}

unsigned arch_pt_query(paddr_t root, uaddr_t va, paddr_t *pa)
{
	if (va >= USER_TOP)
		return 0;
	pte_t *leaf = walk(root, va);
	if (!leaf || !(*leaf & PTE_V))
		return 0;
	if (pa)
		*pa = PTE_PA(*leaf);
	return pte_to_vm(*leaf);
}

/* Entry idx of table t (at tpa) is invalid now: if its group of 8 is
 * empty, drop the group's occupancy bit and say whether the whole table
 * is empty now (its summary 0). */
static bool occ_clear_if_empty(pte_t *t, paddr_t tpa, size_t idx)
{
	if (!empty8(t, idx & ~(size_t)7))
		return false; /* the common case: no frame-table lookup */
	*occ(tpa) &= ~(1UL << (idx >> 3));
	return *occ(tpa) == 0;
}

static void free_table_page(paddr_t tpa, pt_free_fn free_table, void *ctx);

/* The group of va's leaf in its level-0 table just emptied: drop its
 * summary bit; if the table is empty now, free it, and the level-1 table
 * above it if that empties too.  How many tables went.  Out of line: the
 * common unmap stays a short leaf function. */
static __attribute__((noinline)) int unmap_group_emptied(paddr_t root, paddr_t l1pa, uaddr_t va,
							 pt_free_fn free_table, void *ctx)
{
	pte_t *r = table(root), *l1 = table(l1pa);
	paddr_t l0pa = PTE_PA(l1[VPN(va, 1)]);

	*occ(l0pa) &= ~(1UL << (VPN(va, 0) >> 3));
	if (*occ(l0pa) != 0)
		return 0;
	l1[VPN(va, 1)] = 0;
	free_table_page(l0pa, free_table, ctx);
	if (!occ_clear_if_empty(l1, l1pa, VPN(va, 1)))
		return 1;
	r[VPN(va, 2)] = 0;
	free_table_page(l1pa, free_table, ctx);
	occ_clear_if_empty(r, root, VPN(va, 2));
	return 2;
}

int arch_pt_unmap(paddr_t root, uaddr_t va, paddr_t *old, pt_free_fn free_table, void *ctx,
		  int *freed)
{
	pte_t *r = table(root), *l1, *l0;
	paddr_t l1pa, l0pa;

	*freed = 0;
	if (va >= USER_TOP || !(r[VPN(va, 2)] & PTE_V))
		return E_NOENT;
	l1pa = PTE_PA(r[VPN(va, 2)]);
	l1 = table(l1pa);
	if (!(l1[VPN(va, 1)] & PTE_V))
		return E_NOENT;
	l0pa = PTE_PA(l1[VPN(va, 1)]);
	l0 = table(l0pa);
	if (!(l0[VPN(va, 0)] & PTE_V))
		return E_NOENT;
	*old = PTE_PA(l0[VPN(va, 0)]);
	l0[VPN(va, 0)] = 0;
	/* The group emptied: its summary bit goes, and with the last bit
	 * (a summary of 0: every entry is 0) the table. */
	if (empty8(l0, VPN(va, 0) & ~(size_t)7))
		*freed = unmap_group_emptied(root, l1pa, va, free_table, ctx);
	return 0;
}

int arch_pt_protect(paddr_t root, uaddr_t va, unsigned vm)
{
	pte_t *leaf = va < USER_TOP ? walk(root, va) : NULL;
	if (!leaf || !(*leaf & PTE_V))
		return E_NOENT;
	*leaf = (*leaf & ~(pte_t)((1UL << PTE_PPN_SHIFT) - 1)) | vm_to_pte(vm);
	return 0;
}

/*
 * The leaves of one level-0 table being destroyed.  A frame of the first
 * RAM range that keeps other references (the common case after fork)
 * just loses one, inline, with the frame table's bounds in registers
 * (release builds); the rest go to leaf().  Returns the inline count.
 */
/* One entry of destroy_l0's first pass: true if it still needs leaf(). */
static inline __attribute__((always_inline)) bool destroy_one(const pte_t *e, uint64_t base_ppn,
							      uint64_t n, frame_t *tab)
{
	pte_t p = *e;
	if (!(p & PTE_V))
		return false;
	uint64_t i = PTE_PPN(p) - base_ppn;
	if (__builtin_expect(i < n && tab[i].refs > 1, 1)) {
		tab[i].refs--;
		return false;
	}
	return true;
}

static __attribute__((noinline)) void destroy_l0(pte_t *l0, uint64_t summary, pt_leaf_fn leaf,
						 void *ctx)
{
	uint64_t slow[PTES_PER_TABLE / 64] = {0};
	const uint64_t base_ppn = frame_base0 >> PAGE_SHIFT;
#ifdef DEBUG
	const uint64_t n = 0; /* DEBUG: every leaf through leaf() and its checks */
#else
	const uint64_t n = frame_npages0;
#endif
	frame_t *const tab = frame_table;
	for (uint64_t m = summary; m; m &= m - 1) {
		size_t k0 = 8 * (size_t)lowest_bit(m);
#pragma GCC unroll 8
		for (unsigned j = 0; j < 8; j++)
			if (__builtin_expect(destroy_one(l0 + k0 + j, base_ppn, n, tab), 0))
				slow[k0 / 64] |= 1UL << ((k0 + j) % 64);
	}
	for (size_t w = 0; w < PTES_PER_TABLE / 64; w++)
		for (uint64_t b = slow[w]; b; b &= b - 1) {
			size_t k = w * 64 + lowest_bit(b);
			leaf(ctx, PTE_PA(l0[k]), pte_to_vm(l0[k]));
		}
}

/*
 * Free a table page: a sparse one (few groups marked) is cleared back to
 * all zero, group by group, and freed as a known-zero frame, which a later
 * page-table allocation takes without zeroing; clearing a dense one would
 * cost more than zeroing it on allocation, so it is freed as it is.
 */
static void free_table_page(paddr_t tpa, pt_free_fn free_table, void *ctx)
{
	uint64_t summary = *occ(tpa);
	unsigned groups = 0;
	for (uint64_t m = summary; m && groups <= 16; m &= m - 1)
		groups++;
	if (groups > 16) {
		free_table(ctx, tpa, false);
		return;
	}
	pte_t *t = table(tpa);
	for (uint64_t m = summary; m; m &= m - 1) {
		pte_t *g = t + 8 * (size_t)lowest_bit(m);
		g[0] = g[1] = g[2] = g[3] = g[4] = g[5] = g[6] = g[7] = 0;
	}
	*occ(tpa) = 0;
	free_table(ctx, tpa, true);
}

void arch_pt_destroy(paddr_t root, pt_leaf_fn leaf, pt_free_fn free_table, void *ctx)
{
	pte_t *r = table(root);
	FOR_EACH_SLOT(root, m2, i)
	{
		if (!(r[i] & PTE_V))
			continue;
		paddr_t l1pa = PTE_PA(r[i]);
		pte_t *l1 = table(l1pa);
		FOR_EACH_SLOT(l1pa, m1, j)
		{
			if (!(l1[j] & PTE_V))
				continue;
			paddr_t l0pa = PTE_PA(l1[j]);
			destroy_l0(table(l0pa), *occ(l0pa), leaf, ctx);
			free_table_page(l0pa, free_table, ctx);
		}
		free_table_page(l1pa, free_table, ctx);
		r[i] = 0;
	}
	*occ(root) = 0;
	for (int i = 0; i < kernel_nidx; i++) /* what arch_pt_init_root copied */
		r[kernel_idx[i]] = 0;
}

int arch_pt_remap(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm)
{
	pte_t *leaf = va < USER_TOP ? walk(root, va) : NULL;
	if (!leaf || !(*leaf & PTE_V))
		return E_NOENT;
	*leaf = PA_PTE(pa) | vm_to_pte(vm);
	return 0;
}

void arch_pt_count(paddr_t root, size_t *tables, size_t *leaves, unsigned copy_mask, size_t *copy)
{
	pte_t *r = table(root);
	*tables = *leaves = 0;
	if (copy)
		*copy = 0;
	FOR_EACH_SLOT(root, m2, i)
	{
		if (!(r[i] & PTE_V))
			continue;
		paddr_t l1pa = PTE_PA(r[i]);
		pte_t *l1 = table(l1pa);
		++*tables;
		FOR_EACH_SLOT(l1pa, m1, j)
		{
			if (!(l1[j] & PTE_V))
				continue;
			paddr_t l0pa = PTE_PA(l1[j]);
			pte_t *l0 = table(l0pa);
			++*tables;
			FOR_EACH_SLOT(l0pa, m0, k)
			{
				if (!(l0[k] & PTE_V))
					continue;
				++*leaves;
				if (copy && (pte_to_vm(l0[k]) & copy_mask))
					++*copy;
			}
		}
	}
}

/* A zeroed table page for dst from alloc, linked at *slot, with the
 * occupancy summary of the table it copies. */
static pte_t *clone_table(pte_t *slot, pt_alloc_fn alloc, void *ctx, uint64_t summary)
{
	paddr_t pa;
	int err = alloc(ctx, &pa);
	assert(err == 0); /* the caller checked the pool can pay for them all */
	*occ(pa) = summary;
	*slot = PA_PTE(pa) | PTE_V;
	return table(pa);
}

/* A leaf the general rule handles: decide() says what both sides get. */
static void clone_leaf_slow(pte_t *sp, pte_t *dp, uaddr_t va, pt_clone_fn decide, void *ctx)
{
	pte_t p = *sp;
	unsigned svm, dvm, vm = pte_to_vm(p);
	paddr_t dpa;
	decide(ctx, va, PTE_PA(p), vm, &svm, &dpa, &dvm);
	if (svm != vm)
		*sp = PA_PTE(PTE_PA(p)) | vm_to_pte(svm);
	*dp = PA_PTE(dpa) | vm_to_pte(dvm);
}

/*
 * One level-0 table of a clone.  With cow (release builds), a RAM frame
 * of the first range takes the copy-on-write rule here, in a tight loop
 * with the frame table's bounds in registers: a writable (or already
 * COW) leaf loses W and gains COW in the source, the destination gets the
 * same PTE, the frame gains a reference.  Everything else, and every
 * DEBUG build (whose frame functions check more), goes to decide().
 * Returns how many leaves took the inline rule.
 */
/* One entry of clone_l0's first pass: true if it still needs decide(). */
static inline __attribute__((always_inline)) bool clone_one(pte_t *sp, pte_t *dp, uint64_t base_ppn,
							    uint64_t n, frame_t *tab)
{
	pte_t p = *sp;
	if (!(p & PTE_V))
		return false;
	uint64_t i = PTE_PPN(p) - base_ppn;
	if (__builtin_expect(i < n, 1)) {
		/* A mapped frame has refs >= 1; the new count must stay within
		 * FRAME_REFS_MAX (0x7fffffff): positive as a signed int. */
		int32_t r1 = (int32_t)(tab[i].refs + 1);
		if (__builtin_expect(r1 > 0, 1)) {
			if (p & PTE_W) { /* (an already COW leaf stays as it is) */
				p ^= PTE_W | PTE_COW;
				*sp = p;
			}
			*dp = p;
			tab[i].refs = (uint32_t)r1;
			return false;
		}
	}
	return true;
}

static __attribute__((noinline)) void clone_l0(pte_t *restrict s0, pte_t *restrict d0,
					       uint64_t summary, uaddr_t va0, bool cow,
					       pt_clone_fn decide, void *ctx)
{
	uint64_t slow[PTES_PER_TABLE / 64] = {0};
#ifdef DEBUG
	cow = false;
#endif
	const uint64_t base_ppn = frame_base0 >> PAGE_SHIFT;
	/* !cow: no index is below n, every leaf takes the general rule. */
	const uint64_t n = cow ? frame_npages0 : 0;
	frame_t *const tab = frame_table;
	/* Pass 1, no calls: the common leaves, eight at a time; note the rest. */
	for (uint64_t m = summary; m; m &= m - 1) {
		size_t k0 = 8 * (size_t)lowest_bit(m);
		pte_t *sp = s0 + k0, *dp = d0 + k0;
#pragma GCC unroll 8
		for (unsigned j = 0; j < 8; j++)
			if (__builtin_expect(clone_one(sp + j, dp + j, base_ppn, n, tab), 0))
				slow[k0 / 64] |= 1UL << ((k0 + j) % 64);
	}
	/* Pass 2: the rest, through decide(). */
	for (size_t w = 0; w < PTES_PER_TABLE / 64; w++)
		for (uint64_t b = slow[w]; b; b &= b - 1) {
			size_t k = w * 64 + lowest_bit(b);
			clone_leaf_slow(&s0[k], &d0[k], va0 | (k << LEVEL_SHIFT(0)), decide, ctx);
		}
}

void arch_pt_clone(paddr_t src, paddr_t dst, pt_alloc_fn alloc, pt_clone_fn decide, void *ctx,
		   bool cow)
{
	pte_t *sr = table(src), *dr = table(dst);
	*occ(dst) = *occ(src); /* the same entries will be valid */
	FOR_EACH_SLOT(src, m2, i)
	{
		if (!(sr[i] & PTE_V))
			continue;
		paddr_t s1pa = PTE_PA(sr[i]);
		pte_t *s1 = table(s1pa), *d1 = clone_table(&dr[i], alloc, ctx, *occ(s1pa));
		FOR_EACH_SLOT(s1pa, m1, j)
		{
			if (!(s1[j] & PTE_V))
				continue;
			paddr_t s0pa = PTE_PA(s1[j]);
			uint64_t summary = *occ(s0pa);
			pte_t *d0 = clone_table(&d1[j], alloc, ctx, summary);
			clone_l0(table(s0pa), d0, summary,
				 (i << LEVEL_SHIFT(2)) | (j << LEVEL_SHIFT(1)), cow, decide, ctx);
		}
	}
}

size_t arch_pt_tables_needed_range(paddr_t root, uaddr_t va, size_t npages)
{
	size_t need = 0;
	uaddr_t end = va + npages * PAGE_SIZE;
	const pte_t *r = table(root);
	for (uaddr_t g = va & ~(LEVEL_SIZE(2) - 1); g < end; g += LEVEL_SIZE(2)) {
		pte_t e = r[VPN(g, 2)];
		uaddr_t lo = g > va ? g : va,
			hi = g + LEVEL_SIZE(2) < end ? g + LEVEL_SIZE(2) : end;
		size_t chunks = ((hi - 1) >> LEVEL_SHIFT(1)) - (lo >> LEVEL_SHIFT(1)) + 1;
		if (!(e & PTE_V)) {
			need += 1 + chunks; /* a level-1 table and all its level-0 ones */
			continue;
		}
		const pte_t *l1 = table(PTE_PA(e));
		for (uaddr_t m = lo & ~(LEVEL_SIZE(1) - 1); m < hi; m += LEVEL_SIZE(1))
			need += !(l1[VPN(m, 1)] & PTE_V);
	}
	return need;
}

int arch_pt_map_range(paddr_t root, uaddr_t va, size_t npages, paddr_t pa, unsigned vm,
		      pt_alloc_fn alloc, void *ctx)
{
	pte_t leafbits = PA_PTE(pa) | vm_to_pte(vm);
	while (npages) {
		/* One level-0 table at a time: walk (or build) down to it once. */
		paddr_t tpa;
		int err = walk_build(root, va, alloc, ctx, &tpa);
		if (err)
			return err;
		pte_t *t = table(tpa);
		uint64_t *summary = occ(tpa);
		for (size_t k = VPN(va, 0); k < PTES_PER_TABLE && npages; k++, npages--) {
			assert(!(t[k] & PTE_V));
			t[k] = leafbits;
			*summary |= 1UL << (k >> 3);
			va += PAGE_SIZE;
		}
	}
	return 0;
}

bool arch_pt_range_empty(paddr_t root, uaddr_t va, size_t npages)
{
	while (npages) {
		const pte_t *t = table(root);
		size_t span = PTES_PER_TABLE - VPN(va, 0); /* pages left in this L0 */
		if (span > npages)
			span = npages;
		bool have_l0 = true;
		for (int level = 2; level > 0 && have_l0; level--) {
			pte_t e = t[VPN(va, level)];
			if (!(e & PTE_V))
				have_l0 = false; /* no table: nothing mapped here */
			else
				t = table(PTE_PA(e));
		}
		if (have_l0)
			for (size_t k = VPN(va, 0); k < VPN(va, 0) + span; k++)
				if (t[k] & PTE_V)
					return false;
		va += span * PAGE_SIZE;
		npages -= span;
	}
	return true;
}

/* ---------------------------------------------------------------- audit -- */

/* Entry i of table tpa is valid: its group must be in the summary. */
static int audit_summary(paddr_t tpa, size_t i)
{
	if (*occ(tpa) & (1UL << (i >> 3)))
		return 0;
	kprintf("audit: table %#lx entry %zu is valid but its group is not in the "
		"occupancy summary %#lx\n",
		(unsigned long)tpa, i, (unsigned long)*occ(tpa));
	return E_CORRUPT;
}

static int audit_leaf(pt_audit_t *a, uaddr_t va, pte_t p)
{
	if ((p & (PTE_U | PTE_R | PTE_W | PTE_X)) == 0 || !(p & PTE_U) ||
	    (p & (PTE_W | PTE_COW)) == (PTE_W | PTE_COW)) {
		kprintf("audit: bad user leaf %#lx at va %#lx\n", (unsigned long)p,
			(unsigned long)va);
		return E_CORRUPT;
	}
	a->leaves++;
	return a->leaf(a->ctx, va, PTE_PA(p), pte_to_vm(p));
}

/* The interior entry p at va (level > 0): a table, never a leaf. */
static int audit_link(pt_audit_t *a, uaddr_t va, pte_t p, paddr_t *tpa)
{
	if (PTE_LEAF(p)) {
		kprintf("audit: user superpage or bad link %#lx at va %#lx\n", (unsigned long)p,
			(unsigned long)va);
		return E_CORRUPT;
	}
	*tpa = PTE_PA(p);
	a->tables++;
	return a->table(a->ctx, *tpa);
}

int arch_pt_audit(paddr_t root, pt_audit_t *a)
{
	const pte_t *r = table(root), *k = table(arch_kernel_root());
	int err = 0;

	a->tables = a->leaves = 0;
	for (size_t i = USER_ROOT_ENTRIES; i < PTES_PER_TABLE; i++)
		if (r[i] != k[i]) {
			kprintf("audit: root %#lx entry %zu differs from the kernel's\n",
				(unsigned long)root, i);
			return E_CORRUPT;
		}
	for (size_t i = 0; i < USER_ROOT_ENTRIES && !err; i++) {
		paddr_t l1pa, l0pa;
		if (!(r[i] & PTE_V))
			continue;
		if ((err = audit_summary(root, i)) || (err = audit_link(a, i << 30, r[i], &l1pa)))
			break;
		const pte_t *l1 = table(l1pa);
		for (size_t j = 0; j < PTES_PER_TABLE && !err; j++) {
			uaddr_t va1 = (i << 30) | (j << 21);
			if (!(l1[j] & PTE_V))
				continue;
			if ((err = audit_summary(l1pa, j)) ||
			    (err = audit_link(a, va1, l1[j], &l0pa)))
				break;
			const pte_t *l0 = table(l0pa);
			for (size_t m = 0; m < PTES_PER_TABLE && !err; m++) {
				if (!(l0[m] & PTE_V))
					continue;
				err = audit_summary(l0pa, m);
				if (!err)
					err = audit_leaf(a, va1 | (m << 12), l0[m]);
			}
		}
	}
	return err;
}
