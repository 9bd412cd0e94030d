/*
 * The debug capability: kernel console output and statistics.
 */
#pragma once

#include <kern/cap.h>

typedef struct sysargs sysargs_t;
int invoke_debug(const cap_t *c, sysargs_t *a);

/* The last "RESULT: ..." line the root task printed: 0 none, 1 PASS, 2 FAIL. */
int debug_result(void);
