/*
 * IRQ handler objects and the delivery of device interrupts.
 *
 * The root task receives one IRQ handler per device interrupt it is given
 * (kern/root.c).  IRQ_BIND names the notification the source signals and
 * enables the source in the interrupt controller; until then, and again
 * after IRQ_UNBIND or the handler's destruction, the source is disabled.
 *
 * Delivery (kern_irq_external, called by the arch trap code for a
 * supervisor external interrupt taken in user mode or in the idle wfi):
 * claim the interrupt from the controller, then
 *   - nothing to claim: count a spurious interrupt;
 *   - a source with a bound handler: mark the handler pending and signal
 *     its notification with the binding capability's badge.  The source
 *     stays claimed, which masks it in the controller, until the driver's
 *     IRQ_ACK completes it;
 *   - a source nobody handles: count it, complete it and disable it.
 * Nothing here is ever fatal.
 *
 * Invariants:
 *   - bound[s] == i exactly when handler i is bound (i->ntfn != NULL) and
 *     s == i->irq; then and only then is s enabled;
 *   - i->pending only while bound; a pending source is claimed and not
 *     completed (masked) until IRQ_ACK, IRQ_UNBIND or destruction
 *     completes it;
 *   - a source is completed before it is disabled (the PLIC ignores the
 *     completion of a source that is not enabled).
 * IRQ_ACK on a handler that is not pending does nothing and returns 0, so
 * a driver may acknowledge after every wake-up without tracking why.
 *
 * Locking: none (one hart, interrupts off in the kernel).
 */
#include <abi/error.h>
#include <arch/arch.h>
#include <kern/irq.h>
#include <kern/syscall.h>
#include <kern/trapentry.h>

#define IRQ_SOURCES 1024 /* source numbers 0 .. 1023, as in the PLIC */

static irq_t *bound[IRQ_SOURCES];
static unsigned long spurious, unbound, count[KSTATS_IRQS];

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

/* Let go of the source and the notification (no-op if not bound). */
static void irq_unbind(irq_t *i)
{
	notification_t *n = i->ntfn;
	if (!n)
		return;
	if (i->pending)
		arch_irq_complete(i->irq);
	arch_irq_disable(i->irq);
	i->pending = false;
	i->ntfn = NULL;
	i->badge = 0;
	bound[i->irq] = NULL;
	kobj_unref(&n->obj);
}

void irq_destroy(irq_t *i)
{
	irq_unbind(i);
}

void kern_irq_external(void)
{
	uint32_t src = arch_irq_claim();
	if (src == 0) {
		spurious++;
		return;
	}
	if (src < KSTATS_IRQS)
		count[src]++;
	irq_t *i = src < IRQ_SOURCES ? bound[src] : NULL;
	if (!i) {
		unbound++;
		arch_irq_complete(src);
		arch_irq_disable(src);
		return;
	}
	i->pending = true; /* claimed: masked until IRQ_ACK */
	ntfn_signal(i->ntfn, i->badge);
}

void irq_get_stats(irq_stats_t *st)
{
	st->spurious = spurious;
	st->unbound = unbound;
	st->count = count;
}

/* IRQ_BIND: the notification capability must allow signalling, and the
 * source must be one the controller can route to this hart. */
static int decode_irq_bind(irq_t *i, sysargs_t *a, cap_t **n)
{
	int err = cspace_lookup_typed(a->self->cs, a->arg[2], CAP_NOTIFICATION, RIGHT_WRITE, n);
	if (err)
		return err;
	if (i->irq >= IRQ_SOURCES || !arch_irq_valid(i->irq))
		return E_NOENT;
	if (bound[i->irq] && bound[i->irq] != i)
		return E_BUSY; /* another handler for the same source */
	return 0;
}

/* Bind or rebind; a pending interrupt stays pending (IRQ_ACK completes
 * it), so a rebind never loses or repeats one. */
static void perform_irq_bind(irq_t *i, const cap_t *n)
{
	notification_t *old = i->ntfn;
	kobj_ref(n->obj);
	i->ntfn = (notification_t *)n->obj;
	i->badge = n->badge;
	if (old)
		kobj_unref(&old->obj);
	if (!bound[i->irq]) {
		bound[i->irq] = i;
		arch_irq_enable(i->irq);
	}
}

int invoke_irq(irq_t *i, const cap_t *c, sysargs_t *a)
{
	cap_t *n;
	int err;

	if (a->arg[1] < IRQ_BIND || a->arg[1] > IRQ_UNBIND)
		return E_NOSYS;
	if (!(c->rights & RIGHT_WRITE))
		return E_PERM;
	switch (a->arg[1]) {
	case IRQ_BIND:
		if ((err = decode_irq_bind(i, a, &n)))
			return err;
		perform_irq_bind(i, n);
		return 0;
	case IRQ_ACK:
		if (i->pending) {
			i->pending = false;
			arch_irq_complete(i->irq);
		}
		return 0;
	case IRQ_UNBIND: irq_unbind(i); return 0;
	}
	return E_NOSYS;
}
