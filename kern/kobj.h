/*
 * Kernel objects: the common header of every object a capability names
 * (except frames, which are the frame table's, and the debug capability).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/cap.h>
#include <arch/vm.h>
#include <kern/assert.h>

typedef struct pool pool_t;

typedef struct kobj {
	uint32_t type; /* CAP_* */
	uint32_t refs; /* capabilities + bindings + in-flight IPC + charges + pins */
	pool_t *pool;  /* charged for this object's frame(s); holds a ref; NULL at boot */
	struct kobj *zombie_next;	    /* destruction list link */
	struct kobj *live_next, *live_prev; /* every live object (kobj_next_live) */
	uint32_t pins;			    /* references the kernel holds by itself */
	uint32_t census;		    /* kern/audit.c's count of references found */
} kobj_t;

/*
 * Allocate a zeroed one-frame object of type, charged to pool (NULL: the
 * boot objects, charged to nobody).  refs starts at 1: the caller's
 * capability.  Returns 0, or E_NOMEM when the pool's quota or RAM is out.
 */
int kobj_alloc(pool_t *pool, unsigned type, kobj_t **out);

/* True if kobj_alloc(pool, ...) would succeed now (no state change). */
bool kobj_can_alloc(pool_t *pool, size_t frames);

static inline void kobj_ref(kobj_t *o)
{
	assert(o->refs > 0 && o->refs < UINT32_MAX);
	o->refs++;
}

/* Drop a reference; at zero the object is destroyed (its type's destroy
 * function drops what it holds) and its frame freed and uncharged.
 * Destruction is iterative, so chains of objects cannot overflow the
 * kernel stack. */
void kobj_unref(kobj_t *o);

/* A reference the kernel keeps for itself (not a capability, binding or
 * charge): counted in refs and in pins, so the audit can account for it. */
void kobj_pin(kobj_t *o);

/* Every live object in turn: NULL gives the first, NULL after the last.
 * An object is on the list from kobj_alloc until it is destroyed. */
kobj_t *kobj_next_live(const kobj_t *o);

/* Live objects of a type (for leak checks). */
unsigned long kobj_live(unsigned type);

/* Count an object that is not a kobj (debug capability) or adjust. */
void kobj_count(unsigned type, long delta);
