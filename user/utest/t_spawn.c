/*
 * IPC between address spaces: uecho (user/uecho, protocol in echo.h) is
 * loaded from the initrd into its own address space with spawn_elf, and
 * the root talks to it through badged endpoint caps, transfers a
 * notification cap to it, and tears it down without leaks.
 */
#include <echo.h>

#include "utest.h"

#define ECHO_SLOT_EP 1

static sysret_t echo_call(unsigned long ep, unsigned long label, unsigned long len,
			  const unsigned long *w, unsigned long cap)
{
	msg_t m = {MSG_INFO(label, len) | (cap ? MSG_CAP : 0), {0}, cap};

	for (unsigned long i = 0; i < len && i < MSG_WORDS; i++)
		m.w[i] = w[i];
	return sys_call(ep, &m);
}

static int test_spawn_missing(void)
{
	spawn_args_t a = {"no-such-program", NULL, 0, 16, 17, NO_FAULT_EP, 0};
	child_t c;

	CHECK_EQ(spawn_elf(&a, &c), E_NOENT);
	return 0;
}

static long start_echo(long ep, child_t *c)
{
	spawn_cap_t caps[] = {
	    {(unsigned long)ep, ECHO_SLOT_EP, RIGHT_READ | RIGHT_WRITE, 0},
	    {SLOT_DEBUG, SLOT_DEBUG, RIGHTS_ALL, 0},
	};
	spawn_args_t a = {"uecho", caps, 2, 32, 17, NO_FAULT_EP, ECHO_SLOT_EP};

	return spawn_elf(&a, c);
}

