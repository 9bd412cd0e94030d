/* spin: compute forever without a system call (preemption and Ctrl-C). */
int main(void)
{
	for (volatile unsigned long n = 0;; n++)
		;
}
