/*
 * The kernel event trace (abi/trace.h): per-hart rings of timestamped
 * events, recorded only while DEBUG_TRACE has started them.
 *
 * A hook costs one load and one branch while tracing is off:
 *
 *	TRACE(TRACE_M_FAULT, TRACE_COW_COPY, va, pa);
 */
#pragma once

#include <abi/trace.h>
#include <stdint.h>

extern uint32_t trace_mask; /* TRACE_M_* classes being recorded; 0: off */

void trace_record(unsigned type, uint64_t a, uint64_t b);

/* scause values the trace reports (RISC-V privileged spec). */
#define TRACE_CAUSE_ECALL_U	     8
#define TRACE_CAUSE_STORE_PAGE_FAULT 15

/* The hart recorded a store fault's entry before learning that it is not
 * copy-on-write: trap_user must not record it again. */
void trace_set_fault_recorded(void);
int trace_take_fault_recorded(void);

#define TRACE(class, type, a, b)                                                                   \
	do {                                                                                       \
		if (__builtin_expect(trace_mask & (class), 0))                                     \
			trace_record((type), (uint64_t)(a), (uint64_t)(b));                        \
	} while (0)

/* Hot paths test trace_mask once (three instructions) and take a traced
 * variant of themselves when it is set. */
#define TRACING() __builtin_expect(trace_mask != 0, 0)

struct sysargs;
/* DEBUG_TRACE: a->arg[2] = TRACE_* operation (abi/trace.h). */
long trace_invoke(struct sysargs *a);
