/*
 * procsrv internals: the process table and the routines that build, run
 * and tear down processes (proc.c), load programs (exec.c) and serve
 * requests and faults (main.c).
 *
 * Every process owns PROC_SLOTS consecutive slots of procsrv's own cspace
 * (PX_* below), fixed by its table index, so that creating a process never
 * runs out of slots and tearing it down empties exactly those slots.  A
 * process's pool is the only pool its objects are charged to; it is made
 * from the parent's pool, so the quota of a process bounds its whole
 * subtree (pools charge every ancestor).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libos.h>
#include <procsrv_proto.h>

#define NPROC	      64
#define PROC_SLOTS    8
#define PROC_PRIO     8 /* below procsrv (16): the server answers first */
#define PROC_NAME_MAX 24
#define CONS_ATOMIC   256 /* a console write() up to this size comes out whole */

/* procsrv's own page where it fills frames before handing them out. */
#define PS_SCRATCH_VA 0x50000000UL

/* The slots of one process in procsrv's cspace, relative to proc_t.base. */
enum {
	PX_POOL = 0, /* its pool, made from the parent's */
	PX_ASPACE,   /* its address space */
	PX_CSPACE,   /* its capability space */
	PX_THREAD,   /* its one thread */
	PX_NTFN,     /* its wake-up notification (procsrv signals it) */
	PX_EP,	     /* the endpoint minted with its pid: fault endpoint */
	PX_NEWAS,    /* exec: the address space being built */
	PX_TMP,	     /* a frame on its way into one of its address spaces */
};

typedef enum { P_FREE = 0, P_ALIVE, P_ZOMBIE } pstate_t;

typedef struct proc {
	pstate_t state;
	long pid, ppid;
	unsigned long base;	 /* first of PROC_SLOTS slots (fixed per entry) */
	unsigned long quota;	 /* of its pool, in frames */
	unsigned long brk;	 /* the break: heap is [PROC_HEAP_BASE, brk) */
	unsigned long stack_low; /* lowest mapped stack page */
	unsigned long execs;	 /* successful PS_EXEC requests */
	int status;		 /* wait status once a zombie */
	char name[PROC_NAME_MAX];
	char argbuf[PS_ARGBUF_MAX]; /* PS_EXEC_ARG pieces */
	/* file.c */
	long pgid;	     /* process group (the console's Ctrl-C) */
	uint8_t fd[PS_NFD];  /* 0: closed; k: open file k - 1 */
	uint16_t fdopen;     /* bit fd set: fd[fd] != 0 */
	const void *io_wait; /* what it waits on after E_AGAIN, or NULL */
	bool wres;	     /* holds a reservation in the console ring */
	size_t wlen;	     /* bytes of a console write() gathered so far */
	char wbuf[CONS_ATOMIC + PS_IO_CHUNK];
} proc_t;

static inline unsigned long px(const proc_t *p, unsigned x)
{
	return p->base + x;
}

/* The table: set up once with the first of NPROC * PROC_SLOTS free slots. */
void proc_table_init(unsigned long first_slot, unsigned long ep_slot);
proc_t *proc_find(long pid); /* a live or zombie process, or NULL */

/* A process's endpoint badge: its pid and its table index, so that the
 * server finds the caller without a search. */
#define PROC_BADGE_SHIFT 40
static inline unsigned long proc_badge(long pid, unsigned long index)
{
	return (unsigned long)pid | index << PROC_BADGE_SHIFT;
}
proc_t *proc_by_badge(unsigned long badge); /* NULL if it names no process */
unsigned long proc_live_count(void);
proc_t *proc_next(proc_t *p);	      /* iterate the used entries: start with NULL */
proc_t *proc_at(unsigned long index); /* the first used entry at or after index */
unsigned long proc_index(const proc_t *p);
/* The kernel's counters of p's address space and thread (zeros for a
 * zombie): page faults (copies, reuses, zero fills and forwarded
 * faults), copy-on-write copies, leaf pages mapped, IPC messages sent,
 * switches to its thread. */
typedef struct proc_counters {
	unsigned long faults, cow_copies, resident, ipc, switches;
} proc_counters_t;
void proc_counters(const proc_t *p, proc_counters_t *out);

/*
 * A new process: a pool of quota frames made from the pool in slot
 * parent_pool, with its cspace, notification, thread and fault endpoint
 * (but no address space yet, no caps in its cspace, not started).  Returns
 * NULL and sets *err on failure, with nothing left behind.
 */
proc_t *proc_create(long ppid, unsigned long parent_pool, unsigned long quota, long *err);

/* Give p its standard capabilities, configure its thread with its address
 * space and start it at regs (32 words: pc, x1..x31). */
long proc_start(proc_t *p, const uint64_t regs[32]);

/* fork: a copy of parent (CLONE_EAGER with PS_FORK_EAGER) with quota
 * (0: the parent's); the child returns 0.  The child's pid or an error. */
long proc_fork(proc_t *parent, unsigned long flags, unsigned long quota);

/* End p with a wait status: release every object, hand its children to
 * init, become a zombie and wake the parent.  p must be alive. */
void proc_exit(proc_t *p, int status);

/* Name p after name (truncated) for its fault lines. */
void proc_set_name(proc_t *p, const char *name);

/* Reap a zombie: the entry becomes free. */
void proc_reap(proc_t *p);

/* The heap: move the break by incr bytes (new pages are zero pages,
 * copy-on-write); the old break or an error. */
long proc_sbrk(proc_t *p, long incr);

/* Grow the stack down to cover addr if it is in the stack window: 1 if the
 * fault is resolved, 0 if addr is not a stack address, or an error. */
long proc_grow_stack(proc_t *p, unsigned long addr);

/* exec.c: build the program described by buf ("path\0arg0\0...", len
 * bytes) in a new address space in slot as_slot, paid by p's pool; fill
 * regs for its start.  Returns 0 or an error with as_slot left empty. */
long exec_build(proc_t *p, const char *buf, size_t len, unsigned long as_slot, uint64_t regs[32]);

/* Replace p's program by the one described by p->argbuf[0..len).  0: done
 * (p runs the new program, or was killed if that failed past the point of
 * no return); an error: p is unchanged and gets the error as the reply. */
long proc_exec(proc_t *p, size_t len);

/* The initrd, for exec_build. */
void exec_set_initrd(const void *addr, size_t size);
void exec_get_initrd(const void **addr, size_t *size);

/* file.c: descriptors, pipes and the console (the requests PS_READ ..
 * PS_LS and PS_CONS_*); the reply's w0 or an error, *out filled. */
long file_request(proc_t *p, unsigned long label, const sysret_t *r, msg_t *out);
long file_console_fds(proc_t *p); /* fds 0, 1, 2 on the console */
void file_fork(const proc_t *parent, proc_t *child);
void file_exit(proc_t *p); /* close everything p has open */
void cons_set_server(proc_t *p, unsigned long irq_slot);
bool cons_is_server(const proc_t *p);
/* procsrv's own lines, in order with what processes print. */
int cons_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print what the console server has not yet (procsrv is ending). */
void file_flush_console(unsigned long ep);
/* Open files and pipes left (0 once every process is gone). */
long file_leaks(void);

/* main.c: init (pid 1) ended; tear everything down and report. */
void procsrv_finish(int status) __attribute__((noreturn));
