/*
 * The POSIX layer's own additions to picolibc's <unistd.h>,
 * <sys/wait.h> and <signal.h> (which declare fork, execv, waitpid,
 * _exit, getpid, getppid, kill, sbrk, read and write, implemented in
 * user/posix/posix.c on top of the process server, procsrv_proto.h).
 *
 * Deviations from POSIX: kill() delivers no signals; any signal but 0
 * ends the process (wait status: killed by SIGKILL); kill(pid, 0) reports
 * ESRCH for a zombie as for a process that does not exist.  read() on the
 * console returns 0 (end of file) until a console driver exists; write()
 * on fd 1 and 2 goes to the kernel's debug console.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <procsrv_proto.h>

/* fork() that copies every writable page at once instead of sharing it
 * copy-on-write. */
pid_t forkcopy(void);

/* fork() whose child gets a pool of quota frames (nested in the
 * caller's, so the child's subtree is bounded by both); eager: like
 * forkcopy. */
pid_t forkq(unsigned long quota, int eager);

/* The FAULT_* kind (abi/syscall.h) that killed a process, 0 if it was
 * killed by kill() or exited. */
#define WFAULTKIND(w) PS_STATUS_KIND(w)

/* What the process server knows of pid (0: the caller). */
typedef struct procinfo {
	unsigned long quota;  /* of its pool, frames */
	unsigned long used;   /* frames charged to its pool and sub-pools */
	unsigned long execs;  /* successful execv calls */
	unsigned long nprocs; /* processes alive in the system */
} procinfo_t;
int procinfo(pid_t pid, procinfo_t *out);

/* Write any buffered console output (fork and exec do it themselves). */
void posix_flush(void);
