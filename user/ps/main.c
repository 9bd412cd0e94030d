/*
 * ps: every process procsrv knows: pid, parent, process group, state,
 * frames charged to its pool (FRAMES), pages mapped in its address space
 * (RSS, shared pages included), page faults its address space took
 * (FAULTS) and the copy-on-write copies among them (COW), IPC messages
 * its thread sent (IPC), times a hart switched to it (SW), name.  The
 * counters are the kernel's (ASPACE_STATS, THREAD_STATS) and start again
 * at exec.
 */
#include <stdio.h>

#include <posix.h>

int main(void)
{
	proc_entry_t e;
	int i = 0;

	printf("  PID  PPID  PGID STATE  FRAMES    RSS  FAULTS     COW     IPC      SW NAME\n");
	while ((i = proc_list(i, &e)) >= 0)
		printf("%5d %5d %5d %-6s %6lu %6lu %7lu %7lu %7lu %7lu %s\n", (int)e.pid,
		       (int)e.ppid, (int)e.pgid,
		       e.state == PS_STATE_RUN	    ? "run"
		       : e.state == PS_STATE_IOWAIT ? "wait"
						    : "zombie",
		       e.frames, e.resident, e.faults, e.cow_copies, e.ipc, e.switches, e.name);
	return 0;
}
