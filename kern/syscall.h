/*
 * System-call plumbing shared by the invocation handlers.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <kern/thread.h>

struct sysargs {
	thread_t *self;	 /* the calling thread */
	uint64_t arg[7]; /* a0 .. a6 as passed */
	uint64_t out[6]; /* a1 .. a6 to return (zero unless set) */
};

/* Finish the system call a blocked thread is in: a0 = r0, a1..a6 = out
 * (out may be NULL: zeros).  The only writer of result registers besides
 * the dispatcher itself. */
void syscall_complete(thread_t *t, long r0, const uint64_t out[6]);

/* The general system-call path for the current thread (all but
 * SYS_NULL); returns kern_resume_current(). */
bool syscall_dispatch(trapframe_t *tf, uint64_t no);
/* The same, recording the trap's exit when the caller runs on (tracing). */
bool syscall_dispatch_traced(trapframe_t *tf, uint64_t no);

/* Dispatch SYS_INVOKE on the caller's capability (kern/invoke.c). */
long invoke(sysargs_t *a);
/* SYS_BATCH: invoke for each invocation of the caller's array. */
long invoke_batch(sysargs_t *a);

/* Counters for DEBUG_STATS. */
unsigned long syscall_count(void);
