/*
 * The PLIC driver's private interface inside arch/riscv/.
 */
#pragma once

#include <lib/platform.h>

/* Map the PLIC's registers, if the device tree has a usable one.  Called
 * by arch_vm_init while it builds the kernel map (mmu_map_mmio). */
void plic_map(const platform_t *p);
