/*
 * The kernel event trace (abi/trace.h): per-hart rings of timestamped
 * events, recorded only while DEBUG_TRACE has started them.
 *
 * A hook costs one load and one branch while tracing is off:
 *
 *	TRACE(TRACE_M_FAULT, TRACE_COW_COPY, va, pa);
 *
 * and, while its class is recorded, about 17 instructions inline
 * (trace_emit): two tests, the time, four stores.
 */
#pragma once

#include <abi/trace.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <stdint.h>

extern uint32_t trace_mask; /* TRACE_M_* classes being recorded; 0: off */

/* One event as the kernel writes it: trace_event_t with its type, hart and
 * tid in one word (tag). */
struct trace_slot {
	uint64_t time, tag, a, b;
};

/* Not cur_thread's tag, nor anything else (trace_tagged). */
#define TRACE_UNTAGGED ((const void *)1)

/* The event does not fit [trace_next, trace_stop) or the tag is not the
 * running thread's: kern/trace.c. */
void trace_emit_slow(unsigned type, uint64_t a, uint64_t b);

static inline __attribute__((always_inline)) void trace_emit(unsigned type, uint64_t a, uint64_t b)
{
	cpu_t *c = this_cpu();
	struct trace_slot *e = c->trace_next;

	if (__builtin_expect(e == c->trace_stop || c->cur_thread != c->trace_tagged, 0)) {
		trace_emit_slow(type, a, b);
		return;
	}
	e->time = arch_time_now();
	e->tag = c->trace_tag | type;
	e->a = a;
	e->b = b;
	c->trace_next = e + 1;
}

#define TRACE(class, type, a, b)                                                                   \
	do {                                                                                       \
		if (__builtin_expect(trace_mask & (class), 0))                                     \
			trace_emit((type), (uint64_t)(a), (uint64_t)(b));                          \
	} while (0)

/* Hot paths test trace_mask once (three instructions) and take a traced
 * variant of themselves when it is set. */
#define TRACING() __builtin_expect(trace_mask != 0, 0)

/* Thread t (id: its id; NULL, 0: none) runs on hart c from now on: its
 * events carry its id without trace_emit_slow's help. */
static inline void trace_retag(cpu_t *c, const void *t, uint64_t id)
{
	c->trace_tag = (uint64_t)(uint32_t)id << 32 | (uint64_t)c->index << 16;
	c->trace_tagged = t;
}

/* While tracing: hart c switches from thread id `from` (0: none) to
 * thread t (id): the switch (TRACE_M_SWITCH, under from's tag), and t's
 * tag from now on.  The caller makes t current next. */
static inline void trace_switch(cpu_t *c, const void *t, uint64_t id, uint64_t from)
{
	TRACE(TRACE_M_SWITCH, TRACE_SWITCH, id, from);
	trace_retag(c, t, id);
}

/* Thread t is being destroyed: no hart may keep its tag (another thread
 * may be made at its address). */
void trace_thread_gone(const void *t);

/* scause values the trace reports (RISC-V privileged spec). */
#define TRACE_CAUSE_ECALL_U	     8
#define TRACE_CAUSE_STORE_PAGE_FAULT 15

/* The hart recorded a store fault's entry before learning that it is not
 * copy-on-write: trap_user must not record it again. */
void trace_set_fault_recorded(void);
int trace_take_fault_recorded(void);

struct sysargs;
/* DEBUG_TRACE: a->arg[2] = TRACE_* operation (abi/trace.h). */
long trace_invoke(struct sysargs *a);
