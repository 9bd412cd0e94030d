/*
 * File descriptors, pipes and the console, kept by procsrv for every
 * process (the PS_READ .. PS_LS and PS_CONS_* requests of
 * procsrv_proto.h: descriptors, pipes, process groups and the console,
 * and the process and initrd listings for ps and ls).
 *
 * Three levels, as in Unix: a process's descriptor table (proc_t.fd: 0 is
 * a closed descriptor, k is files[k - 1]); the open files, shared by the
 * descriptors that dup, dup2 and fork make and counted by them; and the
 * objects behind them: the console or one of the pipes.
 *
 * Nobody ever waits inside procsrv.  A read with nothing to read or a
 * write with no room is answered E_AGAIN and the process is recorded as
 * waiting on that object (proc_t.io_wait); the next change to the object
 * (bytes in, bytes out, an end closed, the console server gone) signals
 * its notification, and the POSIX layer asks again.
 *
 * The console.  Output goes through one ring that the console server
 * (user/console) drains with PS_CONS_OUTPUT.  A write() arrives in
 * PS_IO_CHUNK pieces; the pieces are gathered in the writer's proc_t.wbuf
 * and enter the ring together when the last one arrives (or CONS_ATOMIC
 * bytes are there), so the lines of processes that print at the same time
 * do not mix.  A write's first piece reserves room for a whole gathered
 * write in the ring (cons.reserved) or waits (E_AGAIN) for it: a write
 * that has begun always completes, and committing never fails.  Input arrives from the server as
 * whole lines (its line discipline: echo, erase, kill, Ctrl-D, Ctrl-C) and a read returns at most
 * one line.  Without a server (no UART procsrv knows, or the server died) output is printed at once
 * through the debug capability and a read returns end of file.
 *
 * Invariants: files[i].refs is the number of descriptors of live
 * processes that name file i; a pipe's readers (writers) is the number of
 * open files of its read (write) end; a pipe is free when both are 0;
 * cons.reserved is CONS_WRES times the number of processes with wres
 * set (a write in progress; wlen <= CONS_ATOMIC + PS_IO_CHUNK); bit fd of
 * proc_t.fdopen is set exactly when fd is open.
 */
#include <stdarg.h>

#include <lib/cpio.h>
#include <lib/fmt.h>
#include <string.h>

#include "procsrv.h"

#define NFILE	  128
#define NPIPE	  32
#define PIPE_SIZE 4096
#define CONS_OUT  8192
#define CONS_IN	  4096
#define CONS_EOFS 8
#define CONS_WRES sizeof(((proc_t *)0)->wbuf) /* a gathered write's reservation */

_Static_assert(CONS_ATOMIC + PS_IO_CHUNK <= CONS_WRES, "a gathered write fits its reservation");

enum { F_FREE = 0, F_CONSOLE, F_PIPE_READ, F_PIPE_WRITE };

typedef struct file {
	uint8_t kind;
	uint8_t pipe; /* for F_PIPE_*: index in pipes[] */
	uint16_t refs;
} file_t;

typedef struct pipe {
	unsigned readers, writers;
	size_t head, len; /* bytes buf[head..head+len) (mod PIPE_SIZE) */
	char buf[PIPE_SIZE];
} pipe_t;

static file_t files[NFILE];
static pipe_t pipes[NPIPE];

static struct {
	proc_t *server;	   /* the console server, NULL if none */
	unsigned long irq; /* procsrv's slot of the UART's IRQ handler */
	long fg;	   /* foreground process group, 0 if none */
	/* output ring */
	size_t out_head, out_len, reserved;
	size_t out_taken; /* at out_head: handed to the server, not yet printed */
	char out[CONS_OUT];
	/* input queue, and the end-of-file marks (input positions) in it */
	size_t in_head, in_len;
	unsigned long in_pos; /* bytes read from the queue so far */
	unsigned long eof_at[CONS_EOFS];
	unsigned neof;
	bool in_refused; /* the server was told the queue is full */
	char in[CONS_IN];
} cons;

/* Distinct addresses that processes wait on (proc_t.io_wait). */
#define WAIT_CONS_IN  ((const void *)&cons.in)
#define WAIT_CONS_OUT ((const void *)&cons.out)

/* ---- waiting ---- */

