/*
 * Kernel object lifetime.
 *
 * Every object occupies one frame (FRAME_KOBJ) charged to the pool it was
 * made from; a capability space adds its slot pages.  That keeps
 * accounting exact and simple: an object costs whole frames, and the
 * debug statistics count live objects per type for leak checks.
 *
 * refs counts capabilities, bindings (a thread's address space, capability
 * space and fault endpoint) and in-flight IPC (a capability held in a
 * blocked sender).  When it reaches zero the object goes on a destruction
 * list drained iteratively: destroying an object may drop the last
 * reference of others, and recursion could overflow the kernel stack.
 *
 * In debug builds every live object is on one list (live_head), in the
 * order made, so that the invariant audit (kern/audit.c) can reach
 * objects that nothing names any more; live[] counts them per type.  A
 * release kernel keeps only the counts (DEBUG_CHECK then checks the frame
 * table alone).
 *
 * Locking: none (one hart, interrupts off in the kernel).
 */
#include <string.h>

#include <abi/error.h>
#include <kern/aspace.h>
#include <kern/assert.h>
#include <kern/cspace.h>
#include <kern/endpoint.h>
#include <kern/inject.h>
#include <kern/irq.h>
#include <kern/kobj.h>
#include <kern/notification.h>
#include <kern/pool.h>
#include <kern/thread.h>

static unsigned long live[CAP_NTYPES];
static kobj_t *zombies;
static bool draining;
#ifdef DEBUG /* the audit's list: debug builds only (two stores and a branch per object) */
static kobj_t *live_head, *live_tail;
#endif

bool kobj_can_alloc(pool_t *pool, size_t frames)
{
	if (pool)
		return pool_can_charge(pool, frames);
	return frame_free_count() >= frames && inject_allow(frames);
}

/* Bytes of each object type: only those are zeroed in the object's frame
 * (the rest of the page is never read). */
static const size_t obj_size[CAP_NTYPES] = {
    [CAP_POOL] = sizeof(pool_t),
    [CAP_ASPACE] = sizeof(aspace_t),
    [CAP_THREAD] = sizeof(thread_t),
    [CAP_ENDPOINT] = sizeof(endpoint_t),
    [CAP_NOTIFICATION] = sizeof(notification_t),
    [CAP_IRQ] = sizeof(irq_t),
    [CAP_CSPACE] = sizeof(cspace_t),
};

_Static_assert(sizeof(thread_t) <= PAGE_SIZE && sizeof(cspace_t) <= PAGE_SIZE,
	       "an object fits in its frame");

int kobj_alloc(pool_t *pool, unsigned type, kobj_t **out)
{
	paddr_t pa;
	int err;

	assert(type > CAP_NULL && type < CAP_NTYPES && obj_size[type]);
	if (pool)
		err = pool_alloc_frame_fill(pool, FRAME_KOBJ, &pa, false);
	else
		err = frame_alloc_nozero(FRAME_KOBJ, &pa);
	if (err)
		return err;
	kobj_t *o = pa2kva(pa);
	memset(o, 0, obj_size[type]);
	o->type = type;
	o->refs = 1;
	o->pool = pool;
	if (pool)
		kobj_ref(&pool->obj);
#ifdef DEBUG
	o->live_prev = live_tail;
	o->live_next = NULL;
	if (live_tail)
		live_tail->live_next = o;
	else
		live_head = o;
	live_tail = o;
#endif
	live[type]++;
	*out = o;
	return 0;
}

static void kobj_destroy(kobj_t *o)
{
	switch (o->type) {
	case CAP_POOL: pool_destroy((pool_t *)o); break;
	case CAP_ASPACE: aspace_destroy((aspace_t *)o); break;
	case CAP_THREAD: thread_destroy((thread_t *)o); break;
	case CAP_ENDPOINT: ep_destroy((endpoint_t *)o); break;
	case CAP_NOTIFICATION: ntfn_destroy((notification_t *)o); break;
	case CAP_IRQ: irq_destroy((irq_t *)o); break;
	case CAP_CSPACE: cspace_destroy((cspace_t *)o); break;
	default: panic("kobj_destroy: type %u", o->type);
	}
	live[o->type]--;
#ifdef DEBUG
	if (o->live_prev)
		o->live_prev->live_next = o->live_next;
	else
		live_head = o->live_next;
	if (o->live_next)
		o->live_next->live_prev = o->live_prev;
	else
		live_tail = o->live_prev;
#endif
	pool_t *pool = o->pool;
	paddr_t pa = kva2pa(o);
	if (pool) {
		pool_free_frame(pool, pa);
		kobj_unref(&pool->obj);
	} else {
		frame_unref(pa);
	}
}

void kobj_unref(kobj_t *o)
{
	assert(o->refs > 0);
	if (--o->refs > 0)
		return;
	o->zombie_next = zombies;
	zombies = o;
	if (draining)
		return;
	draining = true;
	while (zombies) {
		kobj_t *z = zombies;
		zombies = z->zombie_next;
		kobj_destroy(z);
	}
	draining = false;
}

void kobj_pin(kobj_t *o)
{
	kobj_ref(o);
	o->pins++;
}

#ifdef DEBUG
kobj_t *kobj_next_live(const kobj_t *o)
{
	return o ? o->live_next : live_head;
}
#endif

unsigned long kobj_live(unsigned type)
{
	return type < CAP_NTYPES ? live[type] : 0;
}

void kobj_count(unsigned type, long delta)
{
	live[type] += (unsigned long)delta;
}
