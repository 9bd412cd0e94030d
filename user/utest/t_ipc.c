/*
 * Endpoint IPC between threads of the root task's address space: call and
 * reply, send and receive in both directions, reply_recv, capability
 * transfer, every error, and what happens to waiters when an endpoint or
 * a server goes away or a waiter is suspended.  IPC between address
 * spaces is in t_spawn.c.
 *
 * Priorities steer who runs: a thread at 17 runs as soon as it can, so it
 * is already blocked when the root continues; a thread at 15 runs only
 * while the root is blocked.
 */
#include "utest.h"

static volatile struct {
	long r0[4];
	unsigned long info[4], w[4][MSG_WORDS], badge[4];
	unsigned long rinfo[4]; /* receive info per round (cap transfer) */
	unsigned long n, done, ep, ntfn;
} ipc;

static void ipc_reset(void)
{
	ipc.n = 0;
	ipc.done = 0;
}

/* Record a RECV-style result as round ipc.n. */
static void record(const sysret_t *r)
{
	unsigned long i = ipc.n;

	if (i >= 4)
		return;
	ipc.r0[i] = r->r0;
	ipc.info[i] = r->r[0];
	for (int k = 0; k < MSG_WORDS; k++)
		ipc.w[i][k] = r->r[1 + k];
	ipc.badge[i] = r->r[5];
	ipc.n = i + 1;
}

/* Server: answer each call with label 7, words + 1 and the badge. */
static void server(unsigned long ep)
{
	sysret_t r = sys_recv(ep, 0);

	while (r.r0 == 0) {
		msg_t m = {MSG_INFO(7, 4), {r.r[1] + 1, r.r[2] + 1, r.r[3] + 1, r.r[5]}, 0};

		record(&r);
		r = sys_reply_recv(ep, &m);
	}
	ipc.r0[3] = r.r0;
}

static int test_ipc_reply_no_caller(void)
{
	msg_t m = {MSG_INFO(1, 1), {1}, 0};

	CHECK_EQ(sys_reply(&m).r0, E_NOENT);
	return 0;
}

static int test_ipc_call_reply(void)
{
	msg_t m = {MSG_INFO(3, 3), {10, 20, 30, 40}, 0};
	long ep, b, t;
	sysret_t r;

	ipc_reset();
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(b, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b, RIGHT_WRITE, 0x55), 0);
	CHECK_OK(t, spawn(server, (unsigned long)ep, 0, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);

	r = sys_call(b, &m);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(MSG_LABEL(r.r[0]), 7);
	CHECK_EQ(MSG_LEN(r.r[0]), 4);
	CHECK_EQ(r.r[0] & MSG_CAP, 0);
	CHECK_EQ(r.r[1], 11);
	CHECK_EQ(r.r[2], 21);
	CHECK_EQ(r.r[3], 31);
	CHECK_EQ(r.r[4], 0x55); /* the server saw our badge */
	CHECK_EQ(r.r[5], 0);	/* a reply carries no badge */
	CHECK_EQ(ipc.n, 1);
	CHECK_EQ(MSG_LABEL(ipc.info[0]), 3);
	CHECK_EQ(MSG_LEN(ipc.info[0]), 3);
	CHECK_EQ(ipc.w[0][2], 30);

	/* Again through the unbadged cap: the server's reply_recv loop. */
	m.info = MSG_INFO(4, 1);
	m.w[0] = 100;
	r = sys_call(ep, &m);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[1], 101);
	CHECK_EQ(r.r[4], 0);
	CHECK_EQ(ipc.n, 2);
	CHECK_EQ(MSG_LABEL(ipc.info[1]), 4);
	CHECK_EQ(MSG_LEN(ipc.info[1]), 1);
	CHECK_EQ(ipc.w[1][0], 100);

	/* A call with no words. */
	m.info = MSG_INFO(5, 0);
	r = sys_call(ep, &m);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(MSG_LEN(ipc.info[2]), 0);
	CHECK_EQ(MSG_LABEL(ipc.info[2]), 5);

	kill_thread(t);
	cap_delete(b);
	cap_delete(ep);
	return 0;
}

static void recv_once(unsigned long ep)
{
	sysret_t r = sys_recv(ep, 0);

	record(&r);
	ipc.done = 1;
}

static void send_then_signal(unsigned long arg)
{
	msg_t m = {MSG_INFO(0x1234, 4), {5, 6, 7, 8}, 0};

	ipc.r0[1] = sys_send(ipc.ep, &m).r0;
	ipc.done = 1;
	sys_signal(ipc.ntfn);
}

