/*
 * Boot-time page allocator.
 *
 * Used only between kmain's start and frame_seal: first-fit from the lowest
 * free address, where free means inside a /memory range, outside every
 * reserved range (rounded out to pages) and outside the extra exclusions,
 * and inside the current window.  Every allocation is remembered so that
 * the frame table later marks those pages as in use; nothing is ever freed.
 */
#include <string.h>

#include <kern/assert.h>
#include <kern/bootmem.h>

typedef struct bm_range {
	paddr_t lo, hi;
	frame_kind_t kind;
} bm_range_t;

static const platform_t *plat;
static bm_range_t exclude[BOOTMEM_MAX_EXCLUDE];
static size_t nexclude;
static bm_range_t allocs[BOOTMEM_MAX_ALLOCS];
static size_t nallocs;
static paddr_t window_lo, window_hi = ~(paddr_t)0;
static bool finished;

void bootmem_init(const platform_t *p)
{
	plat = p;
	nexclude = 0;
	for (size_t i = 0; i < p->nrsv; i++)
		bootmem_exclude(p->rsv[i].base, p->rsv[i].size);
}

void bootmem_exclude(paddr_t base, uint64_t size)
{
	if (nexclude == BOOTMEM_MAX_EXCLUDE)
		panic("bootmem: too many reserved ranges");
	exclude[nexclude].lo = PAGE_ROUND_DOWN(base);
	exclude[nexclude].hi = PAGE_ROUND_UP(base + size);
	nexclude++;
}

void bootmem_set_window(paddr_t lo, paddr_t hi)
{
	window_lo = lo;
	window_hi = hi;
}

/* If [lo, hi) overlaps an excluded or allocated range, return the end of
 * the first such range; else 0. */
static paddr_t bm_conflict(paddr_t lo, paddr_t hi)
{
	for (size_t i = 0; i < nexclude; i++)
		if (lo < exclude[i].hi && exclude[i].lo < hi)
			return exclude[i].hi;
	for (size_t i = 0; i < nallocs; i++)
		if (lo < allocs[i].hi && allocs[i].lo < hi)
			return allocs[i].hi;
	return 0;
}

static void bm_record(paddr_t lo, paddr_t hi, frame_kind_t kind)
{
	/* Merge with the previous allocation when contiguous and same kind. */
	if (nallocs && allocs[nallocs - 1].hi == lo && allocs[nallocs - 1].kind == kind) {
		allocs[nallocs - 1].hi = hi;
		return;
	}
	if (nallocs == BOOTMEM_MAX_ALLOCS)
		panic("bootmem: too many allocations");
	allocs[nallocs++] = (bm_range_t){ lo, hi, kind };
}

paddr_t bootmem_alloc(size_t size, frame_kind_t kind)
{
	assert(!finished);
	size = PAGE_ROUND_UP(size);
	for (size_t m = 0; m < plat->nmem; m++) {
		paddr_t lo = PAGE_ROUND_UP(plat->mem[m].base);
		paddr_t end = PAGE_ROUND_DOWN(plat->mem[m].base + plat->mem[m].size);
		if (lo < window_lo)
			lo = window_lo;
		if (end > window_hi)
			end = window_hi;
		while (lo + size <= end && lo + size > lo) {
			paddr_t next = bm_conflict(lo, lo + size);
			if (next == 0) {
				bm_record(lo, lo + size, kind);
				memset(pa2kva(lo), 0, size);
				return lo;
			}
			lo = next;
		}
	}
	panic("bootmem: no %zu bytes free", size);
}

void bootmem_finish(size_t counts[FRAME_NKINDS])
{
	for (size_t i = 0; i < nallocs; i++)
		counts[allocs[i].kind] +=
			frame_reserve(allocs[i].lo, allocs[i].hi - allocs[i].lo, allocs[i].kind);
	finished = true;
}
