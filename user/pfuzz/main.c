/*
 * pfuzz [SEED [CALLS [PROCS]]]: the syscall fuzzer's multi-process
 * cousin, run by init through procsrv.  PROCS workers (default 4) fuzz at
 * the same time, each CALLS steps (default 3000) from its own seed (SEED
 * + worker number), and fork while fuzzing.  A step is one of:
 *
 *   - a raw system call with a random number, slot, label and hostile
 *     arguments (null, kernel, unmapped, read-only, straddling and
 *     misaligned pointers, huge and "negative" lengths) on the process's
 *     own capabilities;
 *   - a procsrv request with a random label and words (descriptors,
 *     pids, lengths, garbage exec buffers), raw, so that nothing waits;
 *   - pipe and descriptor calls on random descriptors;
 *   - a store to a random heap page (copy-on-write after a fork);
 *   - a fork: the child fuzzes a while with a seed of its own and exits;
 *     or a wait for, or a kill of, one of its own children.
 *
 * Steps that would only hurt the fuzzer itself are left out: blocking
 * waits (SYS_WAIT, a blocking receive), PS_EXIT (the fuzzer would end),
 * kill() of anything but its own children, console output of
 * random bytes, raw requests on the procsrv endpoint outside the procsrv
 * step.  A worker may still be killed by a fault it caused (a shrunk
 * heap); that is reported and allowed.
 *
 * Every 500 steps a process runs the kernel's invariant audit
 * (DEBUG_CHECK); a failure ends the run.  The runner waits for every
 * worker, then checks that the kernel's free
 * frames and live objects are back at their values before the run and
 * that DEBUG_CHECK passes.  It prints "PASS: pfuzz" or "FAIL: pfuzz: why"
 * and exits 0 or 1; procsrv's own teardown check (RESULT: PASS) then
 * covers its descriptor and pipe tables.
 */
#include <errno.h>
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

#define MAX_KIDS 4
#define HEAP	 (16 * 4096)

int main(int argc, char **argv);

static uint64_t rng;
static uint8_t *heap;
static pid_t kids[MAX_KIDS];
static int nkids;
static unsigned long steps, raw_calls, ps_calls, forks, faults_seen;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long rn(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned pct)
{
	return rn(100) < pct;
}

static const char ro_bytes[64] = "read-only";

static unsigned long hostile_ptr(void)
{
	switch (rn(11)) {
	case 0: return 0;
	case 1: return 1 + rn(4096);
	case 2: return 0xffffffc000000000UL + rn(1UL << 30);
	case 3: return PROC_DEV_VA + rn(4096); /* nothing mapped there */
	case 4: return (unsigned long)ro_bytes + rn(64);
	case 5: return (unsigned long)main + rn(256); /* text */
	case 6: return (1UL << 38) - rn(64);	      /* straddles the top */
	case 7: return ((unsigned long)heap + rn(HEAP)) | 1;
	case 8: return rnd();
	default: return (unsigned long)heap + rn(HEAP - 512); /* valid */
	}
}

static unsigned long hostile_len(void)
{
	switch (rn(6)) {
	case 0: return 0;
	case 1: return 1 + rn(32);
	case 2: return 4096;
	case 3: return (unsigned long)-1 - rn(8);
	case 4: return rnd();
	default: return rn(512);
	}
}

static unsigned long any_word(void)
{
	return chance(50) ? hostile_ptr() : chance(50) ? rn(64) : hostile_len();
}

/* ---- raw system calls on the process's own capabilities ---- */

/* What a raw SYS_INVOKE (or an invocation of a batch) must not do. */
static void tame_invocation(unsigned long a[7])
{
	/* Console output of random memory, and debug operations past the
	 * trace (a fault injector would hit the others), are left out. */
	if (a[0] == SLOT_DEBUG && (a[1] == DEBUG_PUTS || a[1] > DEBUG_TRACE))
		a[1] = DEBUG_STATS;
	if (a[0] == SLOT_DEBUG && a[1] == DEBUG_TRACE && chance(50))
		a[2] = TRACE_FREE;
}

