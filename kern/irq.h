/*
 * IRQ handler objects: the right to receive one interrupt source as a
 * signal on a notification and to acknowledge it.
 */
#pragma once

#include <kern/notification.h>

typedef struct irq {
	kobj_t obj;
	uint32_t irq;	      /* interrupt source number (the device tree's) */
	bool pending;	      /* claimed and signalled, not acknowledged: masked */
	notification_t *ntfn; /* bound notification (holds a reference), or NULL */
	uint64_t badge;	      /* what a signal ORs in: the binding capability's badge */
} irq_t;

/* A handler for source irq, charged to pool; unbound. */
int irq_create(pool_t *pool, uint32_t irq, irq_t **out);

/* Unbind (the source is completed if pending, then disabled). */
void irq_destroy(irq_t *i);

typedef struct sysargs sysargs_t;
int invoke_irq(irq_t *i, const cap_t *c, sysargs_t *a);

/* Counters for DEBUG_STATS (kstats_t). */
typedef struct irq_stats {
	unsigned long spurious, unbound;
	const unsigned long *count; /* KSTATS_IRQS entries, by source */
} irq_stats_t;
void irq_get_stats(irq_stats_t *st);
