/*
 * Per-hart state.  Each hart's tp register points at its cpu_t while it runs
 * in the kernel; while it runs user code, sscratch does (entry.S swaps them).
 * this_cpu() is the one accessor (STYLE.md item 12).
 */
#pragma once

/* Offsets used by entry.S; checked against the struct in cpu.c. */
#define CPU_FIXUP_PC   8
#define CPU_CUR_TF     16
#define CPU_KSTACK_TOP 24
#define CPU_USER_SP    32

#ifndef __ASSEMBLY__
#include <stdint.h>

struct trapframe;
struct thread;
struct aspace;

typedef struct cpu {
	uint32_t hartid;	  /* from the device tree / SBI */
	uint32_t index;		  /* dense 0..ncpus-1 */
	uintptr_t fixup_pc;	  /* where a kernel fault inside a probe resumes, 0 = none */
	struct trapframe *cur_tf; /* the running thread's saved user registers */
	uintptr_t kstack_top;	  /* kernel stack for traps from user mode */
	uintptr_t user_sp;	  /* scratch for entry.S */
	uintptr_t stack_lo;	  /* bounds of this hart's kernel stack, for backtraces */
	uintptr_t stack_hi;
	uint64_t ticks;		   /* timer interrupts taken */
	uint64_t tick_interval;	   /* timebase ticks between timer interrupts */
	uint64_t next_tick;	   /* absolute rdtime value of the next deadline */
	void *sched;		   /* kern/sched.c's per-hart state */
	int32_t plic_ctx;	   /* this hart's S-mode PLIC context, -1 if none */
	struct thread *cur_thread; /* whose registers are in cur_tf (kern/sched.h) */
	struct aspace *cur_aspace; /* the address space in satp (kern/aspace.h) */
	uint32_t online;	   /* a secondary hart: it reached its idle loop */
	uint64_t ipis;		   /* IPIs this hart has taken */
	uint32_t evict;		   /* set by the big lock's holder: drop cur_thread (kern/smp.c) */
	uint32_t lock_sleep;	   /* in wfi waiting for the big lock ... */
	uint32_t lock_ticket;	   /* ... to serve this ticket */
	uint32_t smp_keep;	   /* this kernel entry is a system call (smp_wake_idle) */
	uint32_t spurious_repeats; /* aspace_fault_spurious: same fault again */
	uint64_t spurious_va, spurious_pc;
	uint32_t spurious_gen;
	/* The event trace (kern/trace.c): where this hart's next event goes,
	 * where the stretch of its ring it may write without a check ends,
	 * and the hart and thread id its events carry while trace_tagged is
	 * cur_thread. */
	struct trace_slot *trace_next, *trace_stop;
	uint64_t trace_tag;
	const void *trace_tagged;
} cpu_t;

#define MAX_CPUS 8

static inline cpu_t *this_cpu(void)
{
	cpu_t *c;
	__asm__("mv %0, tp" : "=r"(c));
	return c;
}

/* Set up the boot hart's cpu_t and point tp at it. */
void cpu_init_boot(uint32_t hartid, uintptr_t stack_lo, uintptr_t stack_hi);

/* cpus[index], or NULL past MAX_CPUS. */
cpu_t *cpu_get(unsigned index);
/* Fill a secondary hart's cpu_t before it starts; cpu_enter points tp at
 * it on that hart. */
void cpu_prepare(unsigned index, uint32_t hartid, uintptr_t stack_lo, uintptr_t stack_hi);
void cpu_enter(cpu_t *c);
/* arch_ncpus() from now on: harts running the kernel. */
void cpu_set_count(unsigned n);
#endif
