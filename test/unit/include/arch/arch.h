/*
 * Host stand-in for arch/riscv/include/arch/arch.h, whose inline
 * functions hold RISC-V assembly.  Only the declarations that kern/
 * headers pulled into host unit tests need; none is ever called there.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/vm.h>

/* kern/aspace.h: aspace_activate() (never called on the host). */
void arch_aspace_activate(paddr_t root);