static int test_ipc_send_recv(void)
{
	msg_t m = {MSG_INFO(0x99, 2), {0xaa, 0xbb, 0xcc, 0xdd}, 0};
	long ep, b, n, t;
	sysret_t r;

	ipc_reset();
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(b, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b, RIGHT_WRITE, 0x66), 0);

	/* Root sends to a waiting receiver. */
	CHECK_OK(t, spawn(recv_once, (unsigned long)ep, 0, 17, NO_FAULT_EP));
	CHECK_EQ(sys_send(b, &m).r0, 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[0], 0);
	CHECK_EQ(MSG_LABEL(ipc.info[0]), 0x99);
	CHECK_EQ(MSG_LEN(ipc.info[0]), 2);
	CHECK_EQ(ipc.info[0] & MSG_CAP, 0);
	CHECK_EQ(ipc.w[0][0], 0xaa);
	CHECK_EQ(ipc.w[0][1], 0xbb);
	CHECK_EQ(ipc.badge[0], 0x66);
	kill_thread(t);

	/* Root receives from a sender that runs only while the root waits. */
	ipc.done = 0;
	ipc.ep = (unsigned long)ep;
	ipc.ntfn = (unsigned long)n;
	CHECK_OK(t, spawn(send_then_signal, 0, 0, 15, NO_FAULT_EP));
	CHECK_EQ(ipc.done, 0);
	r = sys_recv(ep, 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(MSG_LABEL(r.r[0]), 0x1234);
	CHECK_EQ(MSG_LEN(r.r[0]), 4);
	CHECK_EQ(r.r[1], 5);
	CHECK_EQ(r.r[4], 8);
	CHECK_EQ(r.r[5], 0);
	CHECK_EQ(sys_wait(n).r0, 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[1], 0);
	/* The sender was not a caller: nothing to reply to. */
	CHECK_EQ(sys_reply(&m).r0, E_NOENT);
	kill_thread(t);
	cap_delete(b);
	cap_delete(n);
	cap_delete(ep);
	return 0;
}

static void client_twice(unsigned long arg)
{
	msg_t m = {MSG_INFO(1, 1), {1}, 0};
	sysret_t r;

	r = sys_call(ipc.ep, &m);
	ipc.r0[0] = r.r0;
	ipc.w[0][0] = r.r[1];
	m.w[0] = 2;
	r = sys_call(ipc.ep, &m);
	ipc.r0[1] = r.r0;
	ipc.w[1][0] = r.r[1];
	ipc.done = 1;
	sys_signal(ipc.ntfn);
}

/* The root as a server: recv, reply_recv, reply. */
static int test_ipc_reply_recv(void)
{
	msg_t m = {0};
	long ep, n, t;
	sysret_t r;

	ipc_reset();
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	ipc.ep = (unsigned long)ep;
	ipc.ntfn = (unsigned long)n;
	CHECK_OK(t, spawn(client_twice, 0, 0, 15, NO_FAULT_EP));
	r = sys_recv(ep, 0);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[1], 1);
	m.info = MSG_INFO(2, 1);
	m.w[0] = 10;
	r = sys_reply_recv(ep, &m);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[1], 2);
	m.w[0] = 20;
	CHECK_EQ(sys_reply(&m).r0, 0);
	CHECK_EQ(sys_reply(&m).r0, E_NOENT);
	CHECK_EQ(sys_wait(n).r0, 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[0], 0);
	CHECK_EQ(ipc.w[0][0], 10);
	CHECK_EQ(ipc.r0[1], 0);
	CHECK_EQ(ipc.w[1][0], 20);
	kill_thread(t);
	cap_delete(n);
	cap_delete(ep);
	return 0;
}

