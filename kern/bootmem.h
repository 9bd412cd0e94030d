/*
 * Boot-time memory: page allocations made before the frame table exists
 * (page tables of the kernel address space, the frame table itself).
 */
#pragma once

#include <stddef.h>

#include <arch/vm.h>
#include <kern/frame.h>
#include <lib/platform.h>

#define BOOTMEM_MAX_EXCLUDE (PLAT_MAX_RSV + 8)
#define BOOTMEM_MAX_ALLOCS 16

/* Start: free memory is p's RAM minus p's reserved ranges and the extra
 * exclusions given with bootmem_exclude (kernel image, DTB, initrd). */
void bootmem_init(const platform_t *p);
void bootmem_exclude(paddr_t base, uint64_t size);

/* Only allocate inside [lo, hi) (what the boot page table maps). */
void bootmem_set_window(paddr_t lo, paddr_t hi);

/* Allocate size bytes (rounded up to pages), page aligned and zeroed,
 * recorded as kind for frame_init.  Panics when out of memory: boot cannot
 * go on without it. */
paddr_t bootmem_alloc(size_t size, frame_kind_t kind);

/* Hand every allocation to frame_reserve, adding the counts per kind into
 * counts[]; bootmem_alloc panics afterwards. */
void bootmem_finish(size_t counts[FRAME_NKINDS]);
