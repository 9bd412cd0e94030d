/*
 * Capabilities: what a slot of a capability space holds.
 */
#pragma once

#include <stdint.h>

#include <abi/cap.h>
#include <kern/kobj.h>

typedef struct cap {
	uint8_t type;	/* CAP_*; CAP_NULL = empty slot */
	uint8_t rights; /* RIGHT_* */
	uint16_t unused;
	uint32_t unused2;
	uint64_t badge; /* endpoints and notifications: told to the receiver */
	union {
		kobj_t *obj; /* kernel objects */
		paddr_t pa;  /* CAP_FRAME, CAP_DEVFRAME */
	};
	uint64_t spare; /* pads a slot to 32 bytes: slot lookup is shifts */
} cap_t;

_Static_assert(sizeof(cap_t) == 32, "128 slots per page");

/* Take one more reference to what c names (a copy is being made). */
void cap_ref_object(const cap_t *c);

/* Drop c's reference and empty c. */
void cap_drop(cap_t *c);

/* The object of c if it is of type, else NULL. */
static inline kobj_t *cap_obj(const cap_t *c, unsigned type)
{
	return c->type == type ? c->obj : 0;
}
