/*
 * Capability spaces.
 *
 * A cspace object holds the addresses of its slot pages (CAPS_PER_PAGE
 * slots each); slot 0 of every cspace exists and may hold a capability
 * (the root task keeps slot 0 empty by convention).  Copy and mint take one
 * more reference to the object; move transfers the reference; delete drops
 * it.  Minting sets a badge once: a badged capability cannot be re-badged,
 * and only endpoints and notifications carry badges.
 */

#include <abi/error.h>
#include <kern/assert.h>
#include <kern/cspace.h>
#include <kern/pool.h>

size_t cspace_frames(uint64_t nslots)
{
	if (nslots == 0 || nslots > CSPACE_MAX_SLOTS)
		return 0;
	return 1 + (nslots + CAPS_PER_PAGE - 1) / CAPS_PER_PAGE;
}

int cspace_create(pool_t *pool, uint64_t nslots, cspace_t **out)
{
	size_t frames = cspace_frames(nslots);
	if (frames == 0)
		return E_INVAL;
	if (!kobj_can_alloc(pool, frames))
		return E_NOMEM;
	kobj_t *o;
	int err = kobj_alloc(pool, CAP_CSPACE, &o);
	assert(err == 0);
	cspace_t *cs = (cspace_t *)o;
	cs->nslots = (uint32_t)nslots;
	cs->npages = (uint32_t)(frames - 1);
	for (uint32_t i = 0; i < cs->npages; i++) {
		err = pool ? pool_alloc_frame(pool, FRAME_KOBJ, &cs->pages[i])
			   : frame_alloc(FRAME_KOBJ, &cs->pages[i]);
		assert(err == 0);
	}
	*out = cs;
	return 0;
}

int cspace_lookup(cspace_t *cs, uint64_t idx, cap_t **out)
{
	cap_t *c = cspace_slot(cs, idx);
	if (!c || c->type == CAP_NULL)
		return E_BADCAP;
	*out = c;
	return 0;
}

int cspace_lookup_typed(cspace_t *cs, uint64_t idx, unsigned type, unsigned rights, cap_t **out)
{
	cap_t *c;
	int err = cspace_lookup(cs, idx, &c);
	if (err)
		return err;
	if (c->type != type)
		return E_TYPE;
	if ((c->rights & rights) != rights)
		return E_PERM;
	*out = c;
	return 0;
}

void cspace_install(cap_t *slot, const cap_t *c)
{
	assert(slot->type == CAP_NULL);
	*slot = *c;
}

void cspace_destroy(cspace_t *cs)
{
	for (uint64_t i = 0; i < cs->nslots; i++) {
		cap_t *c = cspace_slot(cs, i);
		if (c->type != CAP_NULL)
			cap_drop(c);
	}
	/* Every slot is empty now (cap_drop clears it) and the rest of each
	 * page was never written: the pages go back as known-zero frames,
	 * which the next cspace or page table takes without zeroing. */
	for (uint32_t i = 0; i < cs->npages; i++) {
		if (cs->obj.pool)
			pool_free_zeroed_frame(cs->obj.pool, cs->pages[i]);
		else
			frame_free_zeroed(cs->pages[i]);
	}
}

int decode_cspace_op(cspace_t *from, cspace_t *to, unsigned label, uint64_t src, uint64_t dst,
		     uint64_t rights, uint64_t badge, cspace_op_t *op)
{
	int err;

	op->label = label;
	op->src = op->dst = NULL;
	op->rights = 0;
	op->badge = 0;
	if (label == CSPACE_DELETE)
		return cspace_lookup(to, src, &op->dst);

	if ((err = cspace_lookup(from, src, &op->src)))
		return err;
	op->dst = cspace_slot(to, dst);
	if (!op->dst)
		return E_BADCAP;
	if (label == CSPACE_MOVE && op->src == op->dst)
		return E_INVAL;
	if (op->dst->type != CAP_NULL)
		return E_EXISTS;
	op->badge = op->src->badge;
	op->rights = op->src->rights;
	if (label == CSPACE_MOVE)
		return 0; /* MOVE takes no rights mask */
	if (rights & ~(uint64_t)RIGHTS_ALL)
		return E_INVAL;
	op->rights &= (unsigned)rights;
	if (label == CSPACE_MINT) {
		if (op->src->type != CAP_ENDPOINT && op->src->type != CAP_NOTIFICATION)
			return E_TYPE;
		if (op->src->badge != 0 || badge == 0)
			return E_INVAL; /* badge once, and a badge is non-zero */
		op->badge = badge;
	}
	return 0;
}

void perform_cspace_op(const cspace_op_t *op)
{
	switch (op->label) {
	case CSPACE_DELETE: cap_drop(op->dst); break;
	case CSPACE_MOVE:
		*op->dst = *op->src;
		*op->src = (cap_t){0};
		break;
	case CSPACE_COPY:
	case CSPACE_MINT:
		*op->dst = *op->src;
		op->dst->rights = (uint8_t)op->rights;
		op->dst->badge = op->badge;
		cap_ref_object(op->dst);
		break;
	}
}
