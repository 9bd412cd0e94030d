/*
 * IRQ handler objects: the right to receive one interrupt as a signal on
 * a notification and to acknowledge it.
 */
#pragma once

#include <kern/notification.h>

typedef struct irq {
	kobj_t obj;
	uint32_t irq;	      /* interrupt source number */
	notification_t *ntfn; /* bound notification (holds a reference) */
	uint64_t acks;	      /* acknowledgements received */
} irq_t;

int irq_create(pool_t *pool, uint32_t irq, irq_t **out);
void irq_destroy(irq_t *i);

typedef struct sysargs sysargs_t;
int invoke_irq(irq_t *i, const cap_t *c, sysargs_t *a);
