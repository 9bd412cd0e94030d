/*
 * Endpoints: synchronous IPC rendezvous points.
 */
#pragma once

#include <kern/thread.h>

struct endpoint {
	kobj_t obj;
	tqueue_t queue; /* all senders (IPC_SEND/IPC_CALL) or all receivers */
};

int ep_create(pool_t *pool, endpoint_t **out);
void ep_destroy(endpoint_t *ep);

/* SYS_SEND / SYS_CALL by self through capability epcap with the message
 * in self's registers.  Returns the syscall result, or IPC_BLOCKED when
 * the result is not known yet or already written (self blocked, or it
 * received at once).  No system call returns IPC_BLOCKED as a result. */
#define IPC_BLOCKED (-0x7fffffffffffffffL - 1)
long ipc_send(thread_t *self, const cap_t *epcap, bool call);
long ipc_recv(thread_t *self, const cap_t *epcap);
long ipc_reply(thread_t *self);

/* Deliver self's fault as a call on its fault endpoint (blocks self). */
void ipc_send_fault(thread_t *self, uint64_t scause, uint64_t addr, uint64_t pc, unsigned kind);

/* Remove t from the endpoint queue it waits in. */
void ep_dequeue(endpoint_t *ep, thread_t *t);
