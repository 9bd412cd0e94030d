/*
 * The process server's request protocol, shared by procsrv and the POSIX
 * library.
 *
 * A process talks to procsrv with SYS_CALL on its slot PSLOT_PROCSRV, an
 * endpoint capability badged with its pid and procsrv table index (the same endpoint, minted with
 * the same badge, is its thread's fault endpoint).  The request is the
 * message label (PS_*) and up to four words; the reply carries the result
 * in w0 (>= 0, or an error of <abi/error.h>) and, for some requests, more
 * words after it.  procsrv never keeps a reply pending: a request that
 * cannot be answered yet (PS_WAIT) is answered E_AGAIN, and procsrv signals
 * the caller's notification (PSLOT_NTFN) when it is worth asking again.
 *
 * A process's capability space (PROC_CSPACE_SLOTS slots):
 *   SLOT_ASPACE (2)   its own address space, READ only (ASPACE_QUERY)
 *   SLOT_THREAD (3)   its own thread, READ only (registers, info, counters)
 *   SLOT_DEBUG  (5)   the debug capability (console, statistics)
 *   PSLOT_PROCSRV (6) the procsrv endpoint, WRITE, badge = pid | index << 40
 *   PSLOT_NTFN  (7)   its wake-up notification, READ
 *   PSLOT_IRQ   (8)   the console server only: the UART's IRQ handler
 *
 * The console server (user/console) is a process procsrv starts at boot
 * when the device tree names a UART it knows: the UART's registers are
 * mapped at PROC_DEV_VA in its address space, and it talks to procsrv with
 * the PS_CONS_* requests, which only it may make.
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
#define PSLOT_IRQ	  8

#define PROC_IMAGE_LO	0x1000UL
#define PROC_HEAP_BASE	0x40000000UL /* the break starts here */
#define PROC_HEAP_MAX	(1UL << 30)  /* at most 1 GiB of heap */
#define PROC_STACK_TOP	0x3ffff00000UL
#define PROC_STACK_INIT 4	     /* pages mapped at exec */
#define PROC_STACK_MAX	256	     /* pages the stack may grow to */
#define PROC_DEV_VA	0x30000000UL /* console server: the UART's page */

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
	/* File descriptors (PS_NFD per process; 0, 1, 2 on the console for
	 * init; inherited by fork, kept by exec, closed at exit). */
	PS_READ,      /* w0 = fd, w1 = at most this many bytes (<= PS_IO_CHUNK),
		       * w2 = PS_READ_NOWAIT or 0
		       * -> w0 = n (0: end of file), w1..w3 = the bytes;
		       *    E_AGAIN: nothing yet, wait on PSLOT_NTFN and ask again
		       *    (with PS_READ_NOWAIT: nothing yet, and no wake-up) */
	PS_WRITE,     /* w0 = fd | n << 32 | PS_WRITE_MORE, w1..w3 = n bytes
		       * -> w0 = bytes taken (a pipe may take fewer); E_AGAIN: no
		       *    room yet, wait and ask again; E_PIPE: no reader left */
	PS_CLOSE,     /* w0 = fd -> 0 */
	PS_DUP,	      /* w0 = fd -> the lowest free fd, a copy of fd */
	PS_DUP2,      /* w0 = fd, w1 = fd2 -> fd2, now a copy of fd */
	PS_PIPE,      /* -> w0 = 0, w1 = read end's fd, w2 = write end's fd */
	PS_SETPGID,   /* w0 = pid (0: the caller), w1 = pgid (0: that pid) -> 0 */
	PS_GETPGID,   /* w0 = pid (0: the caller) -> its process group */
	PS_TCSETPGRP, /* w0 = pgid (0: none) -> 0: the console's foreground group;
		       * E_PERM unless pgid is the caller's group or a child's */
	PS_TCGETPGRP, /* -> the foreground group, 0 if none */
	PS_PROC,      /* w0 = table index, w1 = page -> w0 = index of the first
		       * entry in use at or after it (E_NOENT: none), and
		       * page 0: w1 = pid, w2 = ppid, w3 = state | pgid << 8;
		       * page 1: w1..w3 = name (24 bytes, NUL-padded);
		       * page 2: w1 = frames charged to it, w2 = page faults it
		       *         took, w3 = copy-on-write copies;
		       * page 3: w1 = pages mapped, w2 = IPC messages it sent,
		       *         w3 = switches to its thread (kernel counters of
		       *         its current address space and its thread) */
	PS_LS,	      /* w0 = index of an initrd entry -> w0 = index of the next,
		       * w1..w3 = name (24 bytes, NUL-padded); E_NOENT: no more */
	/* The console server's requests (E_PERM from anyone else). */
	PS_CONS_INPUT,	/* w0 = n | PS_CONS_* flags, w1..w3 = n typed bytes ->
			 * w0 = 1 if taken, 0 if the input queue is full (procsrv
			 * signals the server when there is room again) */
	PS_CONS_OUTPUT, /* w0 = bytes of the last answer now printed
			 * -> w0 = n (0: nothing to print), w1..w3 = bytes */
};

#define PS_NFD	       16
#define PS_IO_CHUNK    24	   /* bytes per PS_READ / PS_WRITE */
#define PS_WRITE_MORE  (1UL << 63) /* more of the same write() follows */
#define PS_READ_NOWAIT 1UL	   /* PS_READ: the caller will not wait */
#define PS_CONS_EOF    (1UL << 8)  /* Ctrl-D: end of file after the bytes */
#define PS_CONS_INTR   (1UL << 9)  /* Ctrl-C: end the foreground group */

/* PS_PROC states. */
#define PS_STATE_RUN	1
#define PS_STATE_ZOMBIE 2
#define PS_STATE_IOWAIT 3 /* waits for a pipe or the console (was told E_AGAIN) */

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

/* Signal numbers procsrv reports: those of the C library the POSIX
 * programs are linked with (picolibc's <signal.h>, BSD numbering: SIGBUS
 * is 10), so that WTERMSIG(st) == SIGBUS holds; posix.c checks each. */
#define PS_SIGILL  4
#define PS_SIGTRAP 5
#define PS_SIGBUS  10
#define PS_SIGINT  2
#define PS_SIGKILL 9
#define PS_SIGPIPE 13
#define PS_SIGSEGV 11
