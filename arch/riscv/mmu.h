/*
 * The kernel map's private interface inside arch/riscv/.
 */
#pragma once

#include <stddef.h>

#include <arch/vm.h>

/*
 * Map the device registers [pa, pa + size) (pa page aligned) into the
 * kernel's MMIO window, read-write, never executable, global; returns
 * their virtual address.  Only while arch_vm_init builds the kernel map
 * (page tables come from bootmem, and user root tables copy the kernel
 * half once); the window is never unmapped.
 */
uintptr_t mmu_map_mmio(paddr_t pa, size_t size);
