/*
 * pbench: process benchmarks under the process server (`make bench`).
 *
 * Each row counts the instructions, on the one hart, of everything an
 * operation takes: the caller, the process server and the child.  Under
 * -icount shift=0 the counts repeat exactly.  Prints "BENCH: name value
 * instructions" lines; tools/bench.sh collects them.  docs/BENCHMARKS.md
 * says what each row measures.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <posix.h>
#include <sys.h>

#define MAX_SAMPLES 51

static uint64_t samples[MAX_SAMPLES];

static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static uint64_t median(int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
			uint64_t t = samples[j];
			samples[j] = samples[j - 1];
			samples[j - 1] = t;
		}
	return samples[n / 2];
}

/* fork (or forkcopy) + the child's _exit + waitpid, n times. */
static uint64_t fork_exit_wait(int n, int eager)
{
	for (int i = 0; i < n; i++) {
		int status;
		uint64_t t0 = instret();
		pid_t pid = eager ? forkcopy() : fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid) {
			printf("pbench: fork failed\n");
			exit(1);
		}
		samples[i] = instret() - t0;
	}
	return median(n);
}

/* fork + execv of a program that exits at once + waitpid. */
static uint64_t fork_exec_wait(int n)
{
	char *argv[] = {"ptrue", NULL};
	for (int i = 0; i < n; i++) {
		int status;
		uint64_t t0 = instret();
		pid_t pid = fork();
		if (pid == 0) {
			execv("ptrue", argv);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) {
			printf("pbench: exec failed\n");
			exit(1);
		}
		samples[i] = instret() - t0;
	}
	return median(n);
}

/* Grow the heap to total bytes and touch every page. */
static void heap_to(size_t total)
{
	static size_t have;
	char *p = sbrk((intptr_t)(total - have));
	if (p == (char *)-1) {
		printf("pbench: sbrk failed\n");
		exit(1);
	}
	for (size_t off = 0; off < total - have; off += 4096)
		p[off] = 1;
	have = total;
}

static void row(const char *name, uint64_t v)
{
	printf("BENCH: %s %lu instructions\n", name, (unsigned long)v);
}

/* sbrk(64 MiB) never touched: the pages are the zero frame, so the call
 * costs page tables only.  Its instructions, and the frames charged to
 * this process's pool by it (procinfo before and after). */
static void sbrk_untouched(void)
{
	procinfo_t a, b;

	procinfo(0, &a);
	uint64_t t0 = instret();
	char *p = sbrk(64 << 20);
	uint64_t t = instret() - t0;
	procinfo(0, &b);
	if (p == (char *)-1) {
		printf("pbench: sbrk failed\n");
		exit(1);
	}
	row("sbrk_64m_untouched", t);
	printf("BENCH: sbrk_64m_untouched_frames %lu frames\n", b.used - a.used);
	sbrk(-(64 << 20));
}

/* spawn_10_same: the frames charged to ten running instances of one
 * program (ptest --sleep, which stamps its data and yields): its text and
 * read-only data are the initrd's frames, shared, so only each
 * instance's own pages count. */
static void spawn_10_same(void)
{
	static char *argv[] = {"ptest", "--sleep", NULL};
	pid_t pid[10];
	unsigned long total = 0;

	for (int i = 0; i < 10; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			execv("ptest", argv);
			_exit(255);
		}
	}
	for (int i = 0; i < 10; i++) {
		procinfo_t pi = {0};
		for (int k = 0; k < 10000 && pi.execs == 0; k++) {
			procinfo(pid[i], &pi);
			sys_yield();
		}
	}
	for (int k = 0; k < 200; k++)
		sys_yield();
	for (int i = 0; i < 10; i++) {
		procinfo_t pi = {0};
		procinfo(pid[i], &pi);
		total += pi.used;
	}
	for (int i = 0; i < 10; i++) {
		int st;
		kill(pid[i], SIGKILL);
		waitpid(pid[i], &st, 0);
	}
	printf("BENCH: spawn_10_same %lu frames\n", total);
}

int main(int argc, char **argv)
{
	if (argc > 1) { /* "pbench:N": only an N MiB fork row, for profiling */
		heap_to((size_t)atoi(argv[1]) << 20);
		row("fork_exit_wait_N", fork_exit_wait(5, 0));
		return 0;
	}
	uint64_t base = fork_exit_wait(51, 0);
	row("fork_exit_wait_0k", base);
	row("exec_hello", fork_exec_wait(21) - base);
	spawn_10_same();
	heap_to(1 << 20);
	row("fork_exit_wait_1m", fork_exit_wait(21, 0));
	heap_to(8 << 20);
	row("fork_exit_wait_8m", fork_exit_wait(11, 0));
	row("fork_eager_exit_wait_8m", fork_exit_wait(5, 1));
	heap_to(64 << 20);
	row("fork_exit_wait_64m", fork_exit_wait(5, 0));
	sbrk_untouched(); /* last: heap_to() keeps its own count of the break */
	return 0;
}
