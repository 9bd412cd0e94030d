/*
 * Capability references: the one place that knows what a capability of
 * each type holds a reference to.
 *   kernel objects   kobj refs
 *   CAP_FRAME        the frame table's refs (as a mapping does)
 *   CAP_DEVFRAME     nothing: MMIO is not RAM and is never freed
 *   CAP_DEBUG        nothing: there is one debug facility
 */

#include <kern/assert.h>
#include <kern/cap.h>
#include <kern/frame.h>
#include <kern/pool.h>

void cap_ref_object(const cap_t *c)
{
	switch (c->type) {
	case CAP_FRAME: frame_ref(c->pa); break;
	case CAP_DEVFRAME:
	case CAP_DEBUG: break;
	default: assert(c->type > CAP_NULL && c->type < CAP_NTYPES); kobj_ref(c->obj);
	}
}

void cap_drop(cap_t *slot)
{
	cap_t c = *slot;
	/* Empty the slot first: dropping may destroy the cspace holding it.
	 * An assignment: four stores, where memset was a call and a loop. */
	*slot = (cap_t){0};
	switch (c.type) {
	case CAP_NULL: break;
	case CAP_FRAME: user_frame_unref(c.pa); break;
	case CAP_DEVFRAME:
	case CAP_DEBUG: break;
	default: kobj_unref(c.obj);
	}
}
