/*
 * The kernel's Sv39 address space.
 *
 * arch_vm_init builds the final kernel root table: the direct map of every
 * RAM range (minus /reserved-memory no-map ranges) with the largest pages
 * that fit, read-write and never executable; and the kernel image, whose
 * 4 KiB tables boot.c already built with W^X permissions and which are
 * shared as they are.  The identity map and the temporary direct map of
 * boot.c disappear with the switch.  Every PTE written here has A and D set
 * (U54/U74 cores fault instead of setting them) and G (kernel mappings are
 * the same in every address space).
 *
 * The registers of the devices the kernel itself drives (the PLIC) are
 * mapped in the MMIO window (KERNEL_MMIO_BASE, one root entry) before the
 * switch too: every user root table copies the kernel's root entries once,
 * so the kernel half must be complete before the first address space.
 *
 * Page-table pages come from bootmem while the frame table does not exist;
 * they are inside the gigapages boot.c mapped around the kernel image.
 */
#include <string.h>

#include <arch/arch.h>
#include <arch/csr.h>
#include <arch/pte.h>
#include <kern/assert.h>
#include <kern/bootmem.h>

#include "mmu.h"
#include "plic.h"

extern pte_t boot_root[], boot_l1[];
extern uint64_t kernel_phys_base;
extern char _start[], _etext[], _srodata[], _erodata[], _sdata[], _end[];

static pte_t *kernel_root;
static paddr_t kernel_root_pa;

#define KPTE_RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G)

paddr_t kva2pa(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	if (v >= KERNEL_IMAGE_VBASE)
		return v - KERNEL_IMAGE_VBASE + kernel_phys_base;
	assert(v >= KERNEL_DIRECT_BASE && v < KERNEL_DIRECT_BASE + KERNEL_DIRECT_SIZE);
	return v - KERNEL_DIRECT_BASE;
}

static pte_t *table_next(pte_t *pte)
{
	if (!(*pte & PTE_V)) {
		paddr_t pa = bootmem_alloc(PAGE_SIZE, FRAME_PAGETABLE);
		*pte = PA_PTE(pa) | PTE_V;
	}
	assert(!PTE_LEAF(*pte));
	return pa2kva(PTE_PA(*pte));
}

/* Map [pa, end) at va with the largest pages that both addresses allow:
 * read-write, never executable, global. */
static void map_range(uintptr_t va, paddr_t pa, paddr_t end)
{
	while (pa < end) {
		int level = 2;
		while (level > 0 &&
		       (((va | pa) & (LEVEL_SIZE(level) - 1)) || end - pa < LEVEL_SIZE(level)))
			level--;
		pte_t *t = kernel_root;
		for (int l = 2; l > level; l--)
			t = table_next(&t[VPN(va, l)]);
		assert(!(t[VPN(va, level)] & PTE_V));
		t[VPN(va, level)] = PA_PTE(pa) | KPTE_RW;
		pa += LEVEL_SIZE(level);
		va += LEVEL_SIZE(level);
	}
}

/* Map [pa, end) at the direct map. */
static void direct_map(paddr_t pa, paddr_t end)
{
	map_range((uintptr_t)pa2kva(pa), pa, end);
}

/* Direct-map one RAM range minus every no-map reserved range: repeatedly
 * map up to the lowest no-map range that overlaps, then skip past it. */
static void direct_map_range(const platform_t *p, paddr_t lo, paddr_t hi)
{
	while (lo < hi) {
		paddr_t cut = hi, resume = hi;
		for (size_t i = 0; i < p->nrsv; i++) {
			const plat_range_t *r = &p->rsv[i];
			paddr_t rlo = PAGE_ROUND_DOWN(r->base);
			paddr_t rhi = PAGE_ROUND_UP(r->base + r->size);
			if (!r->no_map || rhi <= lo || rlo >= hi)
				continue;
			if (rlo < lo)
				rlo = lo;
			if (rlo < cut || (rlo == cut && rhi > resume)) {
				cut = rlo;
				resume = rhi;
			}
		}
		if (cut > lo)
			direct_map(lo, cut);
		lo = resume;
	}
}

