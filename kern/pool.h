/*
 * Memory pools: the right to allocate frames and kernel objects.
 */
#pragma once

#include <kern/frame.h>
#include <kern/kobj.h>

struct pool {
	kobj_t obj;
	uint64_t quota; /* frames this pool and its descendants may hold */
	uint64_t used;	/* frames charged to it (and its descendants) */
	pool_t *parent; /* charges go up the chain; NULL for the root pool */
	uint32_t token; /* owner token of the frames it pays for */
	/* kern/audit.c's scratch: frames found charged to it directly, and
	 * with its descendants (to compare with used). */
	uint64_t census_direct, census_used;
};

/* The root pool, created at boot with all free RAM as its quota. */
pool_t *pool_create_root(void);

/* True if n more frames can be charged to p (quota up the chain, and RAM). */
bool pool_can_charge(const pool_t *p, size_t n);

/* Charge / uncharge n frames to p and every ancestor.  pool_charge returns
 * E_NOMEM (changing nothing) when a quota is exceeded. */
int pool_charge(pool_t *p, size_t n);
void pool_uncharge(pool_t *p, size_t n);

/* Allocate a zeroed frame of kind charged to p.  FRAME_USER frames record
 * p as their owner (uncharged when the last reference goes, wherever it
 * is).  Returns 0 or E_NOMEM. */
int pool_alloc_frame(pool_t *p, frame_kind_t kind, paddr_t *pa);

/* The same, not zeroed when !zero (the caller fills the whole page). */
int pool_alloc_frame_fill(pool_t *p, frame_kind_t kind, paddr_t *pa, bool zero);

/* Free a single-reference frame (object, page table) charged to p. */
void pool_free_frame(pool_t *p, paddr_t pa);

/* pool_free_frame for a frame the caller has emptied back to zero. */
void pool_free_zeroed_frame(pool_t *p, paddr_t pa);

/* Drop one reference to a user frame; the owner pool is uncharged when it
 * is freed.  Kernel frames mapped for user (initrd) are only unpinned. */
void user_frame_unref(paddr_t pa);

/* Make a child pool of parent with a quota (POOL_CREATE). */
int pool_create(pool_t *parent, uint64_t quota, pool_t **out);

void pool_destroy(pool_t *p);
