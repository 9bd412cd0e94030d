/*
 * Kernel assertions and panic.  assert() checks kernel invariants (never
 * user input: user mistakes return error codes).  It is on in DEBUG builds.
 */
#pragma once

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#ifdef DEBUG
#define assert(cond)                                                                               \
	do {                                                                                       \
		if (!(cond))                                                                       \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__);         \
	} while (0)
#else
#define assert(cond) ((void)sizeof(cond)) /* uses the operands, evaluates nothing */
#endif
