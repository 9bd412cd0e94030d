/*
 * The invariant audit behind DEBUG_CHECK: every reference count in the
 * kernel against the references that actually exist.
 *
 * The audit recounts from scratch what the design says each count is
 * (kern/frame.c and kern/kobj.c state the invariants) and compares:
 *   - frames: every leaf of every live address space's user half, every
 *     frame capability in every cspace and in flight (a blocked sender's
 *     msg_cap), every page-table page (roots, interior tables, the
 *     kernel's own) and every object frame (object headers, cspace slot
 *     pages) is reported to the frame census, which checks refs by kind
 *     and that no free frame is named by anything;
 *   - objects: refs(o) = capabilities naming o (in slots and in flight) +
 *     bindings (a thread's address space, cspace, fault endpoint; an IRQ
 *     handler's notification) + charges (objects whose pool is o, user
 *     frames whose owner token is o) + kernel pins; the live objects per
 *     type equal kobj_live();
 *   - pools: used(p) = frames charged to p directly (object frames, cspace
 *     slot pages, an address space's root and tables, owned user frames)
 *     + used of every child pool;
 *   - address spaces: the tables and leaves found equal the tables and
 *     leaves counters, and the page tables are well formed (arch_pt_audit).
 * The first mismatch is printed and the audit returns E_CORRUPT.
 *
 * Not checked: the contents of wait queues and the run queue (a thread
 * on two queues, a queue naming a dead thread), reply_to/replier pairs,
 * the IRQ table's bound[] against handlers, pool quotas (only usage), the
 * poison of free frames (frame_check(true) does that, selftest only).
 *
 * Cost: O(frames + objects x pool depth + slots + page-table entries);
 * debug only, nothing is allocated (the counts live in the frame table
 * and the objects' census fields).  Runs with the kernel's one-hart,
 * interrupts-off execution: nothing changes under it.
 */
#ifdef DEBUG /* the object list it walks exists in debug builds only */
#include <abi/error.h>
#include <arch/arch.h>
#include <kern/aspace.h>
#include <kern/audit.h>
#include <kern/console.h>
#include <kern/cspace.h>
#include <kern/endpoint.h>
#include <kern/frame.h>
#include <kern/irq.h>
#include <kern/kobj.h>
#include <kern/pool.h>
#include <kern/thread.h>

static const char *const type_names[CAP_NTYPES] = {
    [CAP_POOL] = "pool",
    [CAP_ASPACE] = "aspace",
    [CAP_THREAD] = "thread",
    [CAP_ENDPOINT] = "endpoint",
    [CAP_NOTIFICATION] = "notification",
    [CAP_IRQ] = "irq",
    [CAP_CSPACE] = "cspace",
};

static const char *type_name(unsigned t)
{
	return t < CAP_NTYPES && type_names[t] ? type_names[t] : "?";
}

/* A live-list walk longer than this has a cycle. */
static size_t max_objects(void)
{
	frame_stats_t st;
	frame_get_stats(&st);
	return st.total;
}

/* o must be a live object (on the list, refs > 0) for something to name it. */
static int census_obj(kobj_t *o, const char *what)
{
	if (o == NULL || o->refs == 0 || o->type == CAP_NULL || o->type >= CAP_NTYPES) {
		kprintf("audit: %s names %p, not a live object\n", what, (void *)o);
		return E_CORRUPT;
	}
	o->census++;
	return 0;
}

/* The reference a capability holds (cap_ref_object's rule). */
static int census_cap(const cap_t *c, const char *where)
{
	switch (c->type) {
	case CAP_NULL:
	case CAP_DEVFRAME:
	case CAP_DEBUG: return 0;
	case CAP_FRAME: return frame_census_ref(c->pa, FREF_CAP);
	default:
		if (c->type >= CAP_NTYPES) {
			kprintf("audit: %s holds a capability of type %u\n", where, c->type);
			return E_CORRUPT;
		}
		if (census_obj(c->obj, where))
			return E_CORRUPT;
		if (c->obj->type != c->type) {
			kprintf("audit: %s: a %s capability names a %s\n", where,
				type_name(c->type), type_name(c->obj->type));
			return E_CORRUPT;
		}
		return 0;
	}
}

/* n frames charged to pool p directly. */
static void charge(pool_t *p, uint64_t n)
{
	if (p)
		p->census_direct += n;
}

static int leaf_ref(void *ctx, uaddr_t va, paddr_t pa, unsigned vm)
{
	(void)ctx, (void)va, (void)vm;
	return frame_census_ref(pa, FREF_LEAF);
}

static int table_ref(void *ctx, paddr_t pa)
{
	(void)ctx;
	return frame_census_ref(pa, FREF_TABLE);
}

static int ktable_ref(void *ctx, paddr_t pa)
{
	(void)ctx;
	return frame_census_ref(pa, FREF_KTABLE);
}

static int audit_aspace(aspace_t *as)
{
	pt_audit_t a = {.table = table_ref, .leaf = leaf_ref, .ctx = as};
	int err = frame_census_ref(as->root, FREF_TABLE);

	if (!err)
		err = arch_pt_audit(as->root, &a);
	if (err)
		return err;
	if (as->pool != as->obj.pool) {
		kprintf("audit: aspace %p pays with pool %p but was charged to %p\n", (void *)as,
			(void *)as->pool, (void *)as->obj.pool);
		return E_CORRUPT;
	}
	if (a.tables != as->tables || a.leaves != as->leaves) {
		kprintf("audit: aspace %p counts %lu tables %lu leaves, has %zu and %zu\n",
			(void *)as, (unsigned long)as->tables, (unsigned long)as->leaves, a.tables,
			a.leaves);
		return E_CORRUPT;
	}
	charge(as->pool, 1 + a.tables);
	return 0;
}

