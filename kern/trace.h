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

#define TRACE(class, type, a, b)                                                                   \
	do {                                                                                       \
		if (__builtin_expect(trace_mask & (class), 0))                                     \
			trace_record((type), (uint64_t)(a), (uint64_t)(b));                        \
	} while (0)

struct sysargs;
/* DEBUG_TRACE: a->arg[2] = TRACE_* operation (abi/trace.h). */
long trace_invoke(struct sysargs *a);
