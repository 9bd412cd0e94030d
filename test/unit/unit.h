/*
 * A tiny host unit-test framework.
 *
 * Each test binary runs its cases with RUN(fn) and prints one line per case:
 * "PASS: <binary>/<case>" or "FAIL: <binary>/<case>: file:line: expr".
 * test/run.sh counts those lines for the summary.  CHECK stops the current
 * case at the first failure; the binary exits non-zero if any case failed.
 * Binaries are built with -fsanitize=address,undefined, so an out-of-bounds
 * read in the code under test aborts the binary (and fails the run).
 */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

extern const char *unit_binary;
extern const char *unit_case; /* test/unit/kern_stubs.c, where linked */
static int unit_failed_case;  /* set by CHECK in the running case */
static int unit_failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);        \
			unit_failed_case = 1;                                                      \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);                      \
		if (unit_a_ != unit_b_) {                                                          \
			printf("    %s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld\n", __FILE__,     \
			       __LINE__, #a, #b, unit_a_, unit_b_);                                \
			unit_failed_case = 1;                                                      \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		unit_failed_case = 0;                                                              \
		fn();                                                                              \
		printf("%s: %s/%s\n", unit_failed_case ? "FAIL" : "PASS", unit_binary, #fn);       \
		unit_failures += unit_failed_case;                                                 \
		fflush(stdout);                                                                    \
	} while (0)

#define UNIT_MAIN(name) const char *unit_binary = name

#define UNIT_EXIT() return unit_failures ? 1 : 0
