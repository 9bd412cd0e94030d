/*
 * IPC fast paths.
 *
 * The common client/server round trip is a call that finds its server
 * waiting in receive, answered by a reply_recv.  These two functions do
 * exactly what the general path in kern/endpoint.c does for that case
 * (same result registers, same thread states, same queues) in a straight
 * line, and switch directly to the partner.  Anything unusual (a
 * capability transfer, a partner that should not run next, a sender
 * already queued, a pending reply, a fault) returns before any state has
 * changed, and the general path takes over.  test/ checks both paths give
 * the same results; BENCHMARKS.md gives the cost.
 *
 * Direct switch: taken only when the partner will be the one runnable
 * thread at its priority and above once the sender blocks (fast_alone),
 * so it does exactly what the general path's wake and reschedule would.
 */
#include <abi/syscall.h>
#include <arch/cpu.h>
#include <kern/endpoint.h>
#include <kern/fastpath.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/trace.h>

#define INFO_KEEP (~(uint64_t)(MSG_CAP | MSG_ACCEPT | (0xffffUL << 16)))

/* These functions call nothing that can fail and leave by a jump, so they
 * need no frame record (a backtrace from below them still ends cleanly). */
#define FASTPATH __attribute__((optimize("omit-frame-pointer")))

/* The message in from's a1..a5 becomes to's RECV result, with badge. */
static inline __attribute__((always_inline)) void
fast_copy(const trapframe_t *from, trapframe_t *to, uint64_t info, uint64_t badge)
{
	uint64_t len = MSG_LEN(info);
	tf_set_arg(to, 0, 0);
	tf_set_arg(to, 1, info & INFO_KEEP);
	/* Words past the length read as zero (masks, not branches). */
	tf_set_arg(to, 2, tf_arg(from, 2) & -(uint64_t)(len > 0));
	tf_set_arg(to, 3, tf_arg(from, 3) & -(uint64_t)(len > 1));
	tf_set_arg(to, 4, tf_arg(from, 4) & -(uint64_t)(len > 2));
	tf_set_arg(to, 5, tf_arg(from, 5) & -(uint64_t)(len > 3));
	tf_set_arg(to, 6, badge);
}

/* The running thread t (head of its queue) leaves the run queue. */
static inline __attribute__((always_inline)) void fast_block_running(thread_t *t)
{
	size_t p = t->prio;
	thread_t *n = t->next;
	runq.head[p] = n;
	if (n)
		n->prev = NULL;
	else {
		runq.tail[p] = NULL;
		runq.nonempty &= ~(1u << p);
	}
	t->next = NULL;
	t->in_runq = 0;
	t->state = THREAD_BLOCKED;
}

/* t, just linked into the run queue, becomes runnable and runs now. */
static inline __attribute__((always_inline, noreturn)) void fast_run(thread_t *t, bool traced)
{
	t->in_runq = 1;
	t->state = THREAD_RUNNABLE;
	t->ipc = IPC_NONE;
	t->wait_obj = NULL;
	t->slice = SCHED_SLICE_TICKS;
	runq.switches++;
	t->switches_in++;
	sched_set_current(t);
	if (traced) /* under t's tag (fast_trace) */
		TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, t->tf.sepc, 0);
	aspace_activate(t->as);
	this_cpu()->cur_tf = &t->tf;
	arch_user_return_from_user(&t->tf);
}

/* t (blocked) becomes runnable at the head of its queue and runs now. */
static inline __attribute__((always_inline, noreturn)) void fast_switch(thread_t *t, bool traced)
{
	size_t p = t->prio;
	thread_t *h = runq.head[p];
	t->prev = NULL;
	t->next = h;
	if (h)
		h->prev = t;
	else
		runq.tail[p] = t;
	runq.head[p] = t;
	runq.nonempty |= 1u << p;
	fast_run(t, traced);
}

/* The running thread self blocks and t, of the same priority, takes its
 * place at the head of the queue and runs: the common case, cheaper than
 * fast_block_running + fast_switch. */
static inline __attribute__((always_inline, noreturn)) void fast_swap(thread_t *self, thread_t *t,
								      bool traced)
{
	size_t p = self->prio;
	thread_t *n = self->next;
	t->prev = NULL;
	t->next = n;
	if (n)
		n->prev = t;
	else
		runq.tail[p] = t;
	runq.head[p] = t;
	self->next = NULL;
	self->in_runq = 0;
	self->state = THREAD_BLOCKED;
	fast_run(t, traced);
}

/*
 * True if, once self blocks, t would be the one thread to run: nothing
 * else runnable at t's priority or above.  Then a direct switch does
 * exactly what the general path's wake (to the tail of t's queue) and
 * reschedule would do; otherwise (say, a child that fork just made
 * runnable) the general path keeps the queue order.
 */
