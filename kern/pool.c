/*
 * Memory pools.
 *
 * A pool is a quota of frames.  Charging a frame to a pool charges every
 * ancestor too, so a pool's quota bounds its whole subtree and one process
 * tree cannot exhaust the machine.  The root pool's quota is all free RAM
 * at boot.  A pool stays alive while anything charged to it does: every
 * object and every user frame it paid for holds a reference.
 *
 * User frames record their pool in the frame table's owner token (the
 * pool object's frame number), because a frame shared copy-on-write may be
 * dropped last by another process: the payer is uncharged, whoever frees.
 */
#include <abi/error.h>
#include <kern/assert.h>
#include <kern/inject.h>
#include <kern/pool.h>

static uint32_t owner_token(pool_t *p)
{
	return (uint32_t)(kva2pa(p) >> PAGE_SHIFT);
}

static pool_t *owner_pool(uint32_t token)
{
	return pa2kva((paddr_t)token << PAGE_SHIFT);
}

pool_t *pool_create_root(void)
{
	kobj_t *o;
	if (kobj_alloc(NULL, CAP_POOL, &o))
		panic("no frame for the root pool");
	pool_t *p = (pool_t *)o;
	p->quota = frame_free_count();
	p->used = 0;
	p->parent = NULL;
	p->token = owner_token(p);
	return p;
}

static inline bool can_charge(const pool_t *p, size_t n)
{
	if (frame_free_count_fast() < n)
		return false;
	for (; p; p = p->parent)
		if (p->used + n > p->quota)
			return false;
	return true;
}

bool pool_can_charge(const pool_t *p, size_t n)
{
	if (frame_free_count() < n)
		return false;
	for (; p; p = p->parent)
		if (p->used + n > p->quota)
			return false;
	return inject_allow(n); /* true, unless a test injects a failure */
}

int pool_charge(pool_t *p, size_t n)
{
	if (!can_charge(p, n))
		return E_NOMEM;
	for (; p; p = p->parent)
		p->used += n;
	return 0;
}

void pool_uncharge(pool_t *p, size_t n)
{
	for (; p; p = p->parent) {
		assert(p->used >= n);
		p->used -= n;
	}
}

int pool_alloc_frame(pool_t *p, frame_kind_t kind, paddr_t *pa)
{
	return pool_alloc_frame_fill(p, kind, pa, true);
}

int pool_alloc_frame_fill(pool_t *p, frame_kind_t kind, paddr_t *pa, bool zero)
{
	if (!can_charge(p, 1) || !inject_take())
		return E_NOMEM;
	for (pool_t *q = p; q; q = q->parent)
		q->used++;
	int err;
	/* User frames remember who paid (and keep the pool alive). */
	uint32_t owner = kind == FRAME_USER ? p->token : 0;
	err = frame_alloc_owned(kind, owner, zero, pa);
	assert(err == 0); /* pool_can_charge checked the free count */
	if (owner)
		kobj_ref(&p->obj);
	return 0;
}

void pool_free_frame(pool_t *p, paddr_t pa)
{
	bool freed = frame_unref(pa);
	assert(freed);
	pool_uncharge(p, 1);
}

void pool_free_zeroed_frame(pool_t *p, paddr_t pa)
{
	frame_free_zeroed(pa);
	pool_uncharge(p, 1);
}

void user_frame_unref(paddr_t pa)
{
	uint32_t token;
	if (frame_unref_shared_fast(pa))
		return; /* not the last reference: nothing to uncharge */
	if (!frame_unref_owner(pa, &token) || token == 0)
		return;
	pool_t *p = owner_pool(token);
	pool_uncharge(p, 1);
	kobj_unref(&p->obj);
}

int pool_create(pool_t *parent, uint64_t quota, pool_t **out)
{
	kobj_t *o;
	int err = kobj_alloc(parent, CAP_POOL, &o);
	if (err)
		return err;
	pool_t *p = (pool_t *)o;
	p->quota = quota;
	p->used = 0;
	p->parent = parent; /* kobj_alloc took a reference on it */
	p->token = owner_token(p);
	*out = p;
	return 0;
}

void pool_destroy(pool_t *p)
{
	/* Everything charged holds a reference, so nothing is left. */
	assert(p->used == 0);
}
