/*
 * What the arch trap code calls in kern/ for traps from user mode.
 * arch/riscv/trap.c only classifies the trap; kern/ decides.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <arch/trap.h>

/* A timer tick arrived (time slice accounting, preemption). */
void kern_timer_tick(void);

/* A supervisor external interrupt arrived (from user mode or the idle
 * wfi): claim it from the interrupt controller and deliver it. */
void kern_irq_external(void);

/* The running thread executed ecall: dispatch the system call.  Returns
 * kern_resume_current(): true if the caller runs on. */
bool kern_syscall(trapframe_t *tf);

/* The running thread took a fault of kind FAULT_* (abi/syscall.h) with
 * access VM_READ/VM_WRITE/VM_EXEC (0 if none) at addr. */
void kern_user_fault(trapframe_t *tf, unsigned kind, unsigned access, uint64_t addr);

/* A store page fault of the running thread at addr: true if it was a
 * copy-on-write leaf, now resolved (resume the thread); false otherwise
 * (kern_user_fault then handles it). */
bool kern_cow_fault(uint64_t addr);

/* A kernel store inside copyout faulted at user address addr: resolve a
 * copy-on-write leaf of the current thread.  True if the store can be
 * retried, false if copyout must fail with E_FAULT. */
bool kern_uaccess_fault(uint64_t addr, unsigned access);

/* True if the thread that trapped is still the one to run (the trap
 * returns straight to it); false: call kern_return_to_user.  The first
 * for one hart, the second in SMP mode (it also wakes idle harts for the
 * runnable threads this hart leaves, but one after a system call:
 * smp_wake_idle). */
bool kern_resume_current(void);
bool kern_resume_current_smp(void);

/* Pick the thread to run on this hart and enter user mode; idles in wfi
 * while nothing is runnable. */
__attribute__((noreturn)) void kern_return_to_user(void);
