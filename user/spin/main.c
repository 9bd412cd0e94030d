/* spin: say so, then compute forever without a system call (for
 * preemption and Ctrl-C). */
#include <stdio.h>

int main(void)
{
	printf("spin: spinning\n");
	for (volatile unsigned long n = 0;; n++)
		;
}
