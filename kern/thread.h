/*
 * Threads: a register set, a scheduling state and what it is bound to.
 */
#pragma once

#include <arch/trap.h>
#include <kern/aspace.h>
#include <kern/cap.h>
#include <kern/cspace.h>
#include <kern/kobj.h>

typedef struct endpoint endpoint_t;

/* What a BLOCKED thread waits for. */
enum {
	IPC_NONE = 0,
	IPC_SEND,  /* queued on an endpoint with a message */
	IPC_CALL,  /* queued on an endpoint with a message, then IPC_REPLY */
	IPC_RECV,  /* queued on an endpoint for a message */
	IPC_REPLY, /* waiting for the reply of t->replier */
	IPC_NTFN,  /* waiting on a notification */
};

typedef struct thread {
	kobj_t obj;
	trapframe_t tf; /* user registers while not running */
	uint8_t state;	/* THREAD_* (abi/cap.h) */
	uint8_t prio;
	uint8_t ipc; /* IPC_* while BLOCKED */
	uint8_t in_runq;
	uint32_t slice; /* ticks left in the time slice */
	uint64_t id;
	aspace_t *as; /* bindings, each holding a reference */
	cspace_t *cs;
	endpoint_t *fault_ep;
	uint64_t fault_badge;
	struct thread *next, *prev; /* run queue or wait queue */
	void *wait_obj;		    /* endpoint or notification waited on */
	/* The message of a blocked sender (registers or a fault). */
	uint64_t msg_info, msg[4], msg_badge;
	cap_t msg_cap;		 /* referenced copy for a transfer, or empty */
	uint64_t recv_info;	 /* RSLOT for a capability arriving with a reply */
	struct thread *reply_to; /* a caller waiting for this thread's reply */
	struct thread *replier;	 /* while IPC_REPLY: who owes the reply */
	bool fault;		 /* the pending message is a fault message */
	/* SMP (kern/smp.c): the hart index + 1 the thread is current on (0:
	 * none), the harts it may run on (CPU_BIT mask, 0: any), the hart
	 * index + 1 it last ran on (0: never). */
	uint32_t on_cpu, affinity, last_cpu;
	/* Counters for THREAD_STATS (thread_stats_t). */
	uint64_t ipc_calls, ipc_sends, switches_in;
} thread_t;

/* A FIFO of blocked threads (endpoint or notification waiters), linked
 * through next/prev, which a blocked thread does not use for the run queue. */
typedef struct tqueue {
	thread_t *head, *tail;
} tqueue_t;

void tqueue_push(tqueue_t *q, thread_t *t);
void tqueue_remove(tqueue_t *q, thread_t *t);
thread_t *tqueue_pop(tqueue_t *q);

int thread_create(pool_t *pool, thread_t **out);
void thread_destroy(thread_t *t);

/* Bind (replacing previous bindings); fault_ep may be NULL. */
void thread_configure(thread_t *t, aspace_t *as, cspace_t *cs, endpoint_t *fault_ep,
		      uint64_t fault_badge, unsigned prio);

/* Take t out of whatever it is blocked in; its syscall returns err. */
void thread_abort_ipc(thread_t *t, long err);

/* Suspend (any state) and resume (SUSPENDED or FAULTED). */
void thread_suspend(thread_t *t);
void thread_resume(thread_t *t);

/* The thread took a fault nobody handles. */
void thread_set_faulted(thread_t *t, unsigned kind, uint64_t scause, uint64_t addr);

/* Invocations on a thread capability. */
typedef struct sysargs sysargs_t;
int invoke_thread(thread_t *t, const cap_t *c, sysargs_t *a);