static int audit_cspace(cspace_t *cs)
{
	int err = 0;

	if (cs->npages > CSPACE_MAX_PAGES || cs->nslots > cs->npages * CAPS_PER_PAGE) {
		kprintf("audit: cspace %p: %u slots in %u pages\n", (void *)cs, cs->nslots,
			cs->npages);
		return E_CORRUPT;
	}
	for (uint32_t i = 0; i < cs->npages && !err; i++)
		err = frame_census_ref(cs->pages[i], FREF_OBJECT);
	for (uint64_t i = 0; i < cs->nslots && !err; i++)
		err = census_cap(cspace_slot(cs, i), "a cspace slot");
	charge(cs->obj.pool, cs->npages);
	return err;
}

static int audit_thread(thread_t *t)
{
	int err = 0;

	if (t->as)
		err = census_obj(&t->as->obj, "a thread's address space");
	if (!err && t->cs)
		err = census_obj(&t->cs->obj, "a thread's cspace");
	if (!err && t->fault_ep)
		err = census_obj(&t->fault_ep->obj, "a thread's fault endpoint");
	if (!err)
		err = census_cap(&t->msg_cap, "a message in flight");
	return err;
}

/* What one object holds and what it is charged for. */
static int audit_object(kobj_t *o)
{
	int err = frame_census_ref(kva2pa(o), FREF_OBJECT);

	if (err)
		return err;
	o->census += o->pins;
	if (o->pool) {
		if ((err = census_obj(&o->pool->obj, "an object's charge")))
			return err;
		charge(o->pool, 1);
	}
	switch (o->type) {
	case CAP_ASPACE: return audit_aspace((aspace_t *)o);
	case CAP_CSPACE: return audit_cspace((cspace_t *)o);
	case CAP_THREAD: return audit_thread((thread_t *)o);
	case CAP_IRQ: {
		irq_t *i = (irq_t *)o;
		return i->ntfn ? census_obj(&i->ntfn->obj, "an IRQ binding") : 0;
	}
	default: return 0;
	}
}

/* A user frame's owner token names the pool that pays for it. */
static int owned_frame(void *ctx, paddr_t pa, uint32_t owner)
{
	paddr_t ppa = (paddr_t)owner << PAGE_SHIFT;
	(void)ctx;
	if (!frame_is_ram(ppa) || frame_kind(ppa) != FRAME_KOBJ ||
	    ((kobj_t *)pa2kva(ppa))->type != CAP_POOL) {
		kprintf("audit: user frame %#lx: owner %#x is not a pool\n", (unsigned long)pa,
			owner);
		return E_CORRUPT;
	}
	pool_t *p = pa2kva(ppa);
	charge(p, 1);
	return census_obj(&p->obj, "a user frame's owner");
}

/* Objects per type against kobj_live(); clear the census fields. */
static int audit_begin_objects(void)
{
	size_t n = 0, limit = max_objects();
	unsigned long counted[CAP_NTYPES] = {0};

	for (kobj_t *o = kobj_next_live(NULL); o; o = kobj_next_live(o)) {
		if (++n > limit || o->type == CAP_NULL || o->type >= CAP_NTYPES) {
			kprintf("audit: live object list broken at %p\n", (void *)o);
			return E_CORRUPT;
		}
		counted[o->type]++;
		o->census = 0;
		if (o->type == CAP_POOL)
			((pool_t *)o)->census_direct = ((pool_t *)o)->census_used = 0;
	}
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		if (counted[t] != kobj_live(t)) {
			kprintf("audit: %lu live %s objects listed, %lu counted\n", counted[t],
				type_name(t), kobj_live(t));
			return E_CORRUPT;
		}
	return 0;
}

/* Every object's refs against its census; every pool's usage. */
static int audit_end_objects(void)
{
	size_t limit = max_objects();

	for (kobj_t *o = kobj_next_live(NULL); o; o = kobj_next_live(o)) {
		if (o->type != CAP_POOL)
			continue;
		pool_t *p = (pool_t *)o;
		size_t depth = 0;
		for (pool_t *q = p; q; q = q->parent) {
			if (++depth > limit) {
				kprintf("audit: pool %p: parent chain has a cycle\n", (void *)p);
				return E_CORRUPT;
			}
			q->census_used += p->census_direct;
		}
	}
	for (kobj_t *o = kobj_next_live(NULL); o; o = kobj_next_live(o)) {
		if (o->census != o->refs) {
			kprintf("audit: %s %p refs %u, %u references found\n", type_name(o->type),
				(void *)o, o->refs, o->census);
			return E_CORRUPT;
		}
		pool_t *p = (pool_t *)o;
		if (o->type == CAP_POOL && p->census_used != p->used) {
			kprintf("audit: pool %p used %lu, %lu frames charged to it\n", (void *)p,
				(unsigned long)p->used, (unsigned long)p->census_used);
			return E_CORRUPT;
		}
	}
	return 0;
}

int audit_kernel(void)
{
	int err = frame_check(false);

	if (err || (err = audit_begin_objects()) || (err = frame_census_begin()))
		return err;
	for (kobj_t *o = kobj_next_live(NULL); o && !err; o = kobj_next_live(o))
		err = audit_object(o);
	if (!err)
		err = arch_kernel_tables(ktable_ref, NULL);
	if (!err)
		err = frame_for_each_owned(owned_frame, NULL);
	int ferr = frame_census_end(err == 0);
	if (err || ferr)
		return err ? err : ferr;
	return audit_end_objects();
}
#endif /* DEBUG */
