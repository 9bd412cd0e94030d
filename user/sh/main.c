/*
 * sh: the interactive shell.
 *
 * Reads a line at a time from standard input and runs it:
 *
 *   prog arg ...            a program from the initrd, in the foreground
 *   a | b | c               a pipeline: each stage's standard output is the
 *                           next one's standard input
 *   ... &                   in the background: the prompt comes back at once
 *
 * Words are separated by blanks; '...' and "..." quote.  Built-ins: exit
 * [status], wait (for every background job), ls (the initrd's programs),
 * help.  Each job is a process group; a foreground job is the console's
 * foreground group (tcsetpgrp) while the shell waits for it, so that
 * Ctrl-C ends it and not the shell.  Background jobs are reported when
 * they end, before the next prompt.  At end of file (Ctrl-D on an empty
 * line) the shell ends the background jobs still running and exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <posix.h>

#define LINE_MAX   1024 /* the console's line length */
#define MAX_WORDS  32
#define MAX_STAGES 8

typedef struct stage {
	char *argv[MAX_WORDS + 1];
	int argc;
} stage_t;

/* Split line into stages, the words copied into buf (at least as long as
 * line) without their quotes.  Returns the number of stages, 0 for an
 * empty line, -1 (with a message) for a malformed one.  *bg: ended with
 * '&'. */
static int parse(const char *s, char *buf, stage_t *st, int *bg)
{
	int n = 0;

	*bg = 0;
	st[0].argc = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		if (*bg) {
			fprintf(stderr, "sh: '&' must end the line\n");
			return -1;
		}
		if (*s == '|' || *s == '&') {
			if (st[n].argc == 0) {
				fprintf(stderr, "sh: syntax error near '%c'\n", *s);
				return -1;
			}
			if (*s++ == '&') {
				*bg = 1;
				continue;
			}
			if (++n == MAX_STAGES) {
				fprintf(stderr, "sh: more than %d stages\n", MAX_STAGES);
				return -1;
			}
			st[n].argc = 0;
			continue;
		}
		if (st[n].argc == MAX_WORDS) {
			fprintf(stderr, "sh: more than %d words\n", MAX_WORDS);
			return -1;
		}
		st[n].argv[st[n].argc++] = buf;
		while (*s != '\0' && !strchr(" \t\n|&", *s)) {
			if (*s == '\'' || *s == '"') {
				char q = *s++;

				while (*s != '\0' && *s != q)
					*buf++ = *s++;
				if (*s != q) {
					fprintf(stderr, "sh: unterminated %c\n", q);
					return -1;
				}
				s++;
			} else {
				*buf++ = *s++;
			}
		}
		*buf++ = '\0';
	}
	if (st[n].argc == 0) {
		if (n == 0 && !*bg)
			return 0;
		fprintf(stderr, "sh: missing command\n");
		return -1;
	}
	for (int i = 0; i <= n; i++)
		st[i].argv[st[i].argc] = NULL;
	return n + 1;
}

static void report(pid_t pid, int status, int bg)
{
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == PS_SIGINT && !bg)
			return; /* the ^C is on the screen already */
		printf("%s[%d] killed by signal %d%s\n", bg ? "" : "sh: ", (int)pid,
		       WTERMSIG(status), WFAULTKIND(status) ? " (fault)" : "");
	} else if (bg) {
		printf("[%d] done, status %d\n", (int)pid, WEXITSTATUS(status));
	}
}

/* Reap background jobs that have ended, and say so. */
static void reap_background(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		report(pid, status, 1);
}

static int last_status;

