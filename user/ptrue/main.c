/* ptrue: exits 0 at once; exec_hello in `make bench` execs it. */
int main(void)
{
	return 0;
}
