/*
 * Endpoints and synchronous IPC.
 *
 * A message is an info word, up to four words, the badge of the sender's
 * endpoint capability and optionally one capability.  Nothing is buffered
 * in the endpoint: a sender waits in the queue with its message in its
 * thread (msg_*), a receiver waits with its receive slot (recv_info), and
 * the message moves when the two meet.  A call leaves the caller blocked
 * for the reply; the receiver holds it in reply_to (one pending reply per
 * thread: receiving a new call drops the old caller with E_NOENT).
 *
 * Fault messages take the same path, with the thread's saved registers
 * left untouched so that a reply resumes it at its pc.
 *
 * Locking: none (one hart, interrupts off in the kernel).
 */
#include <string.h>

#include <abi/error.h>
#include <abi/syscall.h>
#include <kern/assert.h>
#include <kern/endpoint.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/trace.h>

int ep_create(pool_t *pool, endpoint_t **out)
{
	kobj_t *o;
	int err = kobj_alloc(pool, CAP_ENDPOINT, &o);
	if (!err)
		*out = (endpoint_t *)o;
	return err;
}

void ep_dequeue(endpoint_t *ep, thread_t *t)
{
	tqueue_remove(&ep->queue, t);
}

void ep_destroy(endpoint_t *ep)
{
	thread_t *t;
	while ((t = ep->queue.head) != NULL) {
		thread_abort_ipc(t, E_NOENT);
		sched_wake(t);
	}
}

/* Move S's message into R's result registers; R's syscall completes. */
static void transfer(thread_t *s, thread_t *r)
{
	uint64_t info = s->msg_info & ~(uint64_t)(MSG_CAP | MSG_ACCEPT | (0xffffUL << 16));
	uint64_t out[6] = {0};

	if (s->msg_cap.type != CAP_NULL) {
		cap_t *slot = NULL;
		if (r->recv_info & MSG_ACCEPT)
			slot = cspace_slot(r->cs, MSG_RSLOT(r->recv_info));
		if (slot && slot->type == CAP_NULL) {
			cspace_install(slot, &s->msg_cap);
			info |= MSG_CAP;
		} else {
			cap_drop(&s->msg_cap);
		}
		memset(&s->msg_cap, 0, sizeof(s->msg_cap));
	}
	out[0] = info;
	for (unsigned i = 0; i < MSG_LEN(info); i++)
		out[1 + i] = s->msg[i];
	out[5] = s->msg_badge;
	TRACE(TRACE_M_IPC, TRACE_IPC_RECV, r->id, MSG_LABEL(info));
	syscall_complete(r, 0, out);
}

/* R received S's call: S now waits for R's reply. */
static void link_reply(thread_t *s, thread_t *r)
{
	if (r->reply_to) {
		thread_t *old = r->reply_to;
		old->replier = NULL;
		r->reply_to = NULL;
		if (!old->fault)
			syscall_complete(old, E_NOENT, NULL);
		old->fault = false;
		sched_wake(old);
	}
	sched_block(s, THREAD_BLOCKED);
	s->ipc = IPC_REPLY;
	s->wait_obj = NULL;
	s->replier = r;
	r->reply_to = s;
}

/* S's message goes to a waiting receiver or S waits in the queue. */
static long send_or_queue(thread_t *s, endpoint_t *ep, bool call)
{
	thread_t *r = ep->queue.head;
	if (r && r->ipc == IPC_RECV) {
		tqueue_remove(&ep->queue, r);
		transfer(s, r);
		sched_wake(r);
		if (!call)
			return 0;
		link_reply(s, r);
		return IPC_BLOCKED;
	}
	sched_block(s, THREAD_BLOCKED);
	s->ipc = call ? IPC_CALL : IPC_SEND;
	s->wait_obj = ep;
	tqueue_push(&ep->queue, s);
	return IPC_BLOCKED;
}

/* Load self's outgoing message from its registers (a1..a6). */
static long load_message(thread_t *self, const cap_t *epcap, bool need_grant)
{
	uint64_t info = tf_arg(&self->tf, 1);
	if (MSG_LEN(info) > MSG_WORDS)
		return E_INVAL;
	memset(&self->msg_cap, 0, sizeof(self->msg_cap));
	if (info & MSG_CAP) {
		cap_t *c;
		int err = cspace_lookup(self->cs, tf_arg(&self->tf, 6), &c);
		if (err)
			return err;
		if (need_grant && !(epcap->rights & RIGHT_GRANT))
			return E_PERM;
		self->msg_cap = *c;
		cap_ref_object(&self->msg_cap);
	}
	self->msg_info = info;
	for (int i = 0; i < MSG_WORDS; i++)
		self->msg[i] = tf_arg(&self->tf, 2 + i);
	self->msg_badge = epcap ? epcap->badge : 0;
	self->fault = false;
	return 0;
}

long ipc_send(thread_t *self, const cap_t *epcap, bool call)
{
	if (epcap->type != CAP_ENDPOINT)
		return E_TYPE;
	if (!(epcap->rights & RIGHT_WRITE))
		return E_PERM;
	long err = load_message(self, epcap, true);
	if (err)
		return err;
	if (call)
		self->ipc_calls++;
	else
		self->ipc_sends++;
	/* A call's reply may carry a capability into the caller's RSLOT. */
	self->recv_info = tf_arg(&self->tf, 1);
	return send_or_queue(self, (endpoint_t *)epcap->obj, call);
}

long ipc_recv(thread_t *self, const cap_t *epcap)
{
	if (epcap->type != CAP_ENDPOINT)
		return E_TYPE;
	if (!(epcap->rights & RIGHT_READ))
		return E_PERM;
	endpoint_t *ep = (endpoint_t *)epcap->obj;
	self->recv_info = tf_arg(&self->tf, 1);
	thread_t *s = ep->queue.head;
	if (s && (s->ipc == IPC_SEND || s->ipc == IPC_CALL)) {
		bool call = s->ipc == IPC_CALL;
		tqueue_remove(&ep->queue, s);
		transfer(s, self);
		if (call) {
			link_reply(s, self);
		} else {
			syscall_complete(s, 0, NULL);
			sched_wake(s);
		}
		return IPC_BLOCKED; /* self's result is already written */
	}
	sched_block(self, THREAD_BLOCKED);
	self->ipc = IPC_RECV;
	self->wait_obj = ep;
	tqueue_push(&ep->queue, self);
	return IPC_BLOCKED;
}

long ipc_reply(thread_t *self)
{
	thread_t *c = self->reply_to;
	if (!c)
		return E_NOENT;
	long err = load_message(self, NULL, false);
	if (err)
		return err;
	self->reply_to = NULL;
	c->replier = NULL;
	if (c->fault) {
		/* Resume the faulted thread at its pc; drop any capability. */
		if (self->msg_cap.type != CAP_NULL)
			cap_drop(&self->msg_cap);
		c->fault = false;
	} else {
		transfer(self, c);
	}
	sched_wake(c);
	return 0;
}

void ipc_send_fault(thread_t *self, uint64_t scause, uint64_t addr, uint64_t pc, unsigned kind)
{
	assert(self->fault_ep);
	memset(&self->msg_cap, 0, sizeof(self->msg_cap));
	self->msg_info = MSG_INFO(FAULT_LABEL, 4);
	self->msg[0] = scause;
	self->msg[1] = addr;
	self->msg[2] = pc;
	self->msg[3] = kind;
	self->msg_badge = self->fault_badge;
	self->recv_info = 0;
	send_or_queue(self, self->fault_ep, true);
	self->fault = true;
}
