/*
 * pbench: process benchmarks under the process server (`make bench`).
 *
 * Each row counts the instructions, on the one hart, of everything an
 * operation takes: the caller, the process server and the child.  Under
 * -icount shift=0 the counts repeat exactly.  Prints "BENCH: name value
 * instructions" lines; tools/bench.sh collects them.  docs/BENCHMARKS.md
 * says what each row measures.
 *
 * "pbench parallel N ROUNDS RUNS" is the other mode: a throughput, timed
 * with rdtime, of N processes forking at once (parallel() below), for a
 * boot with several harts and no -icount.  Its rows are not deterministic.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <abi/bootinfo.h>
#include <abi/trace.h>
#include <posix.h>
#include <sys.h>

#define MAX_SAMPLES  51
#define PARALLEL_MAX 16 /* workers of parallel() */

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

/* One fork (or forkcopy) + the child's _exit + waitpid: its count. */
static uint64_t one_fork_exit_wait(int eager)
{
	int status;
	uint64_t t0 = instret();
	pid_t pid = eager ? forkcopy() : fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("pbench: fork failed\n");
		exit(1);
	}
	return instret() - t0;
}

/* The median of n. */
static uint64_t fork_exit_wait(int n, int eager)
{
	for (int i = 0; i < n; i++)
		samples[i] = one_fork_exit_wait(eager);
	return median(n);
}

/*
 * fork + exit + wait with the kernel's event trace recording mask: each
 * sample starts the trace with empty rings and reads them out after the
 * sample, outside the count.  The rings are allocated by the first start
 * and freed at the end.
 */
static uint64_t traced_events; /* events recorded in the last sample */

static uint64_t fork_exit_wait_traced(int n, unsigned long mask)
{
	/* Small: the eager-fork rows copy every page of pbench's data. */
	static trace_event_t ev[16];
	long got;

	for (int i = 0; i < n; i++) {
		if (sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_START, mask, 0, 0, 0).r0 < 0) {
			printf("pbench: cannot start the trace\n");
			exit(1);
		}
		samples[i] = one_fork_exit_wait(0);
		sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_STOP, 0, 0, 0, 0);
		traced_events = 0;
		while ((got = sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_READ, (unsigned long)ev, 16,
					 0, 0)
				  .r0) > 0)
			for (long k = 0; k < got; k++)
				traced_events += ev[k].type != TRACE_LOST;
	}
	sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_FREE, 0, 0, 0, 0);
	return median(n);
}

/*
 * The window of `make profile` (tools/iprof.sh): QEMU logs every
 * instruction, and the profile counts those between the two calls of
 * profile_mark around one sample.  Not inlined: its address is the mark.
 */
static __attribute__((noinline)) void profile_mark(void)
{
	__asm__ volatile("" ::: "memory");
}

/* One fork + exit + wait (or, if exec, fork + exec + wait), traced with
 * mask (0: not traced) as fork_exit_wait_traced does, between profile
 * marks if mark. */
static uint64_t one_fork_exec_wait(void);

static uint64_t profile_sample(int exec, unsigned long mask, int mark)
{
	static trace_event_t ev[16];
	uint64_t n;

	if (mask && sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_START, mask, 0, 0, 0).r0 < 0) {
		printf("pbench: cannot start the trace\n");
		exit(1);
	}
	if (mark)
		profile_mark();
	n = exec ? one_fork_exec_wait() : one_fork_exit_wait(0);
	if (mark)
		profile_mark();
	if (mask) {
		sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_STOP, 0, 0, 0, 0);
		while (sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_READ, (unsigned long)ev, 16, 0, 0)
			   .r0 > 0)
			;
	}
	return n;
}

/* fork + execv of a program that exits at once + waitpid. */
static uint64_t one_fork_exec_wait(void)
{
	char *argv[] = {"ptrue", NULL};
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
	return instret() - t0;
}

static uint64_t fork_exec_wait(int n)
{
	for (int i = 0; i < n; i++)
		samples[i] = one_fork_exec_wait();
	return median(n);
}

static char *heap; /* the start of the pages heap_to() grew */
static size_t heap_have;

/* Grow the heap to total bytes and touch every page, so that each is
 * mapped and private before the next fork. */
static void heap_to(size_t total)
{
	char *p = sbrk((intptr_t)(total - heap_have));
	if (p == (char *)-1) {
		printf("pbench: sbrk failed\n");
		exit(1);
	}
	if (heap == NULL)
		heap = p;
	for (size_t off = 0; off < total - heap_have; off += 4096)
		p[off] = 1;
	heap_have = total;
}

/*
 * After fork(), the parent's first store to each of pages heap pages
 * while the child, blocked, still shares them: pages copy-on-write
 * copies.  The child waits on its notification, which nothing signals
 * (it has no children), until kill() ends it.
 */