void arch_vm_init(const platform_t *p)
{
	/* The boot map covers the kernel's gigapage: allocate tables there. */
	paddr_t giga = kernel_phys_base & ~((1UL << 30) - 1);
	bootmem_set_window(giga, giga + (1UL << 30));

	kernel_root_pa = bootmem_alloc(PAGE_SIZE, FRAME_PAGETABLE);
	kernel_root = pa2kva(kernel_root_pa);

	for (size_t i = 0; i < p->nmem; i++) {
		paddr_t lo = PAGE_ROUND_UP(p->mem[i].base);
		paddr_t hi = PAGE_ROUND_DOWN(p->mem[i].base + p->mem[i].size);
		if (hi > KERNEL_DIRECT_SIZE) {
			hi = KERNEL_DIRECT_SIZE;
		}
		if (lo < hi)
			direct_map_range(p, lo, hi);
	}
	kernel_root[VPN(KERNEL_IMAGE_VBASE, 2)] = boot_root[VPN(KERNEL_IMAGE_VBASE, 2)];
	plic_map(p);

	csr_write(satp, SATP_MODE_SV39 | (kernel_root_pa >> PAGE_SHIFT));
	sfence_vma_all();
	bootmem_set_window(0, ~(paddr_t)0);
}

static uintptr_t mmio_next = KERNEL_MMIO_BASE;

uintptr_t mmu_map_mmio(paddr_t pa, size_t size)
{
	assert(!(pa & PAGE_MASK) && size > 0);
	/* The same offset in a 2 MiB page as pa: megapages where possible. */
	uintptr_t va = mmio_next + (pa & (LEVEL_SIZE(1) - 1));
	size = PAGE_ROUND_UP(size);
	if (size > KERNEL_MMIO_BASE + KERNEL_MMIO_SIZE - va)
		panic("MMIO window full: %#lx bytes at %#lx", (unsigned long)size,
		      (unsigned long)pa);
	map_range(va, pa, pa + size);
	mmio_next = (va + size + LEVEL_SIZE(1) - 1) & ~(LEVEL_SIZE(1) - 1);
	return va;
}

paddr_t arch_kernel_root(void)
{
	return kernel_root_pa;
}

int arch_kernel_tables(int (*fn)(void *ctx, paddr_t pa), void *ctx)
{
	const pte_t *r = kernel_root;
	int err = fn(ctx, kernel_root_pa);

	for (size_t i = PTES_PER_TABLE / 2; i < PTES_PER_TABLE && !err; i++) {
		if (!(r[i] & PTE_V) || PTE_LEAF(r[i]))
			continue;
		err = fn(ctx, PTE_PA(r[i]));
		const pte_t *l1 = pa2kva(PTE_PA(r[i]));
		for (size_t j = 0; j < PTES_PER_TABLE && !err; j++)
			if ((l1[j] & PTE_V) && !PTE_LEAF(l1[j]))
				err = fn(ctx, PTE_PA(l1[j]));
	}
	return err;
}

unsigned arch_kernel_query(uintptr_t va, paddr_t *pa)
{
	pte_t *t = kernel_root;
	for (int level = 2; level >= 0; level--) {
		pte_t pte = t[VPN(va, level)];
		if (!(pte & PTE_V))
			return 0;
		if (PTE_LEAF(pte)) {
			unsigned m = 0;
			m |= (pte & PTE_R) ? VM_READ : 0;
			m |= (pte & PTE_W) ? VM_WRITE : 0;
			m |= (pte & PTE_X) ? VM_EXEC : 0;
			m |= (pte & PTE_U) ? VM_USER : 0;
			m |= (pte & PTE_G) ? VM_GLOBAL : 0;
			m |= (pte & (PTE_A | PTE_D)) == (PTE_A | PTE_D) ? VM_ACCESSED_DIRTY : 0;
			if (pa)
				*pa = PTE_PA(pte) + (va & (LEVEL_SIZE(level) - 1));
			return m;
		}
		t = pa2kva(PTE_PA(pte));
	}
	return 0;
}

void arch_kernel_layout(kernel_layout_t *k)
{
	k->phys_start = kernel_phys_base;
	k->phys_end = kernel_phys_base + ((uintptr_t)_end - (uintptr_t)_start);
	k->text_start = (uintptr_t)_start;
	k->text_end = (uintptr_t)_etext;
	k->rodata_start = (uintptr_t)_srodata;
	k->rodata_end = (uintptr_t)_erodata;
	k->data_start = (uintptr_t)_sdata;
	k->data_end = (uintptr_t)_end;
}

void arch_tlb_flush_all(void)
{
	sfence_vma_all();
}
