/*
 * Host stand-in for arch/riscv/include/arch/vm.h: "physical memory" is a
 * buffer the unit test allocates, so kern/frame.c runs unchanged under
 * AddressSanitizer.
 */
#pragma once

#include <stdint.h>

typedef uint64_t paddr_t;
typedef uint64_t uaddr_t;

#define PAGE_SHIFT	   12
#define PAGE_SIZE	   (1UL << PAGE_SHIFT)
#define PAGE_MASK	   (PAGE_SIZE - 1)
#define PAGE_ROUND_UP(x)   (((x) + PAGE_MASK) & ~PAGE_MASK)
#define PAGE_ROUND_DOWN(x) ((x) & ~PAGE_MASK)

extern uint8_t *fake_ram;
extern paddr_t fake_ram_base;
extern uint64_t fake_ram_size;

void *fake_pa2kva(paddr_t pa);
#define pa2kva(pa) fake_pa2kva(pa)

/* The inverse (kern/pool.c, kern/kobj.c); defined by the tests that use it. */
paddr_t fake_kva2pa(const void *va);
#define kva2pa(va) fake_kva2pa(va)
