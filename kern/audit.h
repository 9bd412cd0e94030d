/*
 * The invariant audit (DEBUG_CHECK): reference counts of frames and
 * objects, pool usage and page tables against what actually exists.
 */
#pragma once

/* Run frame_check and then recount every frame and object reference,
 * every pool's usage and every address space's tables and leaves from
 * the live objects; 0, or E_CORRUPT with the first mismatch printed.
 * Slow (O(frames + objects + slots + page-table entries)), allocates
 * nothing, changes nothing visible. */
int audit_kernel(void);
