/*
 * SYS_INVOKE: the one place that dispatches on a capability's type.
 *
 * SYS_BATCH runs several of them in one system call (invoke_batch).
 *
 * Each handler decodes (checks type, rights, slots, ranges; changes
 * nothing) and then performs (cannot fail).  Results go to a->out and the
 * return value; kern/syscall.c writes them to the caller's registers.
 */
#include <abi/error.h>
#include <abi/syscall.h>
#include <kern/aspace.h>
#include <kern/console.h>
#include <kern/cspace.h>
#include <kern/debug.h>
#include <kern/endpoint.h>
#include <kern/irq.h>
#include <kern/notification.h>
#include <kern/pool.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/uaccess.h>

static long invoke_cspace(cspace_t *cs, const cap_t *c, sysargs_t *a)
{
	unsigned label = (unsigned)a->arg[1];
	cspace_op_t op;
	int err;

	if (label == CSPACE_INFO) {
		if (!(c->rights & RIGHT_READ))
			return E_PERM;
		cap_t *s = cspace_slot(cs, a->arg[2]);
		if (!s)
			return E_BADCAP;
		a->out[0] = s->type;
		a->out[1] = s->rights;
		a->out[2] = s->badge;
		return cs->nslots;
	}
	if (label < CSPACE_COPY || label > CSPACE_DELETE)
		return E_NOSYS;
	if (!(c->rights & RIGHT_WRITE))
		return E_PERM;
	err = decode_cspace_op(a->self->cs, cs, label, a->arg[2], a->arg[3], a->arg[4], a->arg[5],
			       &op);
	if (err)
		return err;
	perform_cspace_op(&op);
	return 0;
}

/* POOL_CREATE: make an object of type a->arg[2] into slot a->arg[3]. */
static long pool_create_object(pool_t *p, sysargs_t *a)
{
	uint64_t type = a->arg[2], arg = a->arg[4];
	cap_t *dst = cspace_slot(a->self->cs, a->arg[3]);
	kobj_t *o = NULL;
	int err;

	if (!dst)
		return E_BADCAP;
	if (dst->type != CAP_NULL)
		return E_EXISTS;
	switch (type) {
	case CAP_POOL: err = pool_create(p, arg, (pool_t **)&o); break;
	case CAP_ASPACE: err = aspace_create(p, (aspace_t **)&o); break;
	case CAP_THREAD: err = thread_create(p, (thread_t **)&o); break;
	case CAP_ENDPOINT: err = ep_create(p, (endpoint_t **)&o); break;
	case CAP_NOTIFICATION: err = ntfn_create(p, (notification_t **)&o); break;
	case CAP_CSPACE: err = cspace_create(p, arg, (cspace_t **)&o); break;
	default: return E_INVAL;
	}
	if (err)
		return err;
	cap_t c = {.type = (uint8_t)type, .rights = RIGHTS_ALL, .obj = o};
	cspace_install(dst, &c);
	return 0;
}

static long invoke_pool(pool_t *p, const cap_t *c, sysargs_t *a)
{
	unsigned label = (unsigned)a->arg[1];
	cap_t *dst;
	paddr_t pa;
	int err;

	if (label < POOL_ALLOC_FRAME || label > POOL_INFO)
		return E_NOSYS;
	if (!(c->rights & (label == POOL_INFO ? RIGHT_READ : RIGHT_WRITE)))
		return E_PERM;
	switch (label) {
	case POOL_ALLOC_FRAME:
		dst = cspace_slot(a->self->cs, a->arg[2]);
		if (!dst)
			return E_BADCAP;
		if (dst->type != CAP_NULL)
			return E_EXISTS;
		if ((err = pool_alloc_frame(p, FRAME_USER, &pa)))
			return err;
		cspace_install(dst, &(cap_t){.type = CAP_FRAME,
					     .rights = RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC,
					     .pa = pa});
		return 0;
	case POOL_CREATE: return pool_create_object(p, a);
	case POOL_INFO:
		a->out[0] = p->quota;
		a->out[1] = p->used;
		return 0;
	}
	return E_NOSYS;
}

