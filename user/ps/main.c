/*
 * ps: every process procsrv knows: pid, parent, process group, state,
 * name, frames charged to it (resident), page faults its address space
 * took and the copy-on-write copies among them.
 */
#include <stdio.h>

#include <posix.h>

int main(void)
{
	proc_entry_t e;
	int i = 0;

	printf("  PID  PPID  PGID STATE  FRAMES  FAULTS     COW NAME\n");
	while ((i = proc_list(i, &e)) >= 0)
		printf("%5d %5d %5d %-6s %6lu %7lu %7lu %s\n", (int)e.pid, (int)e.ppid, (int)e.pgid,
		       e.state == PS_STATE_RUN ? "run" : "zombie", e.frames, e.faults, e.cow_copies,
		       e.name);
	return 0;
}
