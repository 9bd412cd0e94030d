/*
 * The POSIX layer's own additions to picolibc's <unistd.h>,
 * <sys/wait.h> and <signal.h> (which declare fork, execv, waitpid,
 * _exit, getpid, getppid, kill, sbrk, read and write, implemented in
 * user/posix/posix.c on top of the process server, procsrv_proto.h).
 *
 * Deviations from POSIX: kill() delivers no signals; any signal but 0
 * ends the process (wait status: killed by SIGKILL); kill(pid, 0) reports
 * ESRCH for a zombie as for a process that does not exist.  Ctrl-C on
 * the console ends every process of the foreground group (tcsetpgrp; none
 * unless a shell sets one) as if killed by SIGINT.  File descriptors are
 * kept by procsrv: read(), write(), close(), dup(), dup2() and pipe() on
 * the console and on pipes, PS_NFD per process; a write of up to 256
 * bytes to the console comes out in one piece, a write to a pipe is
 * atomic only up to PS_IO_CHUNK bytes.  A write to a pipe with no reader
 * fails with EPIPE (no SIGPIPE).  There is no close-on-exec.
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

/* One process of procsrv's table, for ps. */
typedef struct proc_entry {
	pid_t pid, ppid, pgid;
	int state; /* PS_STATE_RUN, PS_STATE_IOWAIT or PS_STATE_ZOMBIE */
	char name[25];
	unsigned long frames;	  /* charged to its pool and sub-pools */
	unsigned long faults;	  /* page faults its address space took */
	unsigned long cow_copies; /* copy-on-write copies among them */
	unsigned long resident;	  /* pages mapped in its address space */
	unsigned long ipc;	  /* IPC messages its thread sent */
	unsigned long switches;	  /* times a hart switched to its thread */
} proc_entry_t;

/* The first process at or after table index (start with 0): fills *out
 * and returns the index to ask for next (one past it), or -1 at the end
 * (errno ESRCH). */
int proc_list(int index, proc_entry_t *out);

/* The initrd's files, like proc_list: the name of the first file at or
 * after index (start with 0) and the next index, or -1 at the end. */
int initrd_list(int index, char *name, size_t max);
