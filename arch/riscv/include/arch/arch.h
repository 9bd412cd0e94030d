/*
 * The interface between kern/ and the hardware.  kern/ code includes this
 * header (and vm.h, cpu.h) and never touches a CSR, a PTE or an instruction
 * directly.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
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

/* Harts running the kernel, with this_cpu()->index 0 .. arch_ncpus()-1. */
unsigned arch_ncpus(void);

/*
 * Secondary harts (arch/riscv/smp.c): start every usable hart but the boot
 * hart through SBI HSM; they wait in wfi for IPIs and run no threads yet.
 * Returns the harts online, the boot hart included (cpu indexes 0 ..
 * n-1).  arch_send_ipi interrupts hart index (0 or -1); arch_ipis_taken
 * counts what a secondary hart has taken.
 */
unsigned smp_start(const platform_t *p, uint32_t boot_hart, uint64_t timebase_hz);
unsigned arch_harts_online(void);
/* More than one hart online and the SBI has what SMP mode needs (IPI,
 * RFENCE). */
bool arch_smp_capable(void);
/* An idle hart (big lock released) waits in wfi, taking timer ticks
 * itself, until an IPI or a device interrupt is pending. */
void arch_idle_wait(void);
/* wfi (interrupts stay off: returns when one is pending); forget a
 * pending IPI; take pending interrupts (trap_kernel) and turn them off. */
void arch_wfi(void);
void arch_ipi_clear(void);
void arch_intr_window(void);
/* Secondary harts start their timers and enter kern_secondary_main. */
void smp_release(uint64_t timebase_hz, uint64_t tick_hz);
__attribute__((noreturn)) void kern_secondary_main(void);
int arch_send_ipi(unsigned index);
uint64_t arch_ipis_taken(unsigned index);

