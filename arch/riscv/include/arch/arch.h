/*
 * The interface between kern/ and the hardware.  kern/ code includes this
 * header (and vm.h, cpu.h) and never touches a CSR, a PTE or an instruction
 * directly.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <arch/vm.h>
#include <lib/platform.h>

/* Early console: one character to the SBI console. */
void arch_putc(char c);

/* Interrupts on this hart. */
void arch_intr_enable(void);
void arch_intr_disable(void);

/* Sleep until an interrupt arrives (wfi with interrupts enabled). */
void arch_wait_for_interrupt(void);

/* Stop this hart forever, interrupts off. */
__attribute__((noreturn)) void arch_halt(void);

/* Leave the machine with an exit code: semihosting SYS_EXIT when enabled
 * (bootarg "semihost"), else SBI SRST shutdown, else halt.  On real boards
 * only the console result line tells pass from fail. */
__attribute__((noreturn)) void arch_exit(int code);
void arch_exit_set_semihost(bool on);

/* Counters. */
uint64_t arch_time(void);        /* timebase ticks */
uint64_t arch_instret(void);

/* Start the periodic timer at hz using the device tree's timebase. */
void arch_timer_start(uint64_t timebase_hz, uint64_t hz);
uint64_t arch_timer_ticks(void);

/* Print a frame-pointer backtrace of the current stack, with symbols. */
void arch_backtrace(void);

/* Look up the symbol containing pc; returns its name and sets *off. */
const char *arch_symbol(uintptr_t pc, uintptr_t *off);

/*
 * Probes for self-tests: touch va and report whether the access faulted
 * (E_FAULT) or worked (0).  Only these and copyin/copyout may fault in the
 * kernel without a panic.
 */
int arch_probe_load(uintptr_t va);
int arch_probe_store(uintptr_t va);
int arch_probe_exec(uintptr_t va);

/* Kernel address space: build the final Sv39 table (direct map of all RAM
 * from p, kernel image with W^X sections) and switch to it. */
void arch_vm_init(const platform_t *p);

/* Permissions of the kernel mapping at va: a mask of VM_* bits, 0 if
 * unmapped. */
#define VM_READ 1u
#define VM_WRITE 2u
#define VM_EXEC 4u
#define VM_USER 8u
#define VM_GLOBAL 16u
#define VM_ACCESSED_DIRTY 32u  /* both A and D set */
unsigned arch_kernel_query(uintptr_t va, paddr_t *pa);

/* Kernel image bounds (physical) and section boundaries (virtual). */
typedef struct kernel_layout {
	paddr_t phys_start, phys_end;       /* image including bss */
	uintptr_t text_start, text_end;
	uintptr_t rodata_start, rodata_end;
	uintptr_t data_start, data_end;     /* data and bss */
} kernel_layout_t;
void arch_kernel_layout(kernel_layout_t *k);
