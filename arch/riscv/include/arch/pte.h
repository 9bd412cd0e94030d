/*
 * Sv39 page-table entry format (RISC-V privileged spec, section 4.4).
 * Private to arch/riscv/: kern/ asks arch_* functions instead.
 */
#pragma once

#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_COW (1UL << 8)     /* RSW bit 8: copy-on-write leaf */
#define PTE_PPN_SHIFT 10

#define PTES_PER_TABLE 512
#define SV39_LEVELS 3
#define LEVEL_SHIFT(l) (12 + 9 * (l))            /* level 0 = 4 KiB leaves */
#define LEVEL_SIZE(l) (1UL << LEVEL_SHIFT(l))
#define VPN(va, l) (((va) >> LEVEL_SHIFT(l)) & 511)

#define PTE_LEAF(pte) (((pte) & (PTE_R | PTE_W | PTE_X)) != 0)
#define PTE_PA(pte) ((((pte) >> PTE_PPN_SHIFT) & ((1UL << 44) - 1)) << 12)
#define PA_PTE(pa) ((((uint64_t)(pa)) >> 12) << PTE_PPN_SHIFT)