static void raw_call(void)
{
	static invocation_t batch[BATCH_MAX];
	unsigned long no = chance(90) ? rn(14) : rnd();
	unsigned long a[7];

	for (int i = 0; i < 7; i++)
		a[i] = any_word();
	a[0] = chance(80) ? rn(20) : rnd();	     /* slot */
	a[1] = chance(80) ? 0x10 + rn(0x50) : rnd(); /* label or info */
	switch (no) {
	case SYS_WAIT:
	case SYS_RECV:
	case SYS_REPLY_RECV: return; /* would wait for good: left out */
	case SYS_SEND:
	case SYS_CALL:
		if (a[0] == PSLOT_PROCSRV)
			a[0] = PSLOT_NTFN; /* procsrv gets its own step */
		break;
	case SYS_INVOKE: tame_invocation(a); break;
	case SYS_BATCH:
		/* Invocations made as above, or an array nobody can read. */
		if (chance(50)) {
			a[0] = rn(4096); /* the null page */
			break;
		}
		a[1] = chance(90) ? 1 + rn(4) : rn(BATCH_MAX + 2);
		a[2] = chance(80) ? rn(2) : any_word(); /* flags */
		for (unsigned long i = 0; i < a[1] && i < BATCH_MAX; i++) {
			unsigned long b[7];
			for (int k = 0; k < 7; k++)
				b[k] = any_word();
			b[0] = chance(80) ? rn(20) : rnd();
			b[1] = chance(80) ? 0x10 + rn(0x50) : rnd();
			tame_invocation(b);
			batch[i] = (invocation_t){b[0], b[1], {b[2], b[3], b[4], b[5], b[6]}};
		}
		a[0] = (unsigned long)batch;
		break;
	}
	syscall7((long)no, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
	raw_calls++;
}

/* ---- procsrv requests, raw ---- */

static pid_t pick_pid(void)
{
	switch (rn(5)) {
	case 0: return 0;
	case 1: return getpid();
	case 2: return nkids ? kids[rn((unsigned long)nkids)] : -1;
	case 3: return (pid_t)rn(80);
	default: return (pid_t)rnd();
	}
}

static void ps_request(void)
{
	unsigned long label = 1 + rn(PS_CONS_OUTPUT + 2);
	msg_t m = {0};

	m.w[0] = any_word();
	m.w[1] = any_word();
	m.w[2] = rnd();
	m.w[3] = rnd();
	switch (label) {
	case PS_FORK:
	case PS_EXIT: return; /* forks are their own step; an exit would end us */
	case PS_EXEC:
		/* A garbage exec buffer (PS_EXEC_ARG pieces at random offsets):
		 * its path names no program, so exec fails and we go on. */
		m.w[0] = rn(2000);
		break;
	case PS_EXEC_ARG: m.w[0] = rn(1100); break;
	case PS_KILL:
		if (nkids == 0)
			return;
		m.w[0] = (unsigned long)kids[rn((unsigned long)nkids)];
		m.w[1] = 0; /* only ask whether it runs */
		break;
	case PS_WAIT: m.w[1] = PS_WNOHANG; break; /* a raw wait never blocks anyway */
	case PS_SBRK: m.w[0] = chance(80) ? rn(3 * 4096) : -(unsigned long)rn(4096); break;
	case PS_READ:
	case PS_CLOSE: /* not 0, 1, 2: the fuzzer's own console */
		m.w[0] = chance(80) ? 3 + rn(17) : m.w[0] | 3;
		break;
	case PS_DUP:
	case PS_DUP2:
		/* Never a copy of the console (random bytes would be printed)
		 * nor over 0, 1, 2 (the fuzzer's own output). */
		m.w[0] = 3 + rn(17);
		m.w[1] = 3 + rn(17);
		break;
	case PS_WRITE: {
		unsigned long fd = 3 + rn(16); /* not the console: no junk output */
		m.w[0] = fd | (rn(30) << 32) | (chance(30) ? PS_WRITE_MORE : 0);
		break;
	}
	case PS_SETPGID:
	case PS_GETPGID: m.w[0] = (unsigned long)pick_pid(); break;
	case PS_TCSETPGRP: m.w[0] = chance(50) ? 0 : (unsigned long)pick_pid(); break;
	case PS_PROC: m.w[1] = rn(5); break;
	}
	m.info = MSG_INFO(label, 4);
	sys_call(PSLOT_PROCSRV, &m);
	ps_calls++;
}

/* ---- pipes and descriptors (only calls that do not wait) ---- */

static void fd_step(void)
{
	int fds[2];

	switch (rn(5)) {
	case 0:
		if (pipe(fds) == 0 && chance(30)) {
			close(fds[rn(2)]);
		}
		break;
	case 1: close(3 + (int)rn(16)); break;
	case 2: dup(3 + (int)rn(16)); break; /* as in ps_request: no console copies */
	case 3: dup2(3 + (int)rn(16), 3 + (int)rn(16)); break;
	default: {
		/* A write that fits or fails at once: raw, no waiting. */
		msg_t m = {MSG_INFO(PS_WRITE, 4), {(3 + rn(16)) | 8UL << 32, rnd(), 0, 0}, 0};
		sys_call(PSLOT_PROCSRV, &m);
		break;
	}
	}
}

/* ---- processes ---- */

static void worker(unsigned long calls);

static void reap(int block)
{
	int st;

	for (int i = 0; i < nkids; i++) {
		pid_t w = waitpid(kids[i], &st, block ? 0 : WNOHANG);

		if (w == kids[i] || (w < 0 && errno == ECHILD)) {
			if (w == kids[i] && WIFSIGNALED(st) && WFAULTKIND(st))
				faults_seen++;
			kids[i--] = kids[--nkids];
		}
	}
}

static void fork_step(unsigned long calls)
{
	pid_t pid;

	if (nkids == MAX_KIDS) {
		if (chance(50))
			kill(kids[rn(MAX_KIDS)], SIGKILL);
		reap(1);
		return;
	}
	pid = chance(80) ? fork() : forkq(64 + rn(200), (int)rn(2));
	if (pid == 0) {
		rng ^= (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
		nkids = 0;
		worker(calls / 4);
		_exit(0);
	}
	if (pid > 0) {
		kids[nkids++] = pid;
		forks++;
	}
}

/* Exit status of a worker whose invariant check failed. */
#define EXIT_CORRUPT 3

static void worker(unsigned long calls)
{
	for (unsigned long i = 0; i < calls; i++) {
		unsigned r = (unsigned)rn(100);

		steps++;
		/* After every batch, the kernel's invariant audit. */
		if (steps % 500 == 0 &&
		    sys_invoke(SLOT_DEBUG, DEBUG_CHECK, 0, 0, 0, 0, 0).r0 != 0) {
			printf("FAIL: pfuzz: DEBUG_CHECK failed after %lu steps of pid %d\n", steps,
			       (int)getpid());
			_exit(EXIT_CORRUPT);
		}
		if (r < 40)
			raw_call();
		else if (r < 70)
			ps_request();
		else if (r < 85)
			fd_step();
		else if (r < 95)
			heap[rn(HEAP)] = (uint8_t)rnd(); /* copy-on-write after forks */
		else if (r < 98)
			fork_step(calls - i);
		else
			reap(0);
	}
	reap(1);
	for (int fd = 3; fd < PS_NFD; fd++)
		close(fd);
}

/* ---- the runner ---- */

static void stats(kstats_t *s)
{
	sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)s, 0, 0, 0, 0);
}