static inline bool fast_alone(const thread_t *self, const thread_t *t)
{
	if (t->prio == self->prio)
		return self->next == NULL; /* self heads its queue: alone in it? */
	return t->prio > self->prio && (runq.nonempty >> t->prio) == 0;
}

/* self blocks, t runs next. */
static inline __attribute__((always_inline, noreturn)) void fast_handoff(thread_t *self,
									 thread_t *t, bool traced)
{
	if (t->prio == self->prio)
		fast_swap(self, t, traced);
	fast_block_running(self);
	fast_switch(t, traced);
}

/* Not the simple case: the general path (recording the exit if traced). */
static inline __attribute__((always_inline)) bool general(trapframe_t *tf, uint64_t no, bool traced)
{
	return traced ? syscall_dispatch_traced(tf, no) : syscall_dispatch(tf, no);
}

/* While tracing, what the general path records from the delivery to the
 * switch: t receives self's message, t is switched to and tags the
 * hart's events from now on (fast_run records the exit to t). */
static inline __attribute__((always_inline)) void fast_trace(thread_t *self, thread_t *t,
							     uint64_t info)
{
	TRACE(TRACE_M_IPC, TRACE_IPC_RECV, t->id, MSG_LABEL(info));
	trace_switch(this_cpu(), t, t->id, self->id);
}

static inline __attribute__((always_inline)) bool call(trapframe_t *tf, bool traced)
{
	thread_t *self = sched_current();
	uint64_t info = tf_arg(tf, 1);
	if ((info & (MSG_CAP | 7)) > MSG_WORDS) /* a capability, or too long */
		return general(tf, SYS_CALL, traced);
	cap_t *c = cspace_slot(self->cs, tf_arg(tf, 0));
	if (!c || c->type != CAP_ENDPOINT || !(c->rights & RIGHT_WRITE))
		return general(tf, SYS_CALL, traced);
	endpoint_t *ep = (endpoint_t *)c->obj;
	thread_t *r = ep->queue.head;
	if (!r || r->ipc != IPC_RECV || r->reply_to || !fast_alone(self, r))
		return general(tf, SYS_CALL, traced);

	/* r leaves the endpoint's queue. */
	ep->queue.head = r->next;
	if (r->next)
		r->next->prev = NULL;
	else
		ep->queue.tail = NULL;
	fast_copy(tf, &r->tf, info, c->badge);
	self->ipc = IPC_REPLY;
	self->wait_obj = NULL;
	self->recv_info = info;
	self->replier = r;
	self->fault = false;
	self->ipc_calls++;
	r->reply_to = self;
	if (traced)
		fast_trace(self, r, info);
	fast_handoff(self, r, traced);
}

static inline __attribute__((always_inline)) bool reply_recv(trapframe_t *tf, bool traced)
{
	thread_t *self = sched_current();
	uint64_t info = tf_arg(tf, 1);
	thread_t *c = self->reply_to;
	if (!c || c->fault || (info & (MSG_CAP | 7)) > MSG_WORDS || !fast_alone(self, c))
		return general(tf, SYS_REPLY_RECV, traced);
	cap_t *ec = cspace_slot(self->cs, tf_arg(tf, 0));
	if (!ec || ec->type != CAP_ENDPOINT || !(ec->rights & RIGHT_READ))
		return general(tf, SYS_REPLY_RECV, traced);
	endpoint_t *ep = (endpoint_t *)ec->obj;
	thread_t *t = ep->queue.tail;
	if (ep->queue.head && ep->queue.head->ipc != IPC_RECV)
		return general(tf, SYS_REPLY_RECV, traced); /* a sender waits */

	fast_copy(tf, &c->tf, info, 0);
	self->reply_to = NULL;
	c->replier = NULL;
	self->ipc = IPC_RECV;
	self->wait_obj = ep;
	self->recv_info = info;
	/* self joins the endpoint's queue of receivers. */
	self->next = NULL;
	self->prev = t;
	if (t)
		t->next = self;
	else
		ep->queue.head = self;
	ep->queue.tail = self;
	if (traced)
		fast_trace(self, c, info);
	fast_handoff(self, c, traced);
}

FASTPATH bool fastpath_call(trapframe_t *tf)
{
	return call(tf, false);
}

FASTPATH bool fastpath_reply_recv(trapframe_t *tf)
{
	return reply_recv(tf, false);
}

FASTPATH bool fastpath_call_traced(trapframe_t *tf)
{
	return call(tf, true);
}

FASTPATH bool fastpath_reply_recv_traced(trapframe_t *tf)
{
	return reply_recv(tf, true);
}
