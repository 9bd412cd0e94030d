/*
 * Host stand-in for arch/riscv/include/arch/arch.h: the same declarations
 * without the inline functions that hold RISC-V assembly.  A host test
 * defines (or stubs) whichever of these the code under test calls.
 * Keep it in step with the real header.
 */
#pragma once

#include <string.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/vm.h>
#include <lib/platform.h>

/* The user half of Sv39 (the real ones live in the real arch/vm.h, which
 * the host vm.h stand-in does not mirror yet). */
#ifndef USER_BASE
#define USER_BASE PAGE_SIZE
#endif
#ifndef USER_TOP
#define USER_TOP (1UL << 38)
#endif

/* Early console: one character to the SBI console. */
void arch_putc(char c);

/* Interrupts on this hart. */
void arch_intr_enable(void);
void arch_intr_disable(void);

/* Sleep until an interrupt arrives (wfi with interrupts enabled). */
void arch_wait_for_interrupt(void);

/* Stop this hart forever, interrupts off. */
__attribute__((noreturn)) void arch_halt(void);

/* Leave the machine with an exit code. */
__attribute__((noreturn)) void arch_exit(int code);
void arch_exit_set_semihost(bool on);

/* Counters. */
uint64_t arch_time(void); /* timebase ticks */
uint64_t arch_instret(void);
static inline uint64_t arch_time_now(void) /* tracing is never on here */
{
	return 0;
}

/* Start the periodic timer at hz using the device tree's timebase. */
void arch_timer_start(uint64_t timebase_hz, uint64_t hz);
uint64_t arch_timer_ticks(void);

/* The interrupt controller (the PLIC in arch/riscv/plic.c; test_irq
 * fakes it). */
void arch_irq_init(const platform_t *p);
void arch_irq_init_hart(const platform_t *p);
bool arch_irq_valid(uint32_t src);
void arch_irq_enable(uint32_t src);
void arch_irq_disable(uint32_t src);
uint32_t arch_irq_claim(void);
void arch_irq_complete(uint32_t src);

/* Print a frame-pointer backtrace of the current stack, with symbols. */
void arch_backtrace(void);

/* Look up the symbol containing pc; returns its name and sets *off. */
const char *arch_symbol(uintptr_t pc, uintptr_t *off);

/* Probes for self-tests: E_FAULT if touching va faulted, else 0. */
int arch_probe_load(uintptr_t va);
int arch_probe_store(uintptr_t va);
int arch_probe_exec(uintptr_t va);

/* Kernel address space: build the final Sv39 table and switch to it. */
void arch_vm_init(const platform_t *p);

/* Permissions of the kernel mapping at va: a mask of VM_* bits, 0 if
 * unmapped. */
#define VM_READ		  1u
#define VM_WRITE	  2u
#define VM_EXEC		  4u
#define VM_USER		  8u
#define VM_GLOBAL	  16u
#define VM_ACCESSED_DIRTY 32u /* both A and D set */
#define VM_COW		  64u /* user leaf: copy-on-write (PTE RSW bit 8) */
unsigned arch_kernel_query(uintptr_t va, paddr_t *pa);

/* Kernel image bounds (physical) and section boundaries (virtual). */
typedef struct kernel_layout {
	paddr_t phys_start, phys_end; /* image including bss */
	uintptr_t text_start, text_end;
	uintptr_t rodata_start, rodata_end;
	uintptr_t data_start, data_end; /* data and bss */
} kernel_layout_t;
void arch_kernel_layout(kernel_layout_t *k);

/* Physical address of the kernel's root page table. */
paddr_t arch_kernel_root(void);
int arch_kernel_tables(int (*fn)(void *ctx, paddr_t pa), void *ctx);

/*
 * User page tables (arch/riscv/pt.c, compiled on the host as it is).
 * All addresses page aligned, va < USER_TOP; only 4 KiB leaves.  vm is a
 * mask of VM_READ, VM_WRITE, VM_EXEC, VM_COW.
 */
typedef int (*pt_alloc_fn)(void *ctx, paddr_t *pa);		/* zeroed table page */
typedef void (*pt_free_fn)(void *ctx, paddr_t pa, bool zeroed); /* zeroed: all zero now */
typedef void (*pt_leaf_fn)(void *ctx, paddr_t pa, unsigned vm);

void arch_pt_init_root(paddr_t root);
int arch_pt_tables_needed(paddr_t root, uaddr_t va);
size_t arch_pt_tables_needed_range(paddr_t root, uaddr_t va, size_t npages);
/* True if no page of [va, va + npages pages) is mapped. */
bool arch_pt_range_empty(paddr_t root, uaddr_t va, size_t npages);
int arch_pt_map_range(paddr_t root, uaddr_t va, size_t npages, paddr_t pa, unsigned vm,
		      pt_alloc_fn alloc, void *ctx);
int arch_pt_map(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm, pt_alloc_fn alloc, void *ctx);
unsigned arch_pt_query(paddr_t root, uaddr_t va, paddr_t *pa);
int arch_pt_unmap(paddr_t root, uaddr_t va, paddr_t *old, pt_free_fn free_table, void *ctx,
		  int *freed);
int arch_pt_protect(paddr_t root, uaddr_t va, unsigned vm);
void arch_pt_destroy(paddr_t root, pt_leaf_fn leaf, pt_free_fn free_table, void *ctx);
int arch_pt_remap(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm);
void arch_pt_count(paddr_t root, size_t *tables, size_t *leaves, unsigned copy_mask, size_t *copy);
typedef struct pt_audit {
	int (*table)(void *ctx, paddr_t pa);
	int (*leaf)(void *ctx, uaddr_t va, paddr_t pa, unsigned vm);
	void *ctx;
	size_t tables, leaves;
} pt_audit_t;
int arch_pt_audit(paddr_t root, pt_audit_t *a);
typedef void (*pt_clone_fn)(void *ctx, uaddr_t va, paddr_t pa, unsigned vm, unsigned *src_vm,
			    paddr_t *dst_pa, unsigned *dst_vm);
void arch_pt_clone(paddr_t src, paddr_t dst, pt_alloc_fn alloc, pt_clone_fn decide, void *ctx,
		   bool cow);

/* Copy one 4 KiB page (assembly in arch/riscv/entry.S: tests define it). */
void arch_copy_page(void *dst, const void *src);

/* The kernel's is assembly (entry.S); here it is memset. */
static inline void arch_zero_page(void *dst)
{
	memset(dst, 0, 4096);
}

/* Switch this hart to root.  Inline assembly in the real header: an
 * out-of-line function here, defined by the tests that reach it
 * (kern/aspace.h: aspace_activate, kern/aspace.c: aspace_destroy). */
void arch_aspace_activate(paddr_t root);
void arch_tlb_flush_page(uaddr_t va);
void arch_tlb_flush_all(void);
#define TLB_FLUSH_ALL ((size_t)-1)
void arch_tlb_flush_remote(uint32_t cpu_mask, uaddr_t va, size_t size);

/* Copy n bytes between kernel and a range-checked user address. */
int arch_copy_user(void *dst, const void *src, size_t n);

/* Let user mode read cycle, time and instret. */
void arch_user_counters_enable(void);
