/*
 * IRQ handler objects.
 *
 * The root task receives one per device interrupt found in the device
 * tree.  IRQ_BIND names the notification that the interrupt will signal
 * and IRQ_ACK acknowledges it.  Routing from the PLIC arrives with the
 * user-level console driver (the PLIC driver is not written yet); until
 * then no interrupt is ever signalled and IRQ_ACK only counts.
 */
#include <abi/error.h>
#include <kern/irq.h>
#include <kern/syscall.h>

int irq_create(pool_t *pool, uint32_t irq, irq_t **out)
{
	kobj_t *o;
	int err = kobj_alloc(pool, CAP_IRQ, &o);
	if (err)
		return err;
	irq_t *i = (irq_t *)o;
	i->irq = irq;
	*out = i;
	return 0;
}

void irq_destroy(irq_t *i)
{
	if (i->ntfn)
		kobj_unref(&i->ntfn->obj);
}

int invoke_irq(irq_t *i, const cap_t *c, sysargs_t *a)
{
	cap_t *n;
	int err;

	if (!(c->rights & RIGHT_WRITE))
		return E_PERM;
	switch (a->arg[1]) {
	case IRQ_BIND:
		if (a->arg[2] == 0) { /* slot 0 (SLOT_NULL): unbind */
			if (i->ntfn)
				kobj_unref(&i->ntfn->obj);
			i->ntfn = NULL;
			return 0;
		}
		err =
		    cspace_lookup_typed(a->self->cs, a->arg[2], CAP_NOTIFICATION, RIGHT_WRITE, &n);
		if (err)
			return err;
		kobj_ref(n->obj);
		if (i->ntfn)
			kobj_unref(&i->ntfn->obj);
		i->ntfn = (notification_t *)n->obj;
		return 0;
	case IRQ_ACK: i->acks++; return 0;
	}
	return E_NOSYS;
}
