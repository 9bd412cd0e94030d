/*
 * panic() and kprintf() for the host unit tests that run kernel object
 * code (test_cspace, test_aspace).  No case there expects a panic: one is
 * a broken kernel invariant (or a user mistake reaching an assert), and the
 * code's static state may be inconsistent afterwards, so the binary stops
 * and names the case it was in (unit_case, set by the test).  test_frame
 * has its own panic() that returns into the cases expecting one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Not unit.h: its static counters would be unused here. */
extern const char *unit_binary;
const char *unit_case = "?";

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("    panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	printf("FAIL: %s/%s: unexpected panic\n", unit_binary, unit_case);
	fflush(stdout);
	exit(1);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("    kprintf: ");
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
