/*
 * ptest: the POSIX layer's and the process server's tests, run by init as
 * an ordinary program.  A test returns 0 or the result of FAIL(); the
 * runner (main.c) prints "PASS: <name>" or "FAIL: <name>: <why>" and
 * checks around every test that the kernel's free frames and live objects
 * come back to where they were (processes a test leaves behind are
 * reaped by init asynchronously, so the runner waits a while for them).
 */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <abi/bootinfo.h>
#include <posix.h>
#include <sys.h>

#define PAGE 4096UL

int test_fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define FAIL(...) test_fail(__LINE__, __VA_ARGS__)
#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			return FAIL("%s", #c);                                                     \
	} while (0)
#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long ca_ = (long)(a), cb_ = (long)(b);                                             \
		if (ca_ != cb_)                                                                    \
			return FAIL("%s is %ld (%#lx), want %ld", #a, ca_, ca_, cb_);              \
	} while (0)

/* Kernel statistics (DEBUG_STATS). */
unsigned long frames_free(void);
void stats(kstats_t *out);

/* Yield until frames_free() == want (or about two seconds); true if so. */
int settle(unsigned long want);

/* Wait for pid: its wait status, or -1. */
int wait_for(pid_t pid);
/* A wait status of a clean exit (evaluates s once). */
#define EXITED_OK(s) ((s) == 0)

/* Write every page of the data segment (but big_bss) and stack_kib KiB of
 * stack, so that a forked child's later stores there cost no copy (for
 * exact counts). */
void touch_private(unsigned stack_kib);

/* 16 MiB of bss that the runner never touches: whole pages past the data
 * segment's file data, which exec maps to the kernel's zero frame.  Every
 * test child inherits it untouched (zero pages shared copy-on-write). */
#define BIG_BSS_SIZE (16UL << 20)
extern char big_bss[BIG_BSS_SIZE];

/* main.c: the body of "ptest --bss" (exec'd by the bss test): 0 or a
 * failure code, with a line printed. */
int bss_main(void);

/* Busy-wait about ms milliseconds (10 MHz timebase of QEMU virt), yielding. */
void sleep_ms(unsigned long ms);
/* Poll procsrv's table until process pid is in PS_STATE_* state; -1 if it
 * is gone. */
int wait_state(pid_t pid, int state);

/* Fill / check bytes with a pattern derived from seed. */
void pattern_fill(uint8_t *p, size_t n, uint32_t seed);
int pattern_check(const uint8_t *p, size_t n, uint32_t seed);
int all_bytes(const uint8_t *p, size_t n, uint8_t v);

typedef struct test {
	const char *name;
	int (*fn)(void);
} test_t;
