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
#include <kern/frame.h>

#define USER_ROOT_ENTRIES (USER_TOP >> LEVEL_SHIFT(2))   /* 256 */

static pte_t *table(paddr_t pa)
{
	return pa2kva(pa);
}

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

void arch_pt_init_root(paddr_t root)
{
	pte_t *r = table(root);
	const pte_t *k = table(arch_kernel_root());
	memset(r, 0, USER_ROOT_ENTRIES * sizeof(pte_t));
	memcpy(r + USER_ROOT_ENTRIES, k + USER_ROOT_ENTRIES,
	       (PTES_PER_TABLE - USER_ROOT_ENTRIES) * sizeof(pte_t));
}

/* True if the 8 entries from t[i] are all invalid (a quick skip over the
 * empty stretches that make up most of a sparse table). */
static inline bool empty8(const pte_t *t, size_t i)
{
	return !((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] |
		  t[i + 7]) & PTE_V);
}

/* The level-0 PTE for va, or NULL if an interior table is missing. */
static pte_t *walk(paddr_t root, uaddr_t va)
{
	pte_t *t = table(root);
	for (int level = 2; level > 0; level--) {
		pte_t p = t[VPN(va, level)];
		if (!(p & PTE_V))
			return NULL;
		assert(!PTE_LEAF(p));   /* user mappings are 4 KiB only */
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

int arch_pt_map(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm, pt_alloc_fn alloc,
		void *ctx)
{
	assert(va < USER_TOP && !(va & PAGE_MASK) && !(pa & PAGE_MASK));
	pte_t *t = table(root);
	for (int level = 2; level > 0; level--) {
		pte_t *e = &t[VPN(va, level)];
		if (!(*e & PTE_V)) {
			paddr_t tp;
			int err = alloc(ctx, &tp);
			if (err)
				return err;
			*e = PA_PTE(tp) | PTE_V;
		}
		t = table(PTE_PA(*e));
	}
	pte_t *leaf = &t[VPN(va, 0)];
	if (*leaf & PTE_V)
		return E_EXISTS;
	*leaf = PA_PTE(pa) | vm_to_pte(vm);
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

int arch_pt_unmap(paddr_t root, uaddr_t va, paddr_t *old)
{
	pte_t *leaf = va < USER_TOP ? walk(root, va) : NULL;
	if (!leaf || !(*leaf & PTE_V))
		return E_NOENT;
	*old = PTE_PA(*leaf);
	*leaf = 0;
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

size_t arch_pt_destroy(paddr_t root, pt_leaf_fn leaf, pt_free_fn free_table, void *ctx)
{
	pte_t *r = table(root);
	size_t fast = 0;
	for (size_t i = 0; i < USER_ROOT_ENTRIES; i++) {
		if (!(r[i] & PTE_V))
			continue;
		pte_t *l1 = table(PTE_PA(r[i]));
		for (size_t j = 0; j < PTES_PER_TABLE; j++) {
			if (!(j & 7) && empty8(l1, j)) {
				j += 7;
				continue;
			}
			if (!(l1[j] & PTE_V))
				continue;
			pte_t *l0 = table(PTE_PA(l1[j]));
			for (size_t k = 0; k < PTES_PER_TABLE; k++) {
				if (!(k & 7) && empty8(l0, k)) {
					k += 7;
					continue;
				}
				if (!(l0[k] & PTE_V))
					continue;
				/* Still mapped elsewhere (after fork): just one
				 * reference less, inline. */
				if (frame_unref_shared_fast(PTE_PA(l0[k]))) {
					fast++;
					continue;
				}
				leaf(ctx, PTE_PA(l0[k]), pte_to_vm(l0[k]));
			}
			free_table(ctx, PTE_PA(l1[j]));
		}
		free_table(ctx, PTE_PA(r[i]));
		r[i] = 0;
	}
	return fast;
}


int arch_pt_remap(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm)
{
	pte_t *leaf = va < USER_TOP ? walk(root, va) : NULL;
	if (!leaf || !(*leaf & PTE_V))
		return E_NOENT;
	*leaf = PA_PTE(pa) | vm_to_pte(vm);
	return 0;
}

void arch_pt_count(paddr_t root, size_t *tables, size_t *leaves, unsigned copy_mask,
		   size_t *copy)
{
	pte_t *r = table(root);
	*tables = *leaves = 0;
	if (copy)
		*copy = 0;
	for (size_t i = 0; i < USER_ROOT_ENTRIES; i++) {
		if (!(r[i] & PTE_V))
			continue;
		pte_t *l1 = table(PTE_PA(r[i]));
		++*tables;
		for (size_t j = 0; j < PTES_PER_TABLE; j++) {
			if (!(l1[j] & PTE_V))
				continue;
			pte_t *l0 = table(PTE_PA(l1[j]));
			++*tables;
			for (size_t k = 0; k < PTES_PER_TABLE; k++) {
				if (!(l0[k] & PTE_V))
					continue;
				++*leaves;
				if (copy && (pte_to_vm(l0[k]) & copy_mask))
					++*copy;
			}
		}
	}
}

/* A zeroed table page for dst from alloc, linked at *slot. */
static pte_t *clone_table(pte_t *slot, pt_alloc_fn alloc, void *ctx)
{
	paddr_t pa;
	int err = alloc(ctx, &pa);
	assert(err == 0);   /* the caller checked the pool can pay for them all */
	*slot = PA_PTE(pa) | PTE_V;
	return table(pa);
}

/*
 * The common leaf of a copy-on-write clone, inline: a RAM frame of the
 * first range that stays shared.  A writable (or already COW) leaf loses
 * W and gains COW in the source; the destination gets the same PTE; the
 * frame gains a reference.  Returns false to let decide() handle it
 * (other ranges, device frames, DEBUG builds with their checks).
 */
static inline bool clone_cow_fast(pte_t *sp, pte_t *dp)
{
#ifdef DEBUG
	(void)sp;
	(void)dp;
	return false;
#else
	pte_t p = *sp;
	frame_t *f = frame_fast(PTE_PA(p));
	if (!f || f->refs == 0 || f->refs >= FRAME_REFS_MAX)
		return false;
	if (p & (PTE_W | PTE_COW)) {
		p = (p & ~PTE_W) | PTE_COW;
		*sp = p;
	}
	*dp = p;
	f->refs++;
	return true;
#endif
}

size_t arch_pt_clone(paddr_t src, paddr_t dst, pt_alloc_fn alloc, pt_clone_fn decide, void *ctx,
		     bool cow)
{
	size_t fast = 0;
	pte_t *sr = table(src), *dr = table(dst);
	for (size_t i = 0; i < USER_ROOT_ENTRIES; i++) {
		if (!(sr[i] & PTE_V))
			continue;
		pte_t *s1 = table(PTE_PA(sr[i])), *d1 = clone_table(&dr[i], alloc, ctx);
		for (size_t j = 0; j < PTES_PER_TABLE; j++) {
			if (!(j & 7) && empty8(s1, j)) {
				j += 7;
				continue;
			}
			if (!(s1[j] & PTE_V))
				continue;
			pte_t *s0 = table(PTE_PA(s1[j])), *d0 = clone_table(&d1[j], alloc, ctx);
			for (size_t k = 0; k < PTES_PER_TABLE; k++) {
				if (!(k & 7) && empty8(s0, k)) {
					k += 7;
					continue;
				}
				pte_t p = s0[k];
				if (!(p & PTE_V))
					continue;
				if (cow && clone_cow_fast(&s0[k], &d0[k])) {
					fast++;
					continue;
				}
				uaddr_t va = (i << LEVEL_SHIFT(2)) | (j << LEVEL_SHIFT(1)) |
					     (k << LEVEL_SHIFT(0));
				unsigned svm, dvm, vm = pte_to_vm(p);
				paddr_t dpa;
				decide(ctx, va, PTE_PA(p), vm, &svm, &dpa, &dvm);
				if (svm != vm)
					s0[k] = PA_PTE(PTE_PA(p)) | vm_to_pte(svm);
				d0[k] = PA_PTE(dpa) | vm_to_pte(dvm);
			}
		}
	}
	return fast;
}
