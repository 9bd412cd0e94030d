/*
 * ubsrv: the benchmark's IPC server.  Started with a0 = the slot of an
 * endpoint; answers every call with an empty reply, nothing else, so that
 * ubench measures the kernel's call/reply path and not server work.
 */
#include <sys.h>

int main(unsigned long ep)
{
	msg_t m = {0};
	sys_recv(ep, 0);
	for (;;)
		sys_reply_recv(ep, &m);
}
