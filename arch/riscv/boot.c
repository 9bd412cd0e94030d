/*
 * Pre-paging boot: build the boot page table.
 *
 * Runs at the physical load address with satp = 0, called from head.S.
 * Only PC-relative addressing works here, so every symbol address taken in
 * this file is a physical address; virtual addresses are computed from
 * KERNEL_IMAGE_VBASE.  No calls out of this file, no globals with pointer
 * initializers.
 *
 * The boot table maps:
 *   - the kernel image at its link address with 4 KiB pages and final
 *     permissions (text RX, rodata R, data+bss RW); these tables are kept
 *     and shared by the final kernel table (mmu.c);
 *   - an identity gigapage over the image, so the instruction after the
 *     satp write still fetches (dropped by mmu.c);
 *   - direct-map gigapages over the image and the DTB, so kmain can read the
 *     device tree and mmu.c can allocate its first page tables next to the
 *     kernel (replaced by the final direct map).
 */
#include <stdint.h>

#include <arch/csr.h>
#include <arch/pte.h>
#include <arch/vm.h>

#define BOOT_L0_TABLES 32   /* 64 MiB of image; kernel.ld asserts it */
#define GIGA (1UL << 30)
#define MEGA2 (1UL << 21)

extern char _start[], _etext[], _erodata[], _end[];

pte_t boot_root[PTES_PER_TABLE] __attribute__((aligned(4096), section(".bss.pagetables")));
pte_t boot_l1[PTES_PER_TABLE] __attribute__((aligned(4096), section(".bss.pagetables")));
static pte_t boot_l0[BOOT_L0_TABLES][PTES_PER_TABLE]
	__attribute__((aligned(4096), section(".bss.pagetables")));

/* Physical address of _start, for kva2pa(). Written before paging. */
uint64_t kernel_phys_base;

#define KPTE_BASE (PTE_V | PTE_A | PTE_D | PTE_G)

static uint64_t boot_be32(uint64_t pa)
{
	const volatile uint8_t *b = (const volatile uint8_t *)pa;
	return ((uint64_t)b[0] << 24) | ((uint64_t)b[1] << 16) | ((uint64_t)b[2] << 8) | b[3];
}

static void boot_map_gigas(uint64_t index_base, uint64_t pa_lo, uint64_t pa_hi,
			   uint64_t perm)
{
	for (uint64_t g = pa_lo / GIGA; g <= (pa_hi - 1) / GIGA; g++)
		boot_root[(index_base + g) & 511] = PA_PTE(g * GIGA) | KPTE_BASE | perm;
}

uint64_t boot_early(uint64_t hartid, uint64_t dtb_pa)
{
	uint64_t pa_start = (uint64_t)_start;
	uint64_t pa_end = PAGE_ROUND_UP((uint64_t)_end);
	uint64_t text_end = (uint64_t)_etext, rodata_end = (uint64_t)_erodata;

	kernel_phys_base = pa_start;

	for (uint64_t pa = pa_start; pa < pa_end; pa += PAGE_SIZE) {
		uint64_t va = KERNEL_IMAGE_VBASE + (pa - pa_start);
		uint64_t i = (va - (KERNEL_IMAGE_VBASE & ~(MEGA2 - 1))) / MEGA2;
		pte_t *l0 = boot_l0[i];
		uint64_t perm = pa < text_end ? (PTE_R | PTE_X)
			      : pa < rodata_end ? PTE_R : (PTE_R | PTE_W);

		l0[VPN(va, 0)] = PA_PTE(pa) | KPTE_BASE | perm;
		boot_l1[VPN(va, 1)] = PA_PTE((uint64_t)l0) | PTE_V;
	}
	boot_root[VPN(KERNEL_IMAGE_VBASE, 2)] = PA_PTE((uint64_t)boot_l1) | PTE_V;

	/* Identity (low half, not global) so the fetch after csrw satp works. */
	for (uint64_t g = pa_start / GIGA; g <= (pa_end - 1) / GIGA; g++)
		boot_root[g] = PA_PTE(g * GIGA) | PTE_V | PTE_A | PTE_D | PTE_R | PTE_W | PTE_X;

	/* Temporary direct map: image and device tree. */
	uint64_t dbase = VPN(KERNEL_DIRECT_BASE, 2);
	boot_map_gigas(dbase, pa_start, pa_end, PTE_R | PTE_W);
	if (dtb_pa && boot_be32(dtb_pa) == 0xd00dfeed) {
		uint64_t size = boot_be32(dtb_pa + 4);
		boot_map_gigas(dbase, dtb_pa, dtb_pa + (size ? size : 1), PTE_R | PTE_W);
	}
	(void)hartid;
	return SATP_MODE_SV39 | ((uint64_t)boot_root >> PAGE_SHIFT);
}
