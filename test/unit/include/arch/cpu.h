/*
 * The host unit tests' stand-in for arch/riscv/include/arch/cpu.h: one
 * "hart", whose per-hart fields the kernel code under test reads and
 * writes through this_cpu().
 */
#pragma once

#include <stdint.h>

struct thread;
struct aspace;

typedef struct cpu {
	uint32_t index;
	struct thread *cur_thread; /* kern/sched.h */
	struct aspace *cur_aspace; /* kern/aspace.h */
	uint32_t spurious_repeats; /* kern/aspace.c: aspace_fault_spurious */
	uint64_t spurious_va, spurious_pc;
	uint32_t spurious_gen;
	struct trace_slot *trace_next, *trace_stop; /* kern/trace.h */
	uint64_t trace_tag;
	const void *trace_tagged;
} cpu_t;

#define MAX_CPUS 1

extern cpu_t unit_cpu; /* test/unit/fake_ram.c: one for every file */

static inline cpu_t *this_cpu(void)
{
	return &unit_cpu;
}
