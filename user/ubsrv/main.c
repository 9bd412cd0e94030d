/*
 * ubsrv: the benchmark's IPC server (protocol in include/ubsrv.h).
 * Answers every call at once and does nothing else, so that ubench
 * measures the kernel's call/reply path and not server work.
 */
#include <sys.h>
#include <ubsrv.h>

/* Empty replies, no capabilities: the IPC fast path's case. */
static void serve_plain(void)
{
	msg_t m = {0};
	sys_recv(UBSRV_EP_SLOT, 0);
	for (;;)
		sys_reply_recv(UBSRV_EP_SLOT, &m);
}

/* Each receive accepts a capability into a fresh slot; the reply says
 * whether one arrived.  Past the last slot nothing is accepted. */
static void serve_caps(void)
{
	unsigned long slot = UBSRV_FIRST_RSLOT;
	sysret_t r = sys_recv(UBSRV_EP_SLOT, MSG_WITH_RSLOT(0, slot));
	for (;;) {
		msg_t m = {MSG_INFO(0, 1), {(r.r[0] & MSG_CAP) ? 1 : 0}, 0};
		if (r.r[0] & MSG_CAP)
			slot++;
		if (slot < UBSRV_CAP_SLOTS)
			m.info = MSG_WITH_RSLOT(m.info, slot);
		r = sys_reply_recv(UBSRV_EP_SLOT, &m);
	}
}

int main(unsigned long mode)
{
	if (mode == UBSRV_ACCEPT_CAPS)
		serve_caps();
	serve_plain();
	return 0;
}
