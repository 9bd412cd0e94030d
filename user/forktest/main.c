/*
 * forktest [N]: N children (default 8) made with fork, each writing its
 * own pattern over a 64 KiB buffer it shares copy-on-write with the
 * parent; each child checks its copy, the parent checks that its own is
 * unchanged after all have ended.  Prints "forktest: OK" or what broke.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF (64 * 1024)

static unsigned char buf[BUF];

static int check(unsigned char v)
{
	for (size_t i = 0; i < BUF; i++)
		if (buf[i] != v)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8, bad = 0, status;

	if (n < 1 || n > 64) {
		fprintf(stderr, "usage: forktest [N], 1 <= N <= 64\n");
		return 2;
	}
	memset(buf, 0xaa, BUF);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			printf("forktest: fork %d failed\n", i);
			bad = 1;
			break;
		}
		if (pid == 0) {
			memset(buf, i, BUF);
			_exit(check((unsigned char)i) ? 0 : 1);
		}
	}
	while (wait(&status) > 0)
		bad |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	if (!check(0xaa))
		bad = 1;
	printf("forktest: %s\n", bad ? "FAILED" : "OK");
	return bad;
}
