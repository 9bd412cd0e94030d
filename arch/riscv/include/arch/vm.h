/*
 * The kernel's virtual memory layout on Sv39, and physical/virtual
 * conversion.  Included by kern/ (no PTE bits here: those are in
 * arch/riscv/include/arch/pte.h, private to arch/riscv/).
 *
 *   0x0000000000001000 .. 0x0000003fffffffff   user space (USER_TOP = 2^38)
 *   0xffffffc000000000 .. +128 GiB              direct map of all RAM (RW, NX)
 *   0xfffffff000000000 .. +1 GiB                the kernel's device registers (PLIC)
 *   0xffffffff80200000 ..                       kernel image (linked here)
 */
#pragma once

#ifndef __ASSEMBLY__
#include <stdint.h>

typedef uint64_t paddr_t; /* physical address */
typedef uint64_t uaddr_t; /* user virtual address, unchecked */
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (PAGE_SIZE - 1)

#define USER_BASE PAGE_SIZE
#define USER_TOP  (1UL << 38)

#define KERNEL_DIRECT_BASE 0xffffffc000000000UL
#define KERNEL_DIRECT_SIZE (128UL << 30)
#define KERNEL_MMIO_BASE   0xfffffff000000000UL /* one root entry: devices the kernel drives */
#define KERNEL_MMIO_SIZE   (1UL << 30)
#define KERNEL_IMAGE_VBASE 0xffffffff80200000UL
#define KERNEL_STACK_SIZE  (16 * 1024)

#define PAGE_ROUND_UP(x)   (((x) + PAGE_MASK) & ~PAGE_MASK)
#define PAGE_ROUND_DOWN(x) ((x) & ~PAGE_MASK)

#ifndef __ASSEMBLY__

/* The kernel's virtual address of physical address pa (direct map). */
static inline void *pa2kva(paddr_t pa)
{
	return (void *)(pa + KERNEL_DIRECT_BASE);
}

/* Physical address of a direct-map or kernel-image address. */
paddr_t kva2pa(const void *va);

#endif
