/*
 * uecho: the IPC test server.  Protocol in user/include/echo.h.
 *
 * One loop: receive (accepting a capability into ECHO_RSLOT), build the
 * answer, reply and receive again in one SYS_REPLY_RECV.  No state but the
 * words of the last ECHO_OP_STORE.
 */
#include <echo.h>
#include <libos.h>
#include <sys.h>

static unsigned long stored[MSG_WORDS];

/* The answer to the message in r (a RECV result). */
static msg_t echo_answer(const sysret_t *r)
{
	unsigned long info = r->r[0];
	const unsigned long *w = &r->r[1];
	msg_t m = {0};
	unsigned long n = MSG_LEN(info);

	switch (MSG_LABEL(info)) {
	case ECHO_OP_ECHO:
		for (unsigned long i = 0; i < n && i < MSG_WORDS; i++)
			m.w[i] = w[i] + 1;
		m.info = MSG_INFO(ECHO_OP_ECHO, n);
		break;
	case ECHO_OP_BADGE:
		m.w[0] = r->r[5];
		m.info = MSG_INFO(ECHO_OP_BADGE, 1);
		break;
	case ECHO_OP_NOTIFY:
		if (info & MSG_CAP) {
			m.w[0] = 1;
			m.w[1] = (unsigned long)sys_signal(ECHO_RSLOT);
		}
		m.info = MSG_INFO(ECHO_OP_NOTIFY, 2);
		break;
	case ECHO_OP_STORE:
		for (unsigned long i = 0; i < MSG_WORDS; i++)
			stored[i] = w[i];
		m.info = MSG_INFO(ECHO_OP_STORE, 0);
		break;
	case ECHO_OP_LOAD:
		for (unsigned long i = 0; i < MSG_WORDS; i++)
			m.w[i] = stored[i];
		m.info = MSG_INFO(ECHO_OP_LOAD, 4);
		break;
	default: m.info = MSG_INFO(ECHO_OP_ERROR, 0); break;
	}
	return m;
}

int main(unsigned long ep)
{
	sysret_t r = sys_recv(ep, MSG_WITH_RSLOT(0, ECHO_RSLOT));

	for (;;) {
		msg_t m;

		if (r.r0 < 0) {
			uprintf("uecho: receive failed: %s\n", error_name((int)r.r0));
			return 1;
		}
		m = echo_answer(&r);
		m.info = MSG_WITH_RSLOT(m.info, ECHO_RSLOT);
		r = sys_reply_recv(ep, &m);
	}
}
