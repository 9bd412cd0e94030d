/*
 * IPC fast paths (kern/fastpath.c) for SYS_CALL and SYS_REPLY_RECV of the
 * current thread, whose registers are tf.  When the case is the simple one
 * they switch to the partner and do not return; otherwise they hand over
 * to syscall_dispatch and return what it returns.
 */
#pragma once

#include <stdbool.h>

#include <kern/thread.h>

bool fastpath_call(trapframe_t *tf);
bool fastpath_reply_recv(trapframe_t *tf);

/* The same, one hart, while tracing (syscall_traced): they also record what
 * the general path would (the message received, the switch, the exit). */
bool fastpath_call_traced(trapframe_t *tf);
bool fastpath_reply_recv_traced(trapframe_t *tf);
