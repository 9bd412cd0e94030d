/*
 * The root task: the first user program, started by the kernel.
 */
#pragma once

#include <kern/boot.h>

/* Load the root program (bootargs "init=NAME", default ROOT_DEFAULT)
 * from the initrd and make it runnable.  Panics if it cannot: without a
 * root task the system has nothing to do. */
void root_start(boot_info_t *bi);

/* Called when the hart goes idle: if the root thread has stopped
 * (suspended itself or faulted), leave the machine with the result it
 * printed ("RESULT: PASS" -> 0, else 1). */
void root_check_finished(void);

#define ROOT_DEFAULT "procsrv"