/* Counters. */
uint64_t arch_time(void); /* timebase ticks */
uint64_t arch_instret(void);
/* arch_time, inline (one instruction): for the event trace. */
static inline uint64_t arch_time_now(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Start the periodic timer at hz using the device tree's timebase. */
void arch_timer_start(uint64_t timebase_hz, uint64_t hz);
uint64_t arch_timer_ticks(void);
uint64_t arch_timer_deadline(void); /* rdtime value of this hart's next tick */

/*
 * The interrupt controller (PLIC, arch/riscv/plic.c).  Sources are
 * numbered from 1 as in the device tree; only enabled sources interrupt,
 * and only this hart's S-mode context is used.  kern/irq.c decides.
 */
/* Every source off; then arch_irq_init_hart for this hart. */
void arch_irq_init(const platform_t *p);
/* This hart's S-mode context: threshold 0, nothing enabled, SIE.SEIE on
 * (if the hart has one). */
void arch_irq_init_hart(const platform_t *p);
/* True if src exists and this hart has a context to route it to. */
bool arch_irq_valid(uint32_t src);
/* Let a valid src interrupt this hart (priority 1, enable bit) / stop it
 * (enable bit clear, priority 0; no-op for an invalid src). */
void arch_irq_enable(uint32_t src);
void arch_irq_disable(uint32_t src);
/* Claim this hart's highest pending interrupt: its source, or 0 if none.
 * The source stays masked until arch_irq_complete. */
uint32_t arch_irq_claim(void);
/* Complete a claimed source so it can interrupt again.  The PLIC ignores
 * the completion of a source not enabled here: complete, then disable. */
void arch_irq_complete(uint32_t src);

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

/* Call fn(ctx, pa) for the kernel's root table and every table page below
 * its valid upper-half entries (boot-time tables, the image's tables in
 * .bss, the MMIO window's); stops at the first non-zero return. */
int arch_kernel_tables(int (*fn)(void *ctx, paddr_t pa), void *ctx);

/*
 * User page tables.  All addresses page aligned, va < USER_TOP; only 4 KiB
 * leaves.  vm is a mask of VM_READ, VM_WRITE, VM_EXEC, VM_COW.
 */
typedef int (*pt_alloc_fn)(void *ctx, paddr_t *pa);		/* zeroed table page */
typedef void (*pt_free_fn)(void *ctx, paddr_t pa, bool zeroed); /* zeroed: all zero now */
typedef void (*pt_leaf_fn)(void *ctx, paddr_t pa, unsigned vm);

/* Make the zeroed page root a fresh root: empty user half, kernel half
 * shared with the kernel. */
void arch_pt_init_root(paddr_t root);
/* How many interior tables arch_pt_map would allocate for va (0..2). */
int arch_pt_tables_needed(paddr_t root, uaddr_t va);
/* Map the one frame pa at npages pages from va (all unmapped; the caller
 * checked), with tables from alloc: one walk per level-0 table. */
int arch_pt_map_range(paddr_t root, uaddr_t va, size_t npages, paddr_t pa, unsigned vm,
		      pt_alloc_fn alloc, void *ctx);
/* Interior tables arch_pt_map would allocate for npages pages from va. */
size_t arch_pt_tables_needed_range(paddr_t root, uaddr_t va, size_t npages);
/* True if no page of [va, va + npages pages) is mapped. */
bool arch_pt_range_empty(paddr_t root, uaddr_t va, size_t npages);
/* Map pa at va; E_EXISTS if mapped, or alloc's error. */
int arch_pt_map(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm, pt_alloc_fn alloc, void *ctx);
/* VM_* of the leaf at va (with VM_USER), 0 if unmapped; sets *pa. */
unsigned arch_pt_query(paddr_t root, uaddr_t va, paddr_t *pa);
/* Clear the leaf at va and return its frame; E_NOENT if unmapped.  A
 * level-0 table left empty goes back through free_table, and so does the
 * level-1 table above it if that empties too; *freed counts them.  The
 * caller fences the TLB before dropping the frame: the whole TLB when a
 * table was freed (a fence for one address does not cover the interior
 * entries a hart may have cached). */
int arch_pt_unmap(paddr_t root, uaddr_t va, paddr_t *old, pt_free_fn free_table, void *ctx,
		  int *freed);
/* Change the permissions of the leaf at va; E_NOENT if unmapped. */
int arch_pt_protect(paddr_t root, uaddr_t va, unsigned vm);
/* Drop every user leaf and free every user table page with free_table()
 * (not the root); a sparse table is cleared back to all zero first and
 * freed with zeroed set.  Leaves the root all zero, the kernel's entries
 * that arch_pt_init_root copied cleared too: the caller frees it as a
 * known-zero frame.  A leaf whose frame keeps other references loses one
 * inline (frame_unref_shared_fast); the rest go to leaf(). */
void arch_pt_destroy(paddr_t root, pt_leaf_fn leaf, pt_free_fn free_table, void *ctx);
/* Replace the existing leaf at va by (pa, vm); E_NOENT if unmapped.  The
 * caller fences the TLB before dropping the old frame. */
int arch_pt_remap(paddr_t root, uaddr_t va, paddr_t pa, unsigned vm);

/*
 * Audit the user half of root for kern/audit.c, reading every entry of
 * every table (not only the groups the occupancy summaries name):
 * table(ctx, pa) for each interior table page, leaf(ctx, va, pa, vm) for
 * each valid leaf; either stops the walk with its non-zero return.  Also
 * checks, returning E_CORRUPT with a message: the kernel half of root
 * equals the kernel's, no interior entry of the user half is a leaf
 * (4 KiB pages only), every leaf has U, no leaf is both W and COW, and the
 * occupancy summary of every table covers its valid entries.  Counts the
 * tables and leaves found in *tables and *leaves.
 */
typedef struct pt_audit {
	int (*table)(void *ctx, paddr_t pa);
	int (*leaf)(void *ctx, uaddr_t va, paddr_t pa, unsigned vm);
	void *ctx;
	size_t tables, leaves;
} pt_audit_t;
int arch_pt_audit(paddr_t root, pt_audit_t *a);

/* Page-table pages and leaves of the user half; with copy != NULL also
 * the leaves whose vm has any bit of copy_mask. */
void arch_pt_count(paddr_t root, size_t *tables, size_t *leaves, unsigned copy_mask, size_t *copy);

/*
 * Clone the user half of src into the empty user half of dst: every
 * interior table is copied (from alloc), and for every leaf (pa, vm)
 * decide(ctx, va, pa, vm, &src_vm, &dst_pa, &dst_vm) says what the source
 * leaf becomes and what the destination gets.  With cow, RAM leaves take
 * the copy-on-write rule inline instead (writable -> read-only + COW in
 * both, one more frame reference).  The caller fences src.
 */
typedef void (*pt_clone_fn)(void *ctx, uaddr_t va, paddr_t pa, unsigned vm, unsigned *src_vm,
			    paddr_t *dst_pa, unsigned *dst_vm);
void arch_pt_clone(paddr_t src, paddr_t dst, pt_alloc_fn alloc, pt_clone_fn decide, void *ctx,
		   bool cow);

/* Copy one 4 KiB page (both addresses page aligned), word by word. */
void arch_copy_page(void *dst, const void *src);

/* Zero one 4 KiB page (page aligned): every new frame goes through it. */
void arch_zero_page(void *dst);

/* Switch this hart to root (fences the whole TLB: no ASIDs yet). */
static inline void arch_aspace_activate(paddr_t root)
{
	uint64_t satp = (8UL << 60) | (root >> PAGE_SHIFT); /* Sv39 */
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" ::"r"(satp) : "memory");
}
static inline void arch_tlb_flush_page(uaddr_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}
void arch_tlb_flush_all(void);
/* Fence [va, va + size) (size TLB_FLUSH_ALL: everything) on the harts in
 * cpu_mask (bit i: hart index i); returns when they have (SBI RFENCE). */
#define TLB_FLUSH_ALL ((size_t)-1)
void arch_tlb_flush_remote(uint32_t cpu_mask, uaddr_t va, size_t size);

/* Copy n bytes between kernel and a range-checked user address with
 * sstatus.SUM set only for the copy; E_FAULT if it faults. */
int arch_copy_user(void *dst, const void *src, size_t n);

/* Let user mode read cycle, time and instret. */
void arch_user_counters_enable(void);
