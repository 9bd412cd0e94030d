/*
 * Notifications: a word of bits that signals OR into; waiters take it.
 */
#pragma once

#include <kern/thread.h>

typedef struct notification {
	kobj_t obj;
	uint64_t word;
	tqueue_t waiters;
} notification_t;

int ntfn_create(pool_t *pool, notification_t **out);
void ntfn_destroy(notification_t *n);

/* OR bits (0 counts as 1) into n and wake the first waiter. */
void ntfn_signal(notification_t *n, uint64_t bits);

/* SYS_WAIT / SYS_POLL: returns 0 with the word in *word, IPC_BLOCKED
 * (wait only), or E_AGAIN (poll on an empty word). */
long ntfn_wait(notification_t *n, thread_t *self, bool block, uint64_t *word);

void ntfn_dequeue(notification_t *n, thread_t *t);