static int test_spawn_echo(void)
{
	static const unsigned long words[4] = {1, 2, 3, 4};
	unsigned long st[4] = {7, 8, 9, 10};
	long ep, b1, b2, n, nb, nog;
	child_t c;
	sysret_t r;
	msg_t m;

	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(b1, slot_alloc());
	CHECK_OK(b2, slot_alloc());
	CHECK_OK(nb, slot_alloc());
	CHECK_OK(nog, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b1, RIGHT_WRITE | RIGHT_GRANT, 0x11), 0);
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b2, RIGHT_WRITE, 0x22), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, b1, nog, RIGHT_WRITE), 0);
	CHECK_EQ(cap_mint(SLOT_CSPACE, n, nb, RIGHT_WRITE, 0x40), 0);
	CHECK_EQ(start_echo(ep, &c), 0);
	CHECK_EQ(cap_info(c.cspace, ECHO_SLOT_EP).type, CAP_ENDPOINT);
	CHECK_EQ(thread_state(c.thread), THREAD_BLOCKED);

	/* Echo, through a badged cap. */
	r = echo_call(b1, ECHO_OP_ECHO, 4, words, 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(MSG_LABEL(r.r[0]), ECHO_OP_ECHO);
	CHECK_EQ(MSG_LEN(r.r[0]), 4);
	CHECK_EQ(r.r[1], 2);
	CHECK_EQ(r.r[2], 3);
	CHECK_EQ(r.r[3], 4);
	CHECK_EQ(r.r[4], 5);
	CHECK_EQ(r.r[5], 0);
	r = echo_call(ep, ECHO_OP_ECHO, 1, words, 0);
	CHECK_EQ(MSG_LEN(r.r[0]), 1);
	CHECK_EQ(r.r[1], 2);

	/* The server tells the callers apart by badge. */
	CHECK_EQ(echo_call(b1, ECHO_OP_BADGE, 0, NULL, 0).r[1], 0x11);
	CHECK_EQ(echo_call(b2, ECHO_OP_BADGE, 0, NULL, 0).r[1], 0x22);
	CHECK_EQ(echo_call(ep, ECHO_OP_BADGE, 0, NULL, 0).r[1], 0);
	CHECK_EQ(MSG_LABEL(echo_call(ep, 0x777, 0, NULL, 0).r[0]), ECHO_OP_ERROR);

	/* One-way send, then read it back. */
	m = (msg_t){MSG_INFO(ECHO_OP_STORE, 4), {st[0], st[1], st[2], st[3]}, 0};
	CHECK_EQ(sys_send(b2, &m).r0, 0);
	r = echo_call(b2, ECHO_OP_LOAD, 0, NULL, 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[1], 7);
	CHECK_EQ(r.r[4], 10);

	/* A notification cap, transferred: uecho signals it. */
	r = echo_call(b1, ECHO_OP_NOTIFY, 0, NULL, (unsigned long)nb);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0] & MSG_CAP, 0);
	CHECK_EQ(r.r[1], 1);
	CHECK_EQ(r.r[2], 0);
	r = sys_poll(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 0x40);
	CHECK_EQ(cap_type(nb), CAP_NOTIFICATION);
	{
		capinfo_t ci = cap_info(c.cspace, ECHO_RSLOT);

		CHECK_EQ(ci.type, CAP_NOTIFICATION);
		CHECK_EQ(ci.rights, RIGHT_WRITE);
		CHECK_EQ(ci.badge, 0x40);
	}
	/* Its receive slot is full now: the cap is not delivered. */
	r = echo_call(b1, ECHO_OP_NOTIFY, 0, NULL, (unsigned long)nb);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[1], 0);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	/* Empty it from outside, through our cap to its cspace. */
	CHECK_EQ(INV1(c.cspace, CSPACE_DELETE, ECHO_RSLOT), 0);
	CHECK_EQ(echo_call(b1, ECHO_OP_NOTIFY, 0, NULL, 0).r[1], 0);
	CHECK_EQ(cap_info(c.cspace, ECHO_RSLOT).type, CAP_NULL);
	/* No GRANT on the endpoint cap: refused at send time. */
	CHECK_EQ(echo_call(nog, ECHO_OP_NOTIFY, 0, NULL, (unsigned long)nb).r0, E_PERM);
	CHECK_EQ(echo_call(b2, ECHO_OP_NOTIFY, 0, NULL, (unsigned long)nb).r0, E_PERM);
	CHECK_EQ(cap_info(c.cspace, ECHO_RSLOT).type, CAP_NULL);
	/* Still serving after all that. */
	CHECK_EQ(echo_call(nog, ECHO_OP_BADGE, 0, NULL, 0).r[1], 0x11);

	child_destroy(&c);
	CHECK_EQ(cap_type(c.thread), CAP_NULL);
	cap_delete(nog);
	cap_delete(nb);
	cap_delete(b2);
	cap_delete(b1);
	cap_delete(n);
	cap_delete(ep);
	return 0;
}

static volatile struct {
	long r0;
	unsigned long done;
} sp;

static void call_echo(unsigned long ep)
{
	static const unsigned long w[1] = {1};

	sp.r0 = echo_call(ep, ECHO_OP_ECHO, 1, w, 0).r0;
	sp.done = 1;
}

/* Destroying a child drops the last cap of the endpoint it served (the
 * copy in its cspace): a caller queued on that endpoint gets E_NOENT. */
static int test_spawn_destroy_server(void)
{
	long ep, t;
	child_t c;

	sp.done = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_EQ(start_echo(ep, &c), 0);
	/* Stop the server, then call: the caller queues on the endpoint. */
	CHECK_EQ(INV0(c.thread, THREAD_SUSPEND), 0);
	CHECK_OK(t, spawn(call_echo, (unsigned long)ep, 0, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);
	/* The endpoint lives on in the child's cspace: delete ours, then the
	 * child, which drops the last cap. */
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(sp.done, 0);
	child_destroy(&c);
	CHECK_EQ(sp.done, 1);
	CHECK_EQ(sp.r0, E_NOENT);
	kill_thread(t);
	return 0;
}

const test_t tests_spawn[] = {
    {"spawn_missing", test_spawn_missing},
    {"spawn_echo", test_spawn_echo},
    {"spawn_destroy_server", test_spawn_destroy_server},
};
const int tests_spawn_count = sizeof(tests_spawn) / sizeof(tests_spawn[0]);
