/*
 * trace [-m CLASS,...] PROG [ARG...]: run a program with the kernel's
 * event trace on and print what the kernel did, one event per line:
 *
 *   TIME HART TID EVENT key=value...
 *
 * TIME is in timebase ticks, HART the dense hart index, TID the kernel's
 * thread id.  CLASS: trap, fault, ipc, switch, frame, all (default: all
 * but frame).  The rings hold TRACE_RING_EVENTS events per hart; events
 * that did not fit are reported as "lost n=N".  The trace covers the whole
 * system while PROG runs (procsrv and the console server too), from the
 * fork before PROG's exec to its end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <abi/bootinfo.h>
#include <abi/trace.h>
#include <posix.h>
#include <sys.h>

static long trace_op(unsigned long op, unsigned long a3, unsigned long a4)
{
	return sys_invoke(SLOT_DEBUG, DEBUG_TRACE, op, a3, a4, 0, 0).r0;
}

static const char *const names[TRACE_NTYPES] = {
    [TRACE_LOST] = "lost",
    [TRACE_TRAP_ENTER] = "trap-enter",
    [TRACE_TRAP_EXIT] = "trap-exit",
    [TRACE_FAULT] = "fault",
    [TRACE_COW_COPY] = "cow-copy",
    [TRACE_COW_REUSE] = "cow-reuse",
    [TRACE_ZERO_FILL] = "zero-fill",
    [TRACE_IPC_SEND] = "ipc-send",
    [TRACE_IPC_RECV] = "ipc-recv",
    [TRACE_SWITCH] = "switch",
    [TRACE_FRAME_ALLOC] = "frame-alloc",
    [TRACE_FRAME_FREE] = "frame-free",
};

static void print_event(const trace_event_t *e)
{
	const char *n = e->type < TRACE_NTYPES ? names[e->type] : NULL;

	printf("%llu h%u t%lu %s", (unsigned long long)e->time, e->hart, (unsigned long)e->tid,
	       n ? n : "?");
	switch (e->type) {
	case TRACE_LOST: printf(" n=%lu\n", (unsigned long)e->a); break;
	case TRACE_TRAP_ENTER:
		printf(" cause=%#lx pc=%#lx\n", (unsigned long)e->a, (unsigned long)e->b);
		break;
	case TRACE_TRAP_EXIT: printf(" pc=%#lx\n", (unsigned long)e->a); break;
	case TRACE_FAULT:
		printf(" addr=%#lx cause=%#lx\n", (unsigned long)e->a, (unsigned long)e->b);
		break;
	case TRACE_COW_COPY:
	case TRACE_COW_REUSE:
	case TRACE_ZERO_FILL:
		printf(" va=%#lx frame=%#lx\n", (unsigned long)e->a, (unsigned long)e->b);
		break;
	case TRACE_IPC_SEND:
	case TRACE_IPC_RECV:
		printf(" ep=%#lx label=%#lx\n", (unsigned long)e->a, (unsigned long)e->b);
		break;
	case TRACE_SWITCH: printf(" to=t%lu\n", (unsigned long)e->a); break;
	case TRACE_FRAME_ALLOC:
		printf(" pa=%#lx kind=%lu\n", (unsigned long)e->a, (unsigned long)e->b);
		break;
	case TRACE_FRAME_FREE: printf(" pa=%#lx\n", (unsigned long)e->a); break;
	default: printf(" a=%#lx b=%#lx\n", (unsigned long)e->a, (unsigned long)e->b); break;
	}
}

static unsigned long parse_mask(char *s)
{
	unsigned long m = 0;

	for (char *w = strtok(s, ","); w != NULL; w = strtok(NULL, ",")) {
		if (strcmp(w, "trap") == 0)
			m |= TRACE_M_TRAP;
		else if (strcmp(w, "fault") == 0)
			m |= TRACE_M_FAULT;
		else if (strcmp(w, "ipc") == 0)
			m |= TRACE_M_IPC;
		else if (strcmp(w, "switch") == 0)
			m |= TRACE_M_SWITCH;
		else if (strcmp(w, "frame") == 0)
			m |= TRACE_M_FRAME;
		else if (strcmp(w, "all") == 0)
			m |= TRACE_M_ALL;
		else
			return 0;
	}
	return m;
}

int main(int argc, char **argv)
{
	static trace_event_t ev[128];
	unsigned long mask = TRACE_M_ALL & ~TRACE_M_FRAME;
	int first = 1, status = 0;
	long n, e;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "-m") == 0) {
		mask = parse_mask(argv[2]);
		first = 3;
	}
	if (mask == 0 || first >= argc) {
		fprintf(stderr,
			"usage: trace [-m trap,fault,ipc,switch,frame,all] PROG [ARG...]\n");
		return 2;
	}
	/* Touch the buffer now, so that reading the trace faults on nothing. */
	memset(ev, 0, sizeof(ev));
	posix_flush();
	e = trace_op(TRACE_START, mask, 0);
	if (e < 0) {
		fprintf(stderr, "trace: cannot start the trace: error %ld\n", e);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execv(argv[first], argv + first);
		fprintf(stderr, "trace: %s: cannot run\n", argv[first]);
		_exit(127);
	}
	if (pid < 0) {
		trace_op(TRACE_FREE, 0, 0);
		fprintf(stderr, "trace: fork: errno %d\n", errno);
		return 1;
	}
	waitpid(pid, &status, 0);
	trace_op(TRACE_STOP, 0, 0);
	while ((n = trace_op(TRACE_READ, (unsigned long)ev, sizeof(ev) / sizeof(ev[0]))) > 0) {
		for (long i = 0; i < n; i++)
			print_event(&ev[i]);
	}
	trace_op(TRACE_FREE, 0, 0);
	if (WIFEXITED(status))
		printf("trace: %s exited with status %d\n", argv[first], WEXITSTATUS(status));
	else
		printf("trace: %s killed by signal %d\n", argv[first], WTERMSIG(status));
	return 0;
}
