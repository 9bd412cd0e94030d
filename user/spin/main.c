/*
 * spin: say so, then compute forever without a system call (for
 * preemption and Ctrl-C).  spin print: print numbered lines forever
 * instead (Ctrl-C while the console is flooded).
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	printf("spin: spinning\n");
	if (argc > 1 && strcmp(argv[1], "print") == 0) {
		for (unsigned long n = 0;; n++)
			printf("spin %lu\n", n);
	}
	for (volatile unsigned long n = 0;; n++)
		;
}
