/*
 * Multiprocessor support (docs/ARCHITECTURE.md, "SMP"): the big kernel
 * lock, taking a thread off another hart, waking idle harts, and the
 * switch that sends every trap down the slow paths.
 *
 * With one hart running threads, none of this costs anything on the fast
 * paths: each tests one byte that it tested before for tracing (three
 * instructions), and kern_smp is set only when more than one hart
 * schedules threads.  Then every trap from user mode takes the slow path,
 * which holds the big kernel lock from entry to the return to user mode
 * (or to the idle wfi).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <arch/cpu.h>

struct thread;

/* Set once at boot, never cleared: harts share the kernel. */
extern uint8_t kern_smp;
/* What sends the fast paths down their slow variants (kern/trace.c and
 * smp_begin keep them): kern_slow_syscall, SMP mode or a trace class that
 * system calls record (trap, ipc, switch); kern_slow_fault, SMP mode or
 * a class that store faults record (trap, fault). */
extern uint8_t kern_slow_syscall, kern_slow_fault;
void kern_slow_update(uint32_t trace_mask);

static inline bool smp_on(void)
{
	return __builtin_expect(kern_smp != 0, 0);
}

/* Bit i: hart index i, in hart masks (a thread's affinity, where 0 means
 * any hart; an address space's cpus). */
#define CPU_BIT(i) (1u << (i))

/* The big kernel lock (a ticket lock), used only in SMP mode: callers
 * test smp_on() first.  big_lock waits with interrupts off, spinning, then
 * sleeping in wfi; while it waits it answers smp_evict requests for its
 * hart. */
void big_lock(void);
void big_unlock(void);

/*
 * Make t, current on another hart, current nowhere: that hart saves its
 * registers (it traps, or it is already waiting for the lock), drops it
 * and switches to the kernel's page table; t stays in the run queue.
 * Returns when that is done.  The caller holds the big lock; for a
 * thread current nowhere or here it does nothing.
 */
void smp_evict_remote(struct thread *t);
static inline void smp_evict(struct thread *t)
{
	if (smp_on())
		smp_evict_remote(t);
}

/*
 * Before the big lock is let go: interrupt an idle hart for each runnable
 * thread that is current nowhere and may run there (its affinity), one
 * IPI per idle hart.  sched_wake only queues: this is the one place that
 * wakes harts, after this hart chose what it runs.
 *
 * keep_one (after a system call: cpu_t.smp_keep): the first runnable
 * thread that this hart may run is left to it, for when its thread
 * blocks, and no hart is woken for it.  A thread a system call made
 * runnable is almost always the other half of an IPC exchange with the
 * caller, which is about to block; moving it costs an IPI and, with one
 * big lock, buys nothing.  After an interrupt or a fault (a thread
 * preempted, a driver woken) every waiting thread gets a hart: so a
 * thread kept waits at most until this hart's next timer tick.
 */
void smp_wake_idle(bool keep_one);

/* This hart waits for work (big lock released, wfi, taken again). */
void smp_idle(void);

/* Called at boot by kmain when nharts > 1 harts can run threads. */
void smp_begin(unsigned nharts);

/* Bit i set: hart index i is in smp_idle. */
extern uint32_t smp_idle_mask;

/* Harts scheduling threads; evictions done and wake-up IPIs sent (kstats). */
extern unsigned smp_harts;
extern unsigned long smp_evictions, smp_ipis, smp_lock_wakeups;