static int test_ipc_errors(void)
{
	msg_t m = {MSG_INFO(1, 5), {0}, 0};
	long ep, n, ro, wo, nog;

	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(ro, slot_alloc());
	CHECK_OK(wo, slot_alloc());
	CHECK_OK(nog, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, ro, RIGHT_READ | RIGHT_GRANT), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, wo, RIGHT_WRITE | RIGHT_GRANT), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, nog, RIGHT_READ | RIGHT_WRITE), 0);

	/* More than four words. */
	CHECK_EQ(sys_send(ep, &m).r0, E_INVAL);
	CHECK_EQ(sys_call(ep, &m).r0, E_INVAL);
	m.info = MSG_INFO(1, 7);
	CHECK_EQ(sys_send(ep, &m).r0, E_INVAL);
	/* Rights. */
	m.info = MSG_INFO(1, 1);
	CHECK_EQ(sys_send(ro, &m).r0, E_PERM);
	CHECK_EQ(sys_call(ro, &m).r0, E_PERM);
	CHECK_EQ(sys_recv(wo, 0).r0, E_PERM);
	CHECK_EQ(sys_reply_recv(wo, &m).r0, E_PERM);
	/* A cap transfer needs GRANT and a valid cap, checked at send time. */
	m.info = MSG_INFO(1, 1) | MSG_CAP;
	m.cap = (unsigned long)n;
	CHECK_EQ(sys_send(nog, &m).r0, E_PERM);
	CHECK_EQ(sys_call(nog, &m).r0, E_PERM);
	m.cap = SLOT_NULL;
	CHECK_EQ(sys_send(wo, &m).r0, E_BADCAP);
	m.cap = ROOT_CSPACE_SLOTS;
	CHECK_EQ(sys_call(wo, &m).r0, E_BADCAP);
	/* IPC on objects that are not endpoints. */
	m.info = MSG_INFO(1, 1);
	CHECK_EQ(sys_send(n, &m).r0, E_TYPE);
	CHECK_EQ(sys_call(SLOT_POOL, &m).r0, E_TYPE);
	CHECK_EQ(sys_recv(n, 0).r0, E_TYPE);
	CHECK_EQ(sys_reply_recv(SLOT_DEBUG, &m).r0, E_TYPE);

	cap_delete(nog);
	cap_delete(wo);
	cap_delete(ro);
	cap_delete(n);
	cap_delete(ep);
	return 0;
}

/* Receive three times, with the receive info the root put in ipc.rinfo. */
static void recv_caps(unsigned long ep)
{
	for (int i = 0; i < 3; i++) {
		sysret_t r = sys_recv(ep, ipc.rinfo[i]);

		record(&r);
	}
	ipc.done = 1;
}

/* Capability transfer between threads of one cspace. */
static int test_ipc_cap_transfer(void)
{
	msg_t m = {MSG_INFO(2, 1) | MSG_CAP, {1}, 0};
	long ep, n, nb, rs, other, t;
	capinfo_t ci;

	ipc_reset();
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(nb, slot_alloc());
	CHECK_OK(rs, slot_alloc());
	CHECK_OK(other, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, n, nb, RIGHT_WRITE, 0x300), 0);
	ipc.rinfo[0] = MSG_WITH_RSLOT(0, rs);
	ipc.rinfo[1] = MSG_WITH_RSLOT(0, rs); /* slot now occupied */
	ipc.rinfo[2] = 0;		      /* does not accept */
	CHECK_OK(t, spawn(recv_caps, (unsigned long)ep, 0, 17, NO_FAULT_EP));

	m.cap = (unsigned long)nb;
	CHECK_EQ(sys_send(ep, &m).r0, 0);
	CHECK_EQ(ipc.n, 1);
	CHECK_EQ(ipc.r0[0], 0);
	CHECK(ipc.info[0] & MSG_CAP);
	CHECK_EQ(MSG_LABEL(ipc.info[0]), 2);
	ci = cap_info(SLOT_CSPACE, rs);
	CHECK_EQ(ci.type, CAP_NOTIFICATION);
	CHECK_EQ(ci.rights, RIGHT_WRITE);
	CHECK_EQ(ci.badge, 0x300);
	/* Copied, not moved. */
	CHECK_EQ(cap_type(nb), CAP_NOTIFICATION);
	/* The received cap works. */
	CHECK_EQ(sys_signal(rs), 0);
	CHECK_EQ(sys_poll(n).r[0], 0x300);

	/* Occupied receive slot: the message arrives without the cap. */
	m.cap = (unsigned long)ep;
	CHECK_EQ(sys_send(ep, &m).r0, 0);
	CHECK_EQ(ipc.n, 2);
	CHECK_EQ(ipc.r0[1], 0);
	CHECK_EQ(ipc.info[1] & MSG_CAP, 0);
	CHECK_EQ(cap_info(SLOT_CSPACE, rs).badge, 0x300);

	/* Receiver not accepting: likewise. */
	CHECK_EQ(sys_send(ep, &m).r0, 0);
	CHECK_EQ(ipc.n, 3);
	CHECK_EQ(ipc.info[2] & MSG_CAP, 0);
	CHECK_EQ(cap_type(other), CAP_NULL);
	CHECK_EQ(ipc.done, 1);

	kill_thread(t);
	cap_delete(rs);
	cap_delete(nb);
	cap_delete(n);
	cap_delete(ep);
	return 0;
}