static void wake(const void *obj)
{
	for (proc_t *q = proc_next(NULL); q != NULL; q = proc_next(q)) {
		if (q->state == P_ALIVE && q->io_wait == obj) {
			q->io_wait = NULL;
			sys_signal(px(q, PX_NTFN));
		}
	}
}

static long wait_on(proc_t *p, const void *obj)
{
	p->io_wait = obj;
	return E_AGAIN;
}

/* ---- console output ---- */

/* Through the kernel's console, in pieces DEBUG_PUTS takes (at most 4096
 * bytes each). */
static void debug_write(const char *s, size_t n)
{
	while (n > 0) {
		size_t k = n < 4096 ? n : 4096;

		sys_invoke(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)s, k, 0, 0, 0);
		s += k;
		n -= k;
	}
}

/* Put n bytes in the ring (room is known to be there) or print them. */
static void cons_put(const char *s, size_t n)
{
	if (cons.server == NULL) {
		debug_write(s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		cons.out[(cons.out_head + cons.out_len + i) % CONS_OUT] = s[i];
	cons.out_len += n;
	if (n > 0)
		sys_signal(px(cons.server, PX_NTFN));
}

/* p's gathered write enters the ring (it fits: p held a reservation of
 * CONS_WRES bytes for it), and the reservation goes. */
static void cons_commit(proc_t *p)
{
	if (p->wres)
		cons.reserved -= CONS_WRES;
	p->wres = false;
	cons_put(p->wbuf, p->wlen);
	p->wlen = 0;
}

int cons_printf(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap); /* truncated to fit, NUL-terminated */
	va_end(ap);
	n = strlen(buf);
	/* procsrv's own lines take the ring when it has room (so that they
	 * come out in order with what processes printed before them). */
	if (cons.server != NULL && cons.out_len + cons.reserved + n > CONS_OUT)
		debug_write(buf, n);
	else
		cons_put(buf, n);
	return (int)n;
}

/*
 * A write()'s first piece reserves room in the ring for a whole gathered
 * write (CONS_WRES bytes) or waits for it; the pieces after it always fit.
 * So a write that has begun always completes, and writers waiting for
 * room hold none.  The gathered bytes enter the ring with the write's last
 * piece or once CONS_ATOMIC of them are there.
 */
static long cons_write(proc_t *p, const char *data, size_t n, bool more)
{
	if (!p->wres) {
		if (cons.server != NULL && cons.out_len + cons.reserved + CONS_WRES > CONS_OUT)
			return wait_on(p, WAIT_CONS_OUT);
		cons.reserved += CONS_WRES;
		p->wres = true;
	}
	memcpy(p->wbuf + p->wlen, data, n);
	p->wlen += n;
	if (!more || p->wlen >= CONS_ATOMIC)
		cons_commit(p);
	return (long)n;
}

/*
 * The server printed done bytes of what it took last time and takes up to
 * PS_IO_CHUNK more.  Bytes leave the ring only once printed, so that what
 * a dying server had taken is printed by procsrv instead of lost.
 */
static void cons_printed(unsigned long done)
{
	if (done > cons.out_taken)
		done = cons.out_taken;
	cons.out_head = (cons.out_head + done) % CONS_OUT;
	cons.out_len -= done;
	cons.out_taken = 0;
	if (done > 0)
		wake(WAIT_CONS_OUT);
}

static long cons_output(unsigned long done, msg_t *out)
{
	char *dst = (char *)&out->w[1];
	size_t n;

	cons_printed(done);
	n = cons.out_len < PS_IO_CHUNK ? cons.out_len : PS_IO_CHUNK;
	for (size_t i = 0; i < n; i++)
		dst[i] = cons.out[(cons.out_head + i) % CONS_OUT];
	cons.out_taken = n;
	out->info = MSG_INFO(0, 4);
	return (long)n;
}

/* ---- console input ---- */

static long cons_read(proc_t *p, char *dst, size_t want)
{
	size_t n = 0;

	if (cons.neof > 0 && cons.eof_at[0] == cons.in_pos) {
		cons.neof--;
		memmove(cons.eof_at, cons.eof_at + 1, cons.neof * sizeof(cons.eof_at[0]));
		return 0;
	}
	if (cons.in_len == 0)
		return cons.server == NULL ? 0 : wait_on(p, WAIT_CONS_IN);
	if (cons.neof > 0 && cons.eof_at[0] - cons.in_pos < want)
		want = cons.eof_at[0] - cons.in_pos;
	while (n < want && n < cons.in_len) {
		char c = cons.in[(cons.in_head + n) % CONS_IN];

		dst[n++] = c;
		if (c == '\n')
			break; /* one line at a time */
	}
	cons.in_head = (cons.in_head + n) % CONS_IN;
	cons.in_len -= n;
	cons.in_pos += n;
	if (cons.in_refused) {
		cons.in_refused = false;
		sys_signal(px(cons.server, PX_NTFN));
	}
	return (long)n;
}

static void cons_interrupt(void)
{
	cons.in_head = cons.in_len = 0;
	cons.neof = 0;
	if (cons.fg == 0)
		return;
	for (proc_t *q = proc_next(NULL); q != NULL; q = proc_next(q)) {
		if (q->state == P_ALIVE && q->pgid == cons.fg && q->pid != 1 && q != cons.server)
			proc_exit(q, PS_STATUS_KILLED(PS_SIGINT, 0));
	}
}

/* The server hands over typed bytes (all or nothing) and flags. */
static long cons_input(const sysret_t *r)
{
	size_t n = r->r[1] & 0xff;
	const char *src = (const char *)&r->r[2];
	bool eof = (r->r[1] & PS_CONS_EOF) != 0;

	if (r->r[1] & PS_CONS_INTR)
		cons_interrupt();
	if (n > PS_IO_CHUNK)
		return E_INVAL;
	if (CONS_IN - cons.in_len < n || (eof && cons.neof == CONS_EOFS)) {
		cons.in_refused = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		cons.in[(cons.in_head + cons.in_len + i) % CONS_IN] = src[i];
	cons.in_len += n;
	if (eof)
		cons.eof_at[cons.neof++] = cons.in_pos + cons.in_len;
	if (n > 0 || eof)
		wake(WAIT_CONS_IN);
	return 1;
}

void cons_set_server(proc_t *p, unsigned long irq_slot)
{
	cons.server = p;
	cons.irq = irq_slot;
}

bool cons_is_server(const proc_t *p)
{
	return p == cons.server;
}

/* The server is gone: print what it had not, and readers see end of file. */
static void cons_server_gone(void)
{
	if (cons.server != NULL)
		sys_invoke(cons.irq, IRQ_UNBIND, 0, 0, 0, 0, 0);
	cons.server = NULL;
	cons.out_taken = 0;
	while (cons.out_len > 0) {
		size_t n = CONS_OUT - cons.out_head;

		if (n > cons.out_len)
			n = cons.out_len;
		debug_write(cons.out + cons.out_head, n);
		cons.out_head = (cons.out_head + n) % CONS_OUT;
		cons.out_len -= n;
	}
	wake(WAIT_CONS_IN);
	wake(WAIT_CONS_OUT);
}

/* ---- files and pipes ---- */

static file_t *fd_file(const proc_t *p, unsigned long fd)
{
	if (fd >= PS_NFD || p->fd[fd] == 0)
		return NULL;
	return &files[p->fd[fd] - 1];
}

static long file_alloc(unsigned kind, unsigned pipe)
{
	for (int i = 0; i < NFILE; i++) {
		if (files[i].kind == F_FREE) {
			files[i] =
			    (file_t){.kind = (uint8_t)kind, .pipe = (uint8_t)pipe, .refs = 0};
			return i + 1;
		}
	}
	return E_NOSPC;
}

static void file_unref(unsigned idx)
{
	file_t *f = &files[idx - 1];
	pipe_t *pp = &pipes[f->pipe];

	if (--f->refs > 0)
		return;
	if (f->kind == F_PIPE_READ)
		pp->readers--;
	else if (f->kind == F_PIPE_WRITE)
		pp->writers--;
	if (f->kind == F_PIPE_READ || f->kind == F_PIPE_WRITE)
		wake(pp); /* readers see end of file, writers E_PIPE */
	f->kind = F_FREE;
}

static long fd_lowest_free(const proc_t *p)
{
	for (int fd = 0; fd < PS_NFD; fd++) {
		if (p->fd[fd] == 0)
			return fd;
	}
	return E_NOSPC;
}

static long fd_close(proc_t *p, unsigned long fd)
{
	if (fd_file(p, fd) == NULL)
		return E_BADF;
	file_unref(p->fd[fd]);
	p->fd[fd] = 0;
	p->fdopen &= (uint16_t) ~(1u << fd);
	return 0;
}

static long fd_dup2(proc_t *p, unsigned long fd, unsigned long fd2)
{
	file_t *f = fd_file(p, fd);

	if (f == NULL || fd2 >= PS_NFD)
		return E_BADF;
	if (fd == fd2)
		return (long)fd2;
	if (p->fd[fd2] != 0)
		fd_close(p, fd2);
	p->fd[fd2] = p->fd[fd];
	p->fdopen |= (uint16_t)(1u << fd2);
	f->refs++;
	return (long)fd2;
}

static long do_pipe(proc_t *p, msg_t *out)
{
	long rfd, wfd, rf, wf;
	int i;

	for (i = 0; i < NPIPE; i++) {
		if (pipes[i].readers == 0 && pipes[i].writers == 0)
			break;
	}
	if (i == NPIPE)
		return E_NOSPC;
	rfd = fd_lowest_free(p);
	if (rfd < 0)
		return rfd;
	p->fd[rfd] = 0xff; /* taken while the second one is found */
	wfd = fd_lowest_free(p);
	p->fd[rfd] = 0;
	if (wfd < 0)
		return wfd;
	rf = file_alloc(F_PIPE_READ, (unsigned)i);
	if (rf < 0)
		return rf;
	files[rf - 1].refs = 1; /* so that the next alloc skips it */
	wf = file_alloc(F_PIPE_WRITE, (unsigned)i);
	if (wf < 0) {
		files[rf - 1].kind = F_FREE;
		return wf;
	}
	files[wf - 1].refs = 1;
	pipes[i].readers = pipes[i].writers = 1;
	pipes[i].head = pipes[i].len = 0;
	p->fd[rfd] = (uint8_t)rf;
	p->fd[wfd] = (uint8_t)wf;
	p->fdopen |= (uint16_t)(1u << rfd | 1u << wfd);
	out->w[1] = (unsigned long)rfd;
	out->w[2] = (unsigned long)wfd;
	out->info = MSG_INFO(0, 3);
	return 0;
}

static long pipe_read(proc_t *p, pipe_t *pp, char *dst, size_t want)
{
	size_t n = pp->len < want ? pp->len : want;

	if (n == 0)
		return pp->writers == 0 ? 0 : wait_on(p, pp);
	for (size_t i = 0; i < n; i++)
		dst[i] = pp->buf[(pp->head + i) % PIPE_SIZE];
	pp->head = (pp->head + n) % PIPE_SIZE;
	pp->len -= n;
	wake(pp);
	return (long)n;
}

static long pipe_write(proc_t *p, pipe_t *pp, const char *src, size_t n)
{
	if (pp->readers == 0)
		return E_PIPE;
	if (n == 0)
		return 0;
	if (PIPE_SIZE - pp->len < n)
		n = PIPE_SIZE - pp->len;
	if (n == 0)
		return wait_on(p, pp);
	for (size_t i = 0; i < n; i++)
		pp->buf[(pp->head + pp->len + i) % PIPE_SIZE] = src[i];
	pp->len += n;
	wake(pp);
	return (long)n;
}

static long do_read(proc_t *p, unsigned long fd, unsigned long want, unsigned long flags,
		    msg_t *out)
{
	file_t *f = fd_file(p, fd);
	char *dst = (char *)&out->w[1];
	long r;

	if (f == NULL || f->kind == F_PIPE_WRITE)
		return E_BADF;
	if (want > PS_IO_CHUNK)
		want = PS_IO_CHUNK;
	out->info = MSG_INFO(0, 4);
	if (want == 0)
		return 0;
	if (f->kind == F_CONSOLE)
		r = cons_read(p, dst, want);
	else
		r = pipe_read(p, &pipes[f->pipe], dst, want);
	if (r == E_AGAIN && (flags & PS_READ_NOWAIT))
		p->io_wait = NULL; /* it will not wait: no wake-up wanted */
	return r;
}

static long do_write(proc_t *p, const sysret_t *r)
{
	unsigned long fd = r->r[1] & 0xffffffffUL;
	size_t n = (r->r[1] >> 32) & 0x7fffffffUL;
	bool more = (r->r[1] & PS_WRITE_MORE) != 0;
	file_t *f = fd_file(p, fd);
	const char *src = (const char *)&r->r[2];

	if (f == NULL || f->kind == F_PIPE_READ)
		return E_BADF;
	if (n > PS_IO_CHUNK)
		return E_INVAL;
	if (f->kind == F_CONSOLE)
		return cons_write(p, src, n, more);
	return pipe_write(p, &pipes[f->pipe], src, n);
}

/* ---- process groups ---- */

static long do_setpgid(proc_t *p, long pid, long pgid)
{
	proc_t *q = pid == 0 ? p : proc_find(pid);

	if (q == NULL || q->state != P_ALIVE || (q != p && q->ppid != p->pid) || pgid < 0)
		return E_NOENT;
	q->pgid = pgid == 0 ? q->pid : pgid;
	return 0;
}

static long do_getpgid(proc_t *p, long pid)
{
	proc_t *q = pid == 0 ? p : proc_find(pid);

	if (q == NULL || q->state != P_ALIVE)
		return E_NOENT;
	return q->pgid;
}

/* The console's foreground group may be set to none, to the caller's own
 * group or to a group of one of its children: a process cannot put
 * another's group (its parent shell's, say) in the way of Ctrl-C. */
static long do_tcsetpgrp(proc_t *p, long pgid)
{
	if (pgid < 0)
		return E_INVAL;
	if (pgid != 0 && pgid != p->pgid) {
		bool child = false;

		for (proc_t *q = proc_next(NULL); q != NULL && !child; q = proc_next(q))
			child = q->state == P_ALIVE && q->ppid == p->pid && q->pgid == pgid;
		if (!child)
			return E_PERM;
	}
	cons.fg = pgid;
	return 0;
}

/* ---- listings ---- */

static void put_name(msg_t *out, const char *name, size_t len)
{
	char *dst = (char *)&out->w[1];

	memset(dst, 0, 3 * sizeof(out->w[0]));
	memcpy(dst, name, len < 3 * sizeof(out->w[0]) ? len : 3 * sizeof(out->w[0]));
	out->info = MSG_INFO(0, 4);
}

static long do_proc(unsigned long index, unsigned long page, msg_t *out)
{
	proc_t *q = proc_at(index);
	proc_counters_t c;
	sysret_t r;

	if (q == NULL)
		return E_NOENT;
	out->info = MSG_INFO(0, 4);
	switch (page) {
	case 0:
		out->w[1] = (unsigned long)q->pid;
		out->w[2] = (unsigned long)q->ppid;
		out->w[3] = (q->state != P_ALIVE ? PS_STATE_ZOMBIE
			     : q->io_wait	 ? PS_STATE_IOWAIT
						 : PS_STATE_RUN) |
			    ((unsigned long)q->pgid << 8);
		break;
	case 1: put_name(out, q->name, strlen(q->name)); break;
	case 2:
	case 3:
		out->w[1] = 0;
		if (q->state == P_ALIVE && page == 2) {
			r = sys_invoke(px(q, PX_POOL), POOL_INFO, 0, 0, 0, 0, 0);
			if (r.r0 >= 0)
				out->w[1] = r.r[1];
		}
		proc_counters(q, &c);
		if (page == 2) {
			out->w[2] = c.faults;
			out->w[3] = c.cow_copies;
		} else {
			out->w[1] = c.resident;
			out->w[2] = c.ipc;
			out->w[3] = c.switches;
		}
		break;
	default: return E_INVAL;
	}
	return (long)proc_index(q);
}

static long do_ls(unsigned long index, msg_t *out)
{
	const void *rd;
	size_t len, off = index;
	cpio_entry_t e;

	exec_get_initrd(&rd, &len);
	if (rd == NULL || off > len)
		return E_NOENT;
	for (;;) {
		if (cpio_next(rd, len, &off, &e) != 1)
			return E_NOENT;
		if ((e.mode & 0170000) == 0100000)
			break; /* a regular file */
	}
	put_name(out, e.name, e.namelen);
	return (long)off;
}

/* ---- the requests ---- */

long file_request(proc_t *p, unsigned long label, const sysret_t *r, msg_t *out)
{
	unsigned long w0 = r->r[1], w1 = r->r[2];
	long e;

	switch (label) {
	case PS_READ: return do_read(p, w0, w1, r->r[3], out);
	case PS_WRITE: return do_write(p, r);
	case PS_CLOSE: return fd_close(p, w0);
	case PS_DUP:
		e = fd_lowest_free(p);
		return e < 0 ? (fd_file(p, w0) ? e : E_BADF) : fd_dup2(p, w0, (unsigned long)e);
	case PS_DUP2: return fd_dup2(p, w0, w1);
	case PS_PIPE: return do_pipe(p, out);
	case PS_SETPGID: return do_setpgid(p, (long)w0, (long)w1);
	case PS_GETPGID: return do_getpgid(p, (long)w0);
	case PS_TCSETPGRP: return do_tcsetpgrp(p, (long)w0);
	case PS_TCGETPGRP: return cons.fg;
	case PS_PROC: return do_proc(w0, w1, out);
	case PS_LS: return do_ls(w0, out);
	case PS_CONS_INPUT: return cons_is_server(p) ? cons_input(r) : E_PERM;
	case PS_CONS_OUTPUT: return cons_is_server(p) ? cons_output(w0, out) : E_PERM;
	}
	return E_NOSYS;
}

/* ---- process life ---- */

long file_console_fds(proc_t *p)
{
	long f = file_alloc(F_CONSOLE, 0);

	if (f < 0)
		return f;
	files[f - 1].refs = 3;
	p->fd[0] = p->fd[1] = p->fd[2] = (uint8_t)f;
	p->fdopen = 7;
	return 0;
}

void file_fork(const proc_t *parent, proc_t *child)
{
	memcpy(child->fd, parent->fd, sizeof(child->fd));
	child->fdopen = parent->fdopen;
	/* Up to the highest open descriptor only (no libgcc for ctz). */
	for (unsigned fd = 0, m = parent->fdopen; m != 0; fd++, m >>= 1) {
		if (m & 1)
			files[parent->fd[fd] - 1].refs++;
	}
	child->pgid = parent->pgid;
}

void file_exit(proc_t *p)
{
	if (p->wres)
		cons_commit(p);
	for (unsigned long fd = 0; p->fdopen != 0; fd++) {
		if (p->fdopen & (1u << fd))
			fd_close(p, fd);
	}
	p->io_wait = NULL;
	if (p == cons.server) {
		cons_server_gone();
		cons_printf("procsrv: the console server (pid %ld) ended; console output goes to "
			    "the debug console, console input is at end of file\n",
			    p->pid);
	}
	if (cons.fg == p->pgid) {
		bool left = false;

		for (proc_t *q = proc_next(NULL); q != NULL; q = proc_next(q))
			left |= q != p && q->state == P_ALIVE && q->pgid == cons.fg;
		if (!left)
			cons.fg = 0;
	}
}

/*
 * procsrv is ending while the console server holds a chunk it may have
 * printed in part: wait for its next request, which says how much it
 * printed (PS_CONS_OUTPUT; answered with nothing more) or hands over
 * input (refused now), so that procsrv prints the rest and every byte
 * comes out once.  The server never waits on its notification while it
 * holds a chunk (user/console: pull_output), so the request comes.
 * Other processes' requests get no answer: they are ended next.  A fault
 * of the server, or anything else from it, ends the wait.
 */
static void cons_drain(unsigned long ep)
{
	while (cons.server != NULL && cons.out_taken > 0) {
		sysret_t r = sys_recv(ep, 0);
		msg_t out = {MSG_INFO(0, 4), {0, 0, 0, 0}, 0};

		if (r.r0 < 0)
			return;
		if (proc_by_badge(r.r[5]) != cons.server)
			continue;
		switch (MSG_LABEL(r.r[0])) {
		case PS_CONS_OUTPUT:
			cons_printed(r.r[1]);
			sys_reply(&out); /* w0 = 0 bytes: it goes to wait */
			return;
		case PS_CONS_INPUT: sys_reply(&out); break; /* w0 = 0: refused */
		default: return;
		}
	}
}

void file_flush_console(unsigned long ep)
{
	cons_drain(ep);
	/* Stop the server first: on another hart it could still be printing
	 * what it took, between the lines flushed here. */
	if (cons.server != NULL)
		sys_invoke(px(cons.server, PX_THREAD), THREAD_SUSPEND, 0, 0, 0, 0, 0);
	cons_server_gone();
}

long file_leaks(void)
{
	long n = cons.reserved != 0;

	for (int i = 0; i < NFILE; i++)
		n += files[i].kind != F_FREE;
	for (int i = 0; i < NPIPE; i++)
		n += pipes[i].readers != 0 || pipes[i].writers != 0;
	return n;
}
_Static_assert(PS_NFD <= 16, "proc_t.fdopen has a bit per descriptor");