static uint64_t cow_writes(int n, size_t pages)
{
	if (pages * 4096 > heap_have) {
		printf("pbench: heap too small for %lu pages\n", (unsigned long)pages);
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();
		if (pid == 0)
			for (;;)
				sys_wait(PSLOT_NTFN);
		if (pid < 0) {
			printf("pbench: fork failed\n");
			exit(1);
		}
		sys_yield(); /* the child runs until it blocks */
		volatile char *p = heap;
		uint64_t t0 = instret();
		for (size_t k = 0; k < pages; k++)
			p[k * 4096] = 2;
		samples[i] = instret() - t0;
		if (kill(pid, SIGKILL) != 0 || waitpid(pid, &status, 0) != pid) {
			printf("pbench: kill failed\n");
			exit(1);
		}
	}
	return median(n);
}

static void row(const char *name, uint64_t v)
{
	printf("BENCH: %s %lu instructions\n", name, (unsigned long)v);
}

/* fork + exit + wait with the heap at mib MiB, copy-on-write or eager. */
static void fork_row(unsigned mib, int eager, int n)
{
	char name[40];
	snprintf(name, sizeof(name), "fork_exit_wait_%s_%um", eager ? "eager" : "cow", mib);
	row(name, fork_exit_wait(n, eager));
}

