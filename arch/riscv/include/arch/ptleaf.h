/*
 * One user leaf, looked up once and then read or rewritten: the copy-on-
 * write fault path needs the frame, the permissions and a rewrite of the
 * same PTE, and walking the table twice would double its cost.  kern/
 * sees an opaque handle and VM_* bits; the PTE format stays here.
 */
#pragma once

#include <stdbool.h>

#include <arch/arch.h>
#include <arch/pte.h>

typedef struct pt_leaf {
	pte_t *pte;
} pt_leaf_t;

/* Find the valid leaf at va (page aligned, < USER_TOP) in root: true and
 * *l, *pa, *vm set; false if unmapped. */
static inline bool arch_pt_leaf(paddr_t root, uaddr_t va, pt_leaf_t *l, paddr_t *pa, unsigned *vm)
{
	pte_t p = ((pte_t *)pa2kva(root))[VPN(va, 2)];
	if (!(p & PTE_V) || PTE_LEAF(p))
		return false;
	p = ((pte_t *)pa2kva(PTE_PA(p)))[VPN(va, 1)];
	if (!(p & PTE_V) || PTE_LEAF(p))
		return false;
	pte_t *e = &((pte_t *)pa2kva(PTE_PA(p)))[VPN(va, 0)];
	if (!(*e & PTE_V))
		return false;
	l->pte = e;
	*pa = PTE_PA(*e);
	*vm = ((*e & PTE_R) ? VM_READ : 0) | ((*e & PTE_W) ? VM_WRITE : 0) |
	      ((*e & PTE_X) ? VM_EXEC : 0) | ((*e & PTE_COW) ? VM_COW : 0) | VM_USER;
	return true;
}

/* Rewrite the leaf: frame pa, permissions vm (VM_READ/WRITE/EXEC/COW). */
static inline void arch_pt_leaf_set(pt_leaf_t l, paddr_t pa, unsigned vm)
{
	*l.pte = PA_PTE(pa) | PTE_V | PTE_U | PTE_A | PTE_D | ((vm & VM_READ) ? PTE_R : 0) |
		 ((vm & VM_WRITE) ? PTE_W : 0) | ((vm & VM_EXEC) ? PTE_X : 0) |
		 ((vm & VM_COW) ? PTE_COW : 0);
}

/* Find the leaf at va if it is copy-on-write: true and *l, *pa set. */
static inline bool arch_pt_cow_leaf(paddr_t root, uaddr_t va, pt_leaf_t *l, paddr_t *pa)
{
	pte_t p = ((pte_t *)pa2kva(root))[VPN(va, 2)];
	if ((p & (PTE_V | PTE_R | PTE_W | PTE_X)) != PTE_V)
		return false;
	p = ((pte_t *)pa2kva(PTE_PA(p)))[VPN(va, 1)];
	if ((p & (PTE_V | PTE_R | PTE_W | PTE_X)) != PTE_V)
		return false;
	pte_t *e = &((pte_t *)pa2kva(PTE_PA(p)))[VPN(va, 0)];
	if ((*e & (PTE_V | PTE_COW)) != (PTE_V | PTE_COW))
		return false;
	l->pte = e;
	*pa = PTE_PA(*e);
	return true;
}

/* The copy-on-write leaf l becomes a plain writable leaf of frame pa,
 * keeping its other permissions. */
static inline void arch_pt_cow_done(pt_leaf_t l, paddr_t pa)
{
	*l.pte = PA_PTE(pa) | (*l.pte & ((1UL << PTE_PPN_SHIFT) - 1) & ~PTE_COW) | PTE_W;
}
