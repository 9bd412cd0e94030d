/*
 * Capability spaces: a table of capability slots, named by index.
 */
#pragma once

#include <kern/cap.h>
#include <kern/kobj.h>

#define CAPS_PER_PAGE	 (PAGE_SIZE / sizeof(cap_t))
#define CSPACE_MAX_PAGES 32
#define CSPACE_MAX_SLOTS 4096

typedef struct cspace {
	kobj_t obj;
	uint32_t nslots;
	uint32_t npages;
	paddr_t pages[CSPACE_MAX_PAGES]; /* slot pages, charged to obj.pool */
} cspace_t;

/* Frames a cspace of nslots costs (object + slot pages); 0 if nslots is
 * not in 1..CSPACE_MAX_SLOTS. */
size_t cspace_frames(uint64_t nslots);

/* Create an empty cspace of nslots slots charged to pool (NULL at boot).
 * Returns 0, E_INVAL for a bad size, E_NOMEM. */
int cspace_create(pool_t *pool, uint64_t nslots, cspace_t **out);

/* The slot at idx, or NULL if idx is out of range. */
static inline cap_t *cspace_slot(cspace_t *cs, uint64_t idx)
{
	if (idx >= cs->nslots)
		return NULL;
	cap_t *page = pa2kva(cs->pages[idx / CAPS_PER_PAGE]);
	return &page[idx % CAPS_PER_PAGE];
}

/* Look up a non-empty slot: E_BADCAP if out of range or empty. */
int cspace_lookup(cspace_t *cs, uint64_t idx, cap_t **out);

/* Look up a slot holding type with at least rights: E_BADCAP, E_TYPE,
 * E_PERM. */
int cspace_lookup_typed(cspace_t *cs, uint64_t idx, unsigned type, unsigned rights, cap_t **out);

/* Put a new capability (already referenced) in an empty slot. */
void cspace_install(cap_t *slot, const cap_t *c);

void cspace_destroy(cspace_t *cs);

/*
 * Slot operations (CSPACE_* invocations): decode checks everything and
 * changes nothing; perform cannot fail.
 */
typedef struct cspace_op {
	unsigned label;	  /* CSPACE_COPY, _MINT, _MOVE, _DELETE */
	cap_t *src, *dst; /* resolved slots */
	unsigned rights;
	uint64_t badge;
} cspace_op_t;

int decode_cspace_op(cspace_t *from, cspace_t *to, unsigned label, uint64_t src, uint64_t dst,
		     uint64_t rights, uint64_t badge, cspace_op_t *op);
void perform_cspace_op(const cspace_op_t *op);