static void run(stage_t *st, int n, int bg)
{
	pid_t pids[MAX_STAGES], pgid = 0;
	int in = -1, fds[2];

	for (int i = 0; i < n; i++) {
		if (i < n - 1 && pipe(fds) < 0) {
			fprintf(stderr, "sh: pipe: errno %d\n", errno);
			n = i;
			break;
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			fprintf(stderr, "sh: fork: errno %d\n", errno);
			if (i < n - 1) {
				close(fds[0]);
				close(fds[1]);
			}
			n = i;
			break;
		}
		if (pids[i] == 0) {
			/* Both sides set the group (whichever runs first), and
			 * a foreground job takes the console before it runs. */
			setpgid(0, pgid);
			if (!bg)
				tcsetpgrp(0, pgid ? pgid : getpid());
			if (in >= 0) {
				dup2(in, 0);
				close(in);
			}
			if (i < n - 1) {
				dup2(fds[1], 1);
				close(fds[0]);
				close(fds[1]);
			}
			execv(st[i].argv[0], st[i].argv);
			fprintf(stderr, "sh: %s: %s\n", st[i].argv[0],
				errno == ENOENT ? "command not found" : "cannot run");
			_exit(127);
		}
		if (pgid == 0)
			pgid = pids[i];
		setpgid(pids[i], pgid);
		if (in >= 0)
			close(in);
		if (i < n - 1) {
			close(fds[1]);
			in = fds[0];
		}
	}
	if (in >= 0)
		close(in);
	if (n == 0)
		return;
	if (bg) {
		printf("[%d]\n", (int)pgid);
		return;
	}
	tcsetpgrp(0, pgid);
	for (int left = n; left > 0;) {
		int status, mine = 0;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0)
			break;
		for (int i = 0; i < n; i++)
			mine |= pids[i] == pid;
		if (!mine) {
			report(pid, status, 1);
			continue;
		}
		left--;
		if (pid == pids[n - 1]) {
			last_status = status;
			report(pid, status, 0);
		}
	}
	tcsetpgrp(0, 0);
}

static void help(void)
{
	printf("built-ins: exit [status], wait, ls, help\n"
	       "run a program from the initrd: prog arg ...   (ls lists them; the root tasks\n"
	       "  procsrv, utest, ubench, ubsrv, uecho, hello, fuzz only run with init=NAME)\n"
	       "pipelines: a | b | c     background: prog &     quotes: '...' \"...\"\n"
	       "Ctrl-C ends the foreground job, Ctrl-D on an empty line ends the shell\n");
}

static void ls(void)
{
	char name[32];
	int i = 0;

	while ((i = initrd_list(i, name, sizeof(name))) >= 0)
		printf("%s\n", name);
}

/* A built-in: 1 if it was one. */
static int builtin(stage_t *st, int n, int bg, int *quit)
{
	const char *c = st[0].argv[0];

	if (n != 1 || bg)
		return 0;
	if (strcmp(c, "exit") == 0) {
		*quit = 1;
		last_status = st[0].argc > 1 ? atoi(st[0].argv[1]) << 8 : 0;
	} else if (strcmp(c, "wait") == 0) {
		int status;
		pid_t pid;

		while ((pid = waitpid(-1, &status, 0)) > 0)
			report(pid, status, 1);
	} else if (strcmp(c, "ls") == 0) {
		ls();
	} else if (strcmp(c, "help") == 0) {
		help();
	} else {
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	static char line[LINE_MAX], words[LINE_MAX];
	static stage_t st[MAX_STAGES];
	proc_entry_t job;
	int quit = 0, status;

	(void)argc;
	(void)argv;
	/* A group of its own: Ctrl-C reaches the jobs' groups, never ours. */
	setpgid(0, 0);
	printf("sh: type 'help' for help\n");
	while (!quit) {
		int n, bg;

		reap_background();
		printf("$ ");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL) {
			printf("\n");
			break;
		}
		if (strchr(line, '\n') == NULL && strlen(line) == sizeof(line) - 1) {
			int c;

			/* Longer than a line can be: drop all of it, not run
			 * the rest as another command. */
			while ((c = getchar()) != EOF && c != '\n')
				;
			fprintf(stderr, "sh: line too long (at most %d bytes)\n", LINE_MAX - 2);
			continue;
		}
		n = parse(line, words, st, &bg);
		if (n <= 0 || builtin(st, n, bg, &quit))
			continue;
		run(st, n, bg);
	}
	/* Background jobs still running end with the shell (nothing could
	 * bring them back to the foreground); then every child is reaped. */
	reap_background();
	for (int i = 0; (i = proc_list(i, &job)) >= 0;) {
		if (job.ppid == getpid() && job.state == PS_STATE_RUN) {
			printf("sh: ending background job %d (%s)\n", (int)job.pid, job.name);
			kill(job.pid, SIGKILL);
		}
	}
	while (waitpid(-1, &status, 0) > 0)
		;
	return WIFEXITED(last_status) ? WEXITSTATUS(last_status) : 1;
}
