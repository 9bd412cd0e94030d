/* kill: end processes: kill PID... (no signals: every process named ends
 * as if killed by SIGKILL; see posix.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: kill PID...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);

		if (*end != '\0' || pid <= 0) {
			fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
			bad = 1;
		} else if (kill((pid_t)pid, SIGKILL) < 0) {
			fprintf(stderr, "kill: %ld: %s\n", pid,
				errno == ESRCH ? "no such process" : "failed");
			bad = 1;
		}
	}
	return bad;
}
