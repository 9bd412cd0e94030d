/*
 * The process server's request protocol, shared by procsrv and the POSIX
 * library.
 *
 * A process talks to procsrv with SYS_CALL on its slot PSLOT_PROCSRV, an
 * endpoint capability badged with its pid (the same endpoint, minted with
 * the same badge, is its thread's fault endpoint).  The request is the
 * message label (PS_*) and up to four words; the reply carries the result
 * in w0 (>= 0, or an error of <abi/error.h>) and, for some requests, more
 * words after it.  procsrv never keeps a reply pending: a request that
 * cannot be answered yet (PS_WAIT) is answered E_AGAIN, and procsrv signals
 * the caller's notification (PSLOT_NTFN) when it is worth asking again.
 *
 * A process's capability space (PROC_CSPACE_SLOTS slots):
 *   SLOT_ASPACE (2)   its own address space, READ only (ASPACE_QUERY)
 *   SLOT_THREAD (3)   its own thread, READ|WRITE
 *   SLOT_DEBUG  (5)   the debug capability (console, statistics)
 *   PSLOT_PROCSRV (6) the procsrv endpoint, WRITE, badge = pid
 *   PSLOT_NTFN  (7)   its wake-up notification, READ
 *
 * Its address space: the program image from PROC_IMAGE_LO, the heap from
 * PROC_HEAP_BASE up to the break (pages mapped by PS_SBRK, zero-filled),
 * the stack below PROC_STACK_TOP (PROC_STACK_INIT pages mapped at exec,
 * grown on demand by the fault handler down to PROC_STACK_MAX pages).
 */
#pragma once

#define PROC_CSPACE_SLOTS 16
#define PSLOT_PROCSRV	  6
#define PSLOT_NTFN	  7

#define PROC_IMAGE_LO	0x1000UL
#define PROC_HEAP_BASE	0x40000000UL /* the break starts here */
#define PROC_HEAP_MAX	(1UL << 30)  /* at most 1 GiB of heap */
#define PROC_STACK_TOP	0x3ffff00000UL
#define PROC_STACK_INIT 4   /* pages mapped at exec */
#define PROC_STACK_MAX	256 /* pages the stack may grow to */

/* PS_EXEC buffer: "path\0arg0\0arg1\0..." sent in PS_EXEC_ARG pieces. */
#define PS_ARGBUF_MAX 1024
#define PS_ARGV_MAX   64
#define PS_ARG_CHUNK  24 /* bytes per PS_EXEC_ARG */

enum {
	PS_FORK = 1, /* w0 = PS_FORK_* flags, w1 = quota in frames (0: the parent's)
		      * -> w0 = child pid; the child returns 0 in w0 */
	PS_EXEC_ARG, /* w0 = offset, w1..w3 = 24 bytes of the exec buffer -> 0 */
	PS_EXEC,     /* w0 = length of the exec buffer -> no reply on success */
	PS_EXIT,     /* w0 = status -> no reply */
	PS_WAIT,     /* w0 = pid or -1, w1 = options (PS_WNOHANG)
		      * -> w0 = pid, w1 = status; E_AGAIN: wait on PSLOT_NTFN, ask again;
		      *    0 with WNOHANG and no child done; E_NOENT: no such child */
	PS_GETPID,   /* -> w0 = pid */
	PS_GETPPID,  /* -> w0 = parent's pid */
	PS_KILL,     /* w0 = pid, w1 = signal (0: only check that it runs) -> 0 or E_NOENT */
	PS_SBRK,     /* w0 = increment in bytes (signed) -> w0 = the old break */
	PS_INFO,     /* w0 = pid (0: the caller) -> w0 = pool quota, w1 = pool used,
		      * w2 = number of successful execs, w3 = live processes */
};

#define PS_FORK_EAGER 1u /* copy every writable page now (CLONE_EAGER) */
#define PS_WNOHANG    1u

/*
 * Wait status, as <sys/wait.h> decodes it: exited: (code & 0xff) << 8;
 * killed: the signal number in bits 0..6, and the FAULT_* kind that
 * killed it (0 for kill()) in bits 16..23.
 */
#define PS_STATUS_EXITED(code)	    (((code)&0xff) << 8)
#define PS_STATUS_KILLED(sig, kind) (((sig)&0x7f) | (((kind)&0xff) << 16))
#define PS_STATUS_KIND(st)	    (((st) >> 16) & 0xff)

/* Signal numbers procsrv reports (the usual POSIX values). */
#define PS_SIGILL  4
#define PS_SIGTRAP 5
#define PS_SIGBUS  7
#define PS_SIGKILL 9
#define PS_SIGSEGV 11
