/*
 * Notifications.
 *
 * A signal ORs the capability's badge (1 for an unbadged capability) into
 * the word and hands the whole word to the first waiter, clearing it.
 * Waiters queue in FIFO order.
 */
#include <abi/error.h>
#include <kern/assert.h>
#include <kern/endpoint.h>
#include <kern/notification.h>
#include <kern/sched.h>
#include <kern/syscall.h>

int ntfn_create(pool_t *pool, notification_t **out)
{
	kobj_t *o;
	int err = kobj_alloc(pool, CAP_NOTIFICATION, &o);
	if (!err)
		*out = (notification_t *)o;
	return err;
}

void ntfn_destroy(notification_t *n)
{
	thread_t *t;
	while ((t = tqueue_pop(&n->waiters)) != NULL) {
		syscall_complete(t, E_NOENT, NULL);
		sched_wake(t);
	}
}

void ntfn_signal(notification_t *n, uint64_t bits)
{
	n->word |= bits ? bits : 1;
	thread_t *t = tqueue_pop(&n->waiters);
	if (!t)
		return;
	uint64_t out[6] = {n->word};
	n->word = 0;
	syscall_complete(t, 0, out);
	sched_wake(t);
}

long ntfn_wait(notification_t *n, thread_t *self, bool block, uint64_t *word)
{
	if (n->word) {
		*word = n->word;
		n->word = 0;
		return 0;
	}
	if (!block)
		return E_AGAIN;
	sched_block(self, THREAD_BLOCKED);
	self->ipc = IPC_NTFN;
	self->wait_obj = n;
	tqueue_push(&n->waiters, self);
	return IPC_BLOCKED;
}

void ntfn_dequeue(notification_t *n, thread_t *t)
{
	tqueue_remove(&n->waiters, t);
}
