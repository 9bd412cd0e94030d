/*
 * Allocation-failure injection (DEBUG kernels only): DEBUG_FAILNTH makes
 * the Nth frame or object allocation from then on fail as if RAM were
 * out.  See kern/inject.c.  In release builds every hook below is an
 * inline constant, so the allocation paths compile to what they were.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <abi/error.h>

typedef struct thread thread_t;
typedef struct sysargs sysargs_t;

#if defined(DEBUG) && !defined(HOST_TEST)

/* May n more frames be had?  (A decode-time check; takes nothing.)  False
 * when the injector is armed for the running thread and fewer than n
 * allocations are left before the failing one: counted as a failure. */
bool inject_allow(size_t n);

/* One frame is being allocated: false if this is the failing one. */
bool inject_take(void);

/* t is being destroyed: an injector aimed at it disarms. */
void inject_thread_gone(thread_t *t);

/* DEBUG_FAILNTH (docs/SYSCALLS.md). */
long inject_invoke(sysargs_t *a);

#else

static inline bool inject_allow(size_t n)
{
	return true;
}

static inline bool inject_take(void)
{
	return true;
}

static inline void inject_thread_gone(thread_t *t)
{
}

static inline long inject_invoke(sysargs_t *a)
{
	return E_NOSYS; /* release kernels have no injector */
}

#endif
