/*
 * pecho: a small POSIX program for the exec tests.
 *   pecho sum ARG...    exit with a checksum of argc and every byte of argv
 *                       (ptest computes the same over what it passed)
 *   pecho sleep         never exit (yields): to be killed
 *   pecho print ARG...  print the arguments, one per line
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys.h>

static unsigned argv_sum(int argc, char **argv)
{
	unsigned h = (unsigned)argc;

	for (int i = 0; i < argc; i++) {
		for (const char *s = argv[i]; *s != '\0'; s++)
			h = h * 31 + (unsigned char)*s;
		h = h * 31 + 0xff;
	}
	return h % 251;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "sum") == 0)
		return (int)argv_sum(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "sleep") == 0) {
		for (;;)
			sys_yield();
	}
	for (int i = 0; i < argc; i++)
		printf("pecho: argv[%d] = \"%s\"\n", i, argv[i]);
	return 0;
}