/* cow_write_<N>p: the stores to N pages after a fork, in all and per page. */
static void cow_row(size_t pages, int n)
{
	char name[40];
	uint64_t v = cow_writes(n, pages);
	snprintf(name, sizeof(name), "cow_write_%lup", (unsigned long)pages);
	row(name, v);
	printf("BENCH: %s_per_page %lu instructions/page\n", name,
	       (unsigned long)((v + pages / 2) / pages));
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

/* The fork sweep: heap sizes in MiB and samples for COW and eager fork. */
static const struct {
	unsigned mib;
	int cow_samples, eager_samples;
} sweep[] = {{0, 51, 21}, {1, 21, 11}, {4, 11, 5}, {8, 11, 5}, {16, 5, 5}, {64, 5, 3}};

/* The COW write sweep (at 16 MiB of heap): pages written and samples. */
static const struct {
	size_t pages;
	int samples;
} cow_sweep[] = {{1, 21}, {16, 11}, {256, 5}, {4096, 5}};

/* Exit 1 with a message. */
static void die(const char *what)
{
	printf("pbench: parallel: %s failed\n", what);
	exit(1);
}

/*
 * One worker of parallel(): says it is ready on the ready pipe, waits for
 * its byte on the go pipe, then forks rounds children that _exit(0) at
 * once, reaping each before the next.  Exits 0, or 1 if anything failed.
 */
static void parallel_worker(const int ready[2], const int go[2], int rounds)
{
	char c = 'r';

	close(ready[0]);
	close(go[1]);
	if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
		_exit(1);
	for (int i = 0; i < rounds; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
			_exit(1);
	}
	_exit(0);
}

/*
 * One run of n workers of rounds forks each: the timebase ticks from the
 * release of the workers (all of them blocked on the go pipe: the write
 * of their n bytes) to the return of the last waitpid that reaps one.
 */
static uint64_t parallel_run(int n, int rounds)
{
	int ready[2], go[2];
	pid_t pid[PARALLEL_MAX];
	char buf[PARALLEL_MAX] = {0};

	if (pipe(ready) != 0 || pipe(go) != 0)
		die("pipe");
	for (int i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			parallel_worker(ready, go, rounds);
		if (pid[i] < 0)
			die("fork");
	}
	close(ready[1]);
	close(go[0]);
	for (int got = 0; got < n;) {
		ssize_t r = read(ready[0], buf, (size_t)(n - got));
		if (r <= 0)
			die("read");
		got += (int)r;
	}
	uint64_t t0 = rd_time();
	if (write(go[1], buf, (size_t)n) != n)
		die("write");
	for (int i = 0; i < n; i++) {
		int status;
		if (waitpid(pid[i], &status, 0) != pid[i] || status != 0)
			die("a worker");
	}
	uint64_t t = rd_time() - t0;
	close(ready[0]);
	close(go[1]);
	return t;
}

/*
 * fork_exit_wait_parallel_<n>: n workers forking at once (parallel_run),
 * runs times; the median run's forks per million ticks of the timebase,
 * with one decimal.  First a line of its own for tools/bench.sh and for
 * reading: the harts scheduling threads (kstats_t.harts), every run's
 * ticks, and the kernel's SMP counters over all the runs (setup included).
 */
static void parallel(int n, int rounds, int runs)
{
	kstats_t a, b; /* not in bss: the eager fork rows copy all of data and bss */
	uint64_t forks = (uint64_t)n * (uint64_t)rounds;

	if (n < 1 || n > PARALLEL_MAX || rounds < 1 || runs < 1 || runs > MAX_SAMPLES) {
		printf("pbench: parallel: 1 to %d workers, rounds and 1 to %d runs\n", PARALLEL_MAX,
		       MAX_SAMPLES);
		exit(2);
	}
	sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)&a, 0, 0, 0, 0);
	for (int i = 0; i < runs; i++)
		samples[i] = parallel_run(n, rounds);
	sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)&b, 0, 0, 0, 0);
	printf("pbench: parallel %d x %d forks, %lu harts, ticks:", n, rounds,
	       (unsigned long)b.harts);
	for (int i = 0; i < runs; i++)
		printf(" %lu", (unsigned long)samples[i]);
	printf("; context switches %lu, IPI wake-ups %lu, lock wake-ups %lu, "
	       "evictions %lu, TLB shootdowns %lu\n",
	       b.context_switches - a.context_switches, b.smp_wakeups - a.smp_wakeups,
	       b.smp_lock_wakeups - a.smp_lock_wakeups, b.smp_evictions - a.smp_evictions,
	       b.tlb_shootdowns - a.tlb_shootdowns);
	uint64_t t = median(runs);
	uint64_t rate10 = (forks * 10000000 + t / 2) / (t ? t : 1);
	printf("BENCH: fork_exit_wait_parallel_%d %lu.%lu forks/Mtick\n", n,
	       (unsigned long)(rate10 / 10), (unsigned long)(rate10 % 10));
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "parallel") == 0) {
		parallel(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "trace") == 0) {
		/* "pbench:trace:MASK": the 0 MiB row untraced and traced with
		 * the TRACE_M_* classes MASK, for profiling the trace. */
		unsigned long mask = strtoul(argv[2], NULL, 0);
		row("fork_exit_wait_cow_0m", fork_exit_wait(21, 0));
		row("fork_exit_wait_cow_0m_traced_mask", fork_exit_wait_traced(21, mask));
		printf("BENCH: fork_exit_wait_cow_0m_traced_mask_events %lu events\n",
		       (unsigned long)traced_events);
		return 0;
	}
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "profile") == 0) {
		/* "pbench:profile:MIB[:MASK]": with a MIB MiB heap, warm-up
		 * samples of fork + exit + wait, then one between profile
		 * marks, traced with the TRACE_M_* classes MASK if given;
		 * "pbench:profile:exec[:MASK]": the same with fork + exec +
		 * wait (tools/iprof.sh). */
		int exec = strcmp(argv[2], "exec") == 0;
		unsigned long mask = argc == 4 ? strtoul(argv[3], NULL, 0) : 0;

		if (!exec)
			heap_to((size_t)atoi(argv[2]) << 20);
		for (int i = 0; i < 3; i++)
			profile_sample(exec, mask, 0);
		printf("pbench: profiled sample: %lu instructions\n",
		       (unsigned long)profile_sample(exec, mask, 1));
		if (mask)
			sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_FREE, 0, 0, 0, 0);
		return 0;
	}
	if (argc > 1) { /* "pbench:N": only the N MiB fork row, for profiling */
		unsigned mib = (unsigned)atoi(argv[1]);
		heap_to((size_t)mib << 20);
		fork_row(mib, 0, 5);
		return 0;
	}
	uint64_t base = fork_exit_wait(51, 0);
	row("fork_exit_wait_cow_0m", base);
	row("exec_hello", fork_exec_wait(21) - base);
	row("fork_exit_wait_cow_0m_traced", fork_exit_wait_traced(21, TRACE_M_ALL));
	printf("BENCH: fork_exit_wait_cow_0m_traced_events %lu events\n",
	       (unsigned long)traced_events);
	row("fork_exit_wait_cow_0m_traced_fault", fork_exit_wait_traced(21, TRACE_M_FAULT));
	spawn_10_same();
	for (size_t i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
		heap_to((size_t)sweep[i].mib << 20);
		if (sweep[i].mib != 0) /* the 0 MiB row is base, above */
			fork_row(sweep[i].mib, 0, sweep[i].cow_samples);
		fork_row(sweep[i].mib, 1, sweep[i].eager_samples);
		if (sweep[i].mib == 8) /* the fork target size, traced */
			row("fork_exit_wait_cow_8m_traced", fork_exit_wait_traced(11, TRACE_M_ALL));
		if (sweep[i].mib == 16)
			for (size_t k = 0; k < sizeof(cow_sweep) / sizeof(cow_sweep[0]); k++)
				cow_row(cow_sweep[k].pages, cow_sweep[k].samples);
	}
	sbrk_untouched(); /* last: heap_to() keeps its own count of the break */
	return 0;
}