/* Deleting the last cap of an endpoint wakes its waiters with E_NOENT. */
static int test_ipc_ep_deleted(void)
{
	long ep, t1, t2;

	ipc_reset();
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(t1, spawn(recv_once, (unsigned long)ep, 0, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t1), THREAD_BLOCKED);
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[0], E_NOENT);
	kill_thread(t1);

	/* A blocked sender likewise. */
	ipc.done = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	ipc.ep = (unsigned long)ep;
	ipc.ntfn = SLOT_NULL; /* its signal afterwards fails harmlessly */
	CHECK_OK(t2, spawn(send_then_signal, 0, 1, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t2), THREAD_BLOCKED);
	CHECK_EQ(ipc.done, 0);
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[1], E_NOENT);
	kill_thread(t2);
	return 0;
}

/* Receive one call and never answer: suspend instead. */
static void server_mute(unsigned long ep)
{
	sysret_t r = sys_recv(ep, 0);

	record(&r);
}

static void caller(unsigned long ep)
{
	msg_t m = {MSG_INFO(1, 1), {9}, 0};

	ipc.r0[2] = sys_call(ep, &m).r0;
	ipc.done = 1;
}

/* A caller whose server is destroyed before replying gets E_NOENT. */
static int test_ipc_server_deleted(void)
{
	long ep, s, c;

	ipc_reset();
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(s, spawn(server_mute, (unsigned long)ep, 0, 18, NO_FAULT_EP));
	CHECK_OK(c, spawn(caller, (unsigned long)ep, 1, 17, NO_FAULT_EP));
	CHECK_EQ(ipc.n, 1);
	CHECK_EQ(ipc.w[0][0], 9);
	CHECK_EQ(thread_state(s), THREAD_SUSPENDED);
	CHECK_EQ(thread_state(c), THREAD_BLOCKED);
	CHECK_EQ(ipc.done, 0);
	CHECK_EQ(cap_delete(s), 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[2], E_NOENT);
	kill_thread(c);
	cap_delete(ep);
	return 0;
}

/* Suspending a thread blocked in RECV aborts it: E_AGAIN on resume. */
static int test_ipc_suspend_abort(void)
{
	long ep, t, n;

	ipc_reset();
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(t, spawn(recv_once, (unsigned long)ep, 0, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);
	CHECK_EQ(INV0(t, THREAD_SUSPEND), 0);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	CHECK_EQ(ipc.done, 0);
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[0], E_AGAIN);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	kill_thread(t);

	/* It is no longer queued: a send now finds no receiver and blocks,
	 * so send from a thread and check that it stays blocked. */
	ipc.done = 0;
	ipc.ep = (unsigned long)ep;
	ipc.ntfn = (unsigned long)n;
	CHECK_OK(t, spawn(send_then_signal, 0, 1, 17, NO_FAULT_EP));
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);
	CHECK_EQ(ipc.done, 0);
	/* Now take the message; the sender then signals. */
	CHECK_EQ(sys_recv(ep, 0).r0, 0);
	CHECK_EQ(sys_wait(n).r0, 0);
	CHECK_EQ(ipc.done, 1);
	CHECK_EQ(ipc.r0[1], 0);
	kill_thread(t);
	cap_delete(n);
	cap_delete(ep);
	return 0;
}

const test_t tests_ipc[] = {
    {"ipc_reply_no_caller", test_ipc_reply_no_caller},
    {"ipc_call_reply", test_ipc_call_reply},
    {"ipc_send_recv", test_ipc_send_recv},
    {"ipc_reply_recv", test_ipc_reply_recv},
    {"ipc_errors", test_ipc_errors},
    {"ipc_cap_transfer", test_ipc_cap_transfer},
    {"ipc_ep_deleted", test_ipc_ep_deleted},
    {"ipc_server_deleted", test_ipc_server_deleted},
    {"ipc_suspend_abort", test_ipc_suspend_abort},
};
const int tests_ipc_count = sizeof(tests_ipc) / sizeof(tests_ipc[0]);