static int settled(const kstats_t *base, kstats_t *now)
{
	for (int i = 0; i < 20000; i++) {
		int same = 1;

		stats(now);
		same = now->frames_free == base->frames_free;
		for (int t = 0; t < CAP_NTYPES; t++)
			same &= now->objects[t] == base->objects[t];
		if (same)
			return 1;
		sys_yield();
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	unsigned long calls = argc > 2 ? strtoul(argv[2], NULL, 0) : 3000;
	int procs = argc > 3 ? atoi(argv[3]) : 4, killed = 0, st;
	pid_t pids[16];
	kstats_t base, now;
	long e;

	if (procs < 1 || procs > 16) {
		fprintf(stderr, "usage: pfuzz [SEED [CALLS [PROCS <= 16]]]\n");
		return 2;
	}
	heap = malloc(HEAP);
	if (heap == NULL)
		return 1;
	memset(heap, 1, HEAP);
	printf("pfuzz: seed %lu, %lu calls, %d processes\n", seed, calls, procs);
	posix_flush();
	stats(&base);
	for (int i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			rng = (seed + (unsigned long)i) * 0x2545f4914f6cdd1dULL | 1;
			worker(calls);
			printf("pfuzz: worker %d: %lu steps, %lu raw calls, %lu procsrv requests, "
			       "%lu forks, %lu children killed by faults\n",
			       i, steps, raw_calls, ps_calls, forks, faults_seen);
			_exit(0);
		}
		if (pids[i] < 0) {
			printf("FAIL: pfuzz: fork of worker %d: errno %d\n", i, errno);
			return 1;
		}
	}
	for (int i = 0; i < procs; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i]) {
			printf("FAIL: pfuzz: worker %d lost: waitpid errno %d\n", i, errno);
			return 1;
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_CORRUPT)
			return 1; /* its FAIL line is out */
		else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("pfuzz: worker %d ended with status %#x\n", i, (unsigned)st);
			killed++;
		}
	}
	if (killed * 2 > procs) {
		printf("FAIL: pfuzz: %d of %d workers killed: too few ran to the end\n", killed,
		       procs);
		return 1;
	}
	/* A worker may have left the kernel's trace rings allocated. */
	sys_invoke(SLOT_DEBUG, DEBUG_TRACE, TRACE_FREE, 0, 0, 0, 0);
	if (!settled(&base, &now)) {
		printf("FAIL: pfuzz: leak: %ld frames; objects:",
		       (long)(base.frames_free - now.frames_free));
		for (int t = 0; t < CAP_NTYPES; t++)
			if (now.objects[t] != base.objects[t])
				printf(" type %d %+ld", t,
				       (long)(now.objects[t] - base.objects[t]));
		printf("\n");
		return 1;
	}
	e = sys_invoke(SLOT_DEBUG, DEBUG_CHECK, 0, 0, 0, 0, 0).r0;
	if (e != 0) {
		printf("FAIL: pfuzz: DEBUG_CHECK: %ld\n", e);
		return 1;
	}
	printf("PASS: pfuzz (%d of %d workers killed by what they did)\n", killed, procs);
	return 0;
}
