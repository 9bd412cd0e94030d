/*
 * init: the first process, started by procsrv.  Runs each command of its
 * argument list in turn (procsrv passes the bootarg posix=CMD,CMD...; a
 * command is prog[:arg...]; with none it runs "sh"), each in a child
 * made with fork + execv, waits for it and prints how it ended.  While
 * waiting it also reaps the orphans procsrv hands it.  Exits 0 when every
 * command exited 0 (procsrv then prints RESULT: PASS).  So `make qemu`
 * (no bootargs) ends at the shell's prompt, and leaving the shell ends
 * the system.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <posix.h>

#define MAX_ARGS 16

/* Run one command; its wait status, or -1 if it could not start. */
static int run(char *cmd)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0, status = 0;
	pid_t pid, w;

	for (char *s = cmd; argc < MAX_ARGS; s++) {
		argv[argc++] = s;
		s = strchr(s, ':');
		if (s == NULL)
			break;
		*s = '\0';
	}
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0) {
		printf("init: fork: errno %d\n", errno);
		return -1;
	}
	if (pid == 0) {
		execv(argv[0], argv);
		printf("init: cannot run %s: errno %d\n", argv[0], errno);
		_exit(127);
	}
	/* Reap orphans on the way until our child is done. */
	do
		w = waitpid(-1, &status, 0);
	while (w != pid && w > 0);
	return w == pid ? status : -1;
}

int main(int argc, char **argv)
{
	static char dflt[] = "sh";
	char *none[] = {argv[0], dflt};
	int failed = 0, status;

	if (argc < 2) {
		argv = none;
		argc = 2;
	}
	for (int i = 1; i < argc; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s", argv[i]);
		status = run(argv[i]);
		if (status == -1)
			printf("init: %s: did not run\n", name);
		else if (WIFEXITED(status))
			printf("init: %s: exited with status %d\n", name, WEXITSTATUS(status));
		else
			printf("init: %s: killed by signal %d\n", name, WTERMSIG(status));
		failed += status != 0;
	}
	/* Orphans still running or waiting to be reaped. */
	while (waitpid(-1, &status, 0) > 0)
		;
	return failed ? 1 : 0;
}