static long invoke_aspace(aspace_t *as, const cap_t *c, sysargs_t *a)
{
	unsigned label = (unsigned)a->arg[1];
	aspace_op_t op;
	cap_t *frame;
	int err;

	if (label < ASPACE_MAP || label > ASPACE_STATS)
		return E_NOSYS;
	bool reads = label == ASPACE_QUERY || label == ASPACE_STATS;
	if (!(c->rights & (reads ? RIGHT_READ : RIGHT_WRITE)))
		return E_PERM;
	switch (label) {
	case ASPACE_STATS: {
		aspace_stats_t st;
		aspace_get_stats(as, &st);
		return copyout(a->arg[2], &st, sizeof(st));
	}
	case ASPACE_MAP:
		if ((err = cspace_lookup(a->self->cs, a->arg[2], &frame)))
			return err;
		err = decode_aspace_map(as, frame, a->arg[3], a->arg[4], &op);
		break;
	case ASPACE_UNMAP: err = decode_aspace_unmap(as, a->arg[2], &op); break;
	case ASPACE_PROTECT: err = decode_aspace_protect(as, a->arg[2], a->arg[3], &op); break;
	case ASPACE_CLONE: {
		aspace_clone_t cl;
		cap_t *dst;
		if ((err = cspace_lookup_typed(a->self->cs, a->arg[2], CAP_ASPACE, RIGHT_WRITE,
					       &dst)))
			return err;
		if ((err = decode_aspace_clone(as, (aspace_t *)dst->obj, a->arg[3], &cl)))
			return err;
		perform_aspace_clone(&cl);
		return 0;
	}
	case ASPACE_MAP_ZERO:
	case ASPACE_SHARE: {
		aspace_fill_t fill;
		cap_t *src;
		if (label == ASPACE_MAP_ZERO) {
			err = decode_aspace_map_zero(as, a->arg[2], a->arg[3], a->arg[4], &fill);
		} else {
			err = cspace_lookup_typed(a->self->cs, a->arg[2], CAP_ASPACE, RIGHT_READ,
						  &src);
			if (!err)
				err = decode_aspace_share(as, (aspace_t *)src->obj, a->arg[3],
							  a->arg[4], a->arg[5], a->arg[6], &fill);
		}
		if (err)
			return err;
		perform_aspace_fill(&fill);
		return 0;
	}
	default: /* ASPACE_QUERY */
		if (a->arg[2] & PAGE_MASK)
			return E_INVAL;
		if (a->arg[2] < USER_BASE || a->arg[2] >= USER_TOP)
			return E_RANGE;
		return aspace_query(as, a->arg[2]);
	}
	if (err)
		return err;
	perform_aspace_op(&op);
	return 0;
}

long invoke(sysargs_t *a)
{
	cap_t *c;
	int err = cspace_lookup(a->self->cs, a->arg[0], &c);
	if (err)
		return err;
	/* Labels are small numbers; the handlers compare 32-bit values, so a
	 * label with higher bits set must not alias one of them. */
	if (a->arg[1] > UINT32_MAX)
		return E_NOSYS;
	switch (c->type) {
	case CAP_CSPACE: return invoke_cspace((cspace_t *)c->obj, c, a);
	case CAP_POOL: return invoke_pool((pool_t *)c->obj, c, a);
	case CAP_ASPACE: return invoke_aspace((aspace_t *)c->obj, c, a);
	case CAP_THREAD: return invoke_thread((thread_t *)c->obj, c, a);
	case CAP_IRQ: return invoke_irq((irq_t *)c->obj, c, a);
	case CAP_DEBUG: return invoke_debug(c, a);
	}
	return E_NOSYS; /* frames, endpoints, notifications: no invocations */
}

/*
 * SYS_BATCH: a->arg[0] = invocation_t array, arg[1] = count, arg[2] =
 * flags.  The array is copied in whole before the first invocation runs,
 * so an invocation that changes the caller's mappings does not change
 * the rest of the batch.  Each invocation gets a sysargs of its own (its
 * results in out are dropped).  Stops after an invocation that takes the
 * caller off its hart's run queue (suspended or destroyed): nothing may
 * run on behalf of a thread that is not running.
 */
long invoke_batch(sysargs_t *a)
{
	invocation_t ops[BATCH_MAX];
	thread_t *self = a->self;
	uint64_t n = a->arg[1], flags = a->arg[2];
	unsigned long ran = 0, failed = 0;
	long first = 0;

	if (n == 0 || n > BATCH_MAX || (flags & ~BATCH_ALL))
		return E_INVAL;
	int err = copyin(ops, a->arg[0], n * sizeof(ops[0]));
	if (err)
		return err;
	for (uint64_t i = 0; i < n; i++) {
		sysargs_t one;
		one.self = self;
		one.arg[0] = ops[i].slot;
		one.arg[1] = ops[i].label;
#pragma GCC unroll 5
		for (int k = 0; k < 5; k++)
			one.arg[2 + k] = ops[i].arg[k];
		long r = invoke(&one);
		ran++;
		if (r < 0 && failed++ == 0)
			first = r;
		/* sched_current() first: if the invocation destroyed self,
		 * self points at a freed object, and the hart's current
		 * thread is no longer self (sched_remove). */
		if ((r < 0 && !(flags & BATCH_ALL)) || sched_current() != self || !self->in_runq)
			break;
	}
	a->out[0] = ran;
	a->out[1] = failed;
	return first;
}
