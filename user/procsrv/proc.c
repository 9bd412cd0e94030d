/*
 * The process table and the life of a process: create, start, fork, the
 * heap and stack, exit and reaping.
 *
 * Invariants: an entry is P_FREE (its PROC_SLOTS slots all empty), P_ALIVE
 * (it holds every PX_* object but PX_NEWAS and PX_TMP, which are empty
 * between requests) or P_ZOMBIE (all of its slots empty again; only the
 * pid, parent and wait status remain).  Everything a process costs is
 * charged to its own pool, so releasing its slots gives every frame back
 * (frames still shared copy-on-write stay with the other sharers and are
 * uncharged when the last one goes).
 */
#include <string.h>

#include "procsrv.h"

static proc_t procs[NPROC];
static long next_pid = 1;
static unsigned long srv_ep; /* procsrv's endpoint (unbadged) */
static uint64_t fork_regs[32];

void proc_table_init(unsigned long first_slot, unsigned long ep_slot)
{
	srv_ep = ep_slot;
	for (int i = 0; i < NPROC; i++)
		procs[i].base = first_slot + (unsigned long)i * PROC_SLOTS;
}

proc_t *proc_find(long pid)
{
	for (int i = 0; i < NPROC; i++) {
		if (procs[i].state != P_FREE && procs[i].pid == pid)
			return &procs[i];
	}
	return NULL;
}

unsigned long proc_live_count(void)
{
	unsigned long n = 0;

	for (int i = 0; i < NPROC; i++)
		n += procs[i].state == P_ALIVE;
	return n;
}

proc_t *proc_by_badge(unsigned long badge)
{
	unsigned long i = badge >> PROC_BADGE_SHIFT;
	long pid = (long)(badge & ((1UL << PROC_BADGE_SHIFT) - 1));

	if (i >= NPROC || procs[i].state == P_FREE || procs[i].pid != pid)
		return NULL;
	return &procs[i];
}

proc_t *proc_at(unsigned long index)
{
	for (unsigned long i = index; i < NPROC; i++) {
		if (procs[i].state != P_FREE)
			return &procs[i];
	}
	return NULL;
}

unsigned long proc_index(const proc_t *p)
{
	return (unsigned long)(p - procs);
}

proc_t *proc_next(proc_t *p)
{
	for (p = p ? p + 1 : procs; p < procs + NPROC; p++) {
		if (p->state != P_FREE)
			return p;
	}
	return NULL;
}

static long inv(unsigned long slot, unsigned long label, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long a5)
{
	return sys_invoke(slot, label, a2, a3, a4, a5, 0).r0;
}

/*
 * Delete every object of p, in an order that breaks the one cycle: the
 * thread refers to its cspace, and its cspace holds a cap to the thread.
 * Deleting that cap and then ours destroys the thread (which aborts
 * whatever it was blocked in and lets go of its aspace, cspace and fault
 * endpoint); deleting our cspace cap then drops every cap inside it.  The
 * pool goes last.  PX_NEWAS and PX_TMP are always empty here (exec
 * empties them before returning).  One system call: every deletion runs
 * (BATCH_ALL), and an empty slot just fails with E_BADCAP.
 */
static void proc_release(proc_t *p)
{
	static const unsigned order[] = {PX_THREAD, PX_CSPACE, PX_ASPACE, PX_NTFN, PX_EP, PX_POOL};
	batch_t b;

	batch_init(&b);
	batch_add(&b, px(p, PX_CSPACE), CSPACE_DELETE, SLOT_THREAD, 0, 0, 0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		batch_add(&b, SLOT_CSPACE, CSPACE_DELETE, px(p, order[i]), 0, 0, 0);
	batch_run(&b, BATCH_ALL);
}

static proc_t *proc_free_entry(long *err)
{
	for (int i = 0; i < NPROC; i++) {
		if (procs[i].state == P_FREE)
			return &procs[i];
	}
	*err = E_NOSPC;
	return NULL;
}

/* The invocations that make the objects of p (a new pool of quota frames
 * from parent_pool, and in it p's cspace, notification and thread) and
 * its badged capability to procsrv's endpoint: the next pid's. */
static void proc_add_objects(batch_t *b, proc_t *p, unsigned long parent_pool, unsigned long quota)
{
	batch_add(b, parent_pool, POOL_CREATE, CAP_POOL, px(p, PX_POOL), quota, 0);
	batch_add(b, px(p, PX_POOL), POOL_CREATE, CAP_CSPACE, px(p, PX_CSPACE), PROC_CSPACE_SLOTS,
		  0);
	batch_add(b, px(p, PX_POOL), POOL_CREATE, CAP_NOTIFICATION, px(p, PX_NTFN), 0, 0);
	batch_add(b, px(p, PX_POOL), POOL_CREATE, CAP_THREAD, px(p, PX_THREAD), 0, 0);
	batch_add(b, SLOT_CSPACE, CSPACE_MINT, srv_ep, px(p, PX_EP), RIGHT_WRITE,
		  proc_badge(next_pid, (unsigned long)(p - procs)));
}

/* Run b (proc_add_objects and whatever followed): p is a live process
 * with the next pid, or on error nothing of it is left. */
static long proc_made(proc_t *p, batch_t *b, long ppid, unsigned long quota)
{
	long e = batch_run(b, 0);

	if (e < 0) {
		proc_release(p);
		return e;
	}
	p->state = P_ALIVE;
	p->pid = next_pid++;
	p->ppid = ppid;
	p->quota = quota;
	p->brk = PROC_HEAP_BASE;
	p->stack_low = PROC_STACK_TOP - PROC_STACK_INIT * PAGE_SIZE;
	p->execs = 0;
	p->status = 0;
	p->name[0] = '\0';
	p->pgid = p->pid;
	memset(p->fd, 0, sizeof(p->fd));
	p->fdopen = 0;
	p->io_wait = NULL;
	p->wres = false;
	p->wlen = 0;
	return 0;
}

proc_t *proc_create(long ppid, unsigned long parent_pool, unsigned long quota, long *err)
{
	proc_t *p = proc_free_entry(err);
	batch_t b;

	if (p == NULL)
		return NULL;
	batch_init(&b);
	proc_add_objects(&b, p, parent_pool, quota);
	*err = proc_made(p, &b, ppid, quota);
	return *err < 0 ? NULL : p;
}

/* The invocations that start p with regs: its standard capabilities
 * (procsrv_proto.h), its thread bound to them, its registers, resume. */
static void proc_add_start(batch_t *b, proc_t *p, const uint64_t regs[32])
{
	unsigned long cs = px(p, PX_CSPACE);

	batch_add(b, cs, CSPACE_COPY, px(p, PX_ASPACE), SLOT_ASPACE, RIGHT_READ, 0);
	/* READ only: with WRITE a process could raise its own priority
	 * above procsrv's and starve every other process. */
	batch_add(b, cs, CSPACE_COPY, px(p, PX_THREAD), SLOT_THREAD, RIGHT_READ, 0);
	batch_add(b, cs, CSPACE_COPY, SLOT_DEBUG, SLOT_DEBUG, RIGHTS_ALL, 0);
	batch_add(b, cs, CSPACE_COPY, px(p, PX_EP), PSLOT_PROCSRV, RIGHT_WRITE, 0);
	batch_add(b, cs, CSPACE_COPY, px(p, PX_NTFN), PSLOT_NTFN, RIGHT_READ, 0);
	batch_add(b, px(p, PX_THREAD), THREAD_CONFIGURE, px(p, PX_ASPACE), px(p, PX_CSPACE),
		  px(p, PX_EP), PROC_PRIO);
	batch_add(b, px(p, PX_THREAD), THREAD_WRITE_REGS, (unsigned long)regs, 0, 0, 0);
	batch_add(b, px(p, PX_THREAD), THREAD_RESUME, 0, 0, 0, 0);
}

long proc_start(proc_t *p, const uint64_t regs[32])
{
	batch_t b;

	batch_init(&b);
	proc_add_start(&b, p, regs);
	return batch_run(&b, 0);
}

/*
 * Two system calls: the child's objects, its address space and the COW
 * clone of the parent's, and the parent's registers; then the child's
 * start with those registers.
 */
long proc_fork(proc_t *parent, unsigned long flags, unsigned long quota)
{
	unsigned long q = quota ? quota : parent->quota;
	proc_t *c;
	batch_t b;
	long e;

	if ((c = proc_free_entry(&e)) == NULL)
		return e;
	batch_init(&b);
	proc_add_objects(&b, c, px(parent, PX_POOL), q);
	batch_add(&b, px(c, PX_POOL), POOL_CREATE, CAP_ASPACE, px(c, PX_ASPACE), 0, 0);
	batch_add(&b, px(parent, PX_ASPACE), ASPACE_CLONE, px(c, PX_ASPACE),
		  (flags & PS_FORK_EAGER) ? CLONE_EAGER : 0, 0, 0);
	batch_add(&b, px(parent, PX_THREAD), THREAD_READ_REGS, (unsigned long)fork_regs, 0, 0, 0);
	if ((e = proc_made(c, &b, parent->pid, q)) < 0)
		return e;
	/* The parent waits in SYS_CALL, its pc already past the ecall: the
	 * child returns from the same call with a0 = 0 and w0 (a2) = 0. */
	fork_regs[10] = 0;
	fork_regs[11] = 0;
	fork_regs[12] = 0;
	if ((e = proc_start(c, fork_regs)) < 0) {
		proc_release(c);
		c->state = P_FREE;
		return e;
	}
	memcpy(c->name, parent->name, sizeof(c->name));
	file_fork(parent, c);
	c->brk = parent->brk;
	c->stack_low = parent->stack_low;
	return c->pid;
}

void proc_exit(proc_t *p, int status)
{
	proc_t *init = proc_find(1);
	proc_t *parent;

	file_exit(p);
	proc_release(p);
	p->state = P_ZOMBIE;
	p->status = status;
	if (p->pid == 1)
		procsrv_finish(status);
	for (proc_t *q = proc_next(NULL); q != NULL; q = proc_next(q)) {
		if (q->ppid != p->pid)
			continue;
		q->ppid = 1;
		if (q->state == P_ZOMBIE && init != NULL)
			sys_signal(px(init, PX_NTFN));
	}
	if (p->ppid == 0) {
		proc_reap(p); /* procsrv's own (the console server): no waiter */
		return;
	}
	parent = proc_find(p->ppid);
	if (parent != NULL && parent->state == P_ALIVE)
		sys_signal(px(parent, PX_NTFN));
}

void proc_set_name(proc_t *p, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(p->name) && name[i] != '\0'; i++)
		p->name[i] = name[i];
	p->name[i] = '\0';
}

void proc_reap(proc_t *p)
{
	p->state = P_FREE;
	p->pid = 0;
}

/*
 * Map npages pages of the kernel's zero frame from va in p's address
 * space, copy-on-write: loads read zeros and cost nothing, the first store
 * to a page gets a fresh zeroed frame of p's pool from the kernel (no
 * procsrv call; with the pool spent, the thread faults with FAULT_OOM and
 * handle_fault ends it).  All or nothing: on error no page is mapped.
 */
static long map_zero_pages(proc_t *p, unsigned long va, unsigned long npages)
{
	return inv(px(p, PX_ASPACE), ASPACE_MAP_ZERO, va, npages, RIGHT_READ | RIGHT_WRITE, 0);
}

static unsigned long page_up(unsigned long a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

_Static_assert(PROC_HEAP_MAX / PAGE_SIZE <= ZERO_MAX_PAGES,
	       "one ASPACE_MAP_ZERO covers any sbrk growth");

/*
 * Growth maps the new pages to the zero frame in one call (only page
 * tables are paid now; a page costs a frame when first written), so a
 * break beyond what the quota could hold in frames succeeds and the
 * process is killed with FAULT_OOM if it writes too much of it.
 * Shrinking unmaps page by page: a written page's frame is freed, a zero
 * page just loses its mapping.
 */
long proc_sbrk(proc_t *p, long incr)
{
	unsigned long old = p->brk, new = old + (unsigned long)incr;
	unsigned long va;

	if (incr < 0 ? (unsigned long)-incr > old - PROC_HEAP_BASE
		     : (unsigned long)incr > PROC_HEAP_BASE + PROC_HEAP_MAX - old)
		return E_NOMEM;
	if (incr > 0) {
		if (page_up(new) > page_up(old)) {
			long e = map_zero_pages(p, page_up(old),
						(page_up(new) - page_up(old)) / PAGE_SIZE);

			if (e < 0)
				return e; /* nothing mapped: nothing changes */
		}
	} else {
		for (va = page_up(new); va < page_up(old); va += PAGE_SIZE)
			inv(px(p, PX_ASPACE), ASPACE_UNMAP, va, 0, 0, 0);
	}
	p->brk = new;
	return (long)old;
}

/*
 * Stack growth maps every page from the faulting one up to the current
 * bottom (the stack stays contiguous) to the zero frame, in one call.  The
 * faulting store then takes one more trap, which the kernel resolves with
 * a zeroed frame without coming back here; a fresh frame per page would
 * save that trap but cost a frame for every page a large stack frame skips
 * over, and a call per page.  One call is also all or nothing: on error
 * (page tables the pool cannot pay for) the stack is unchanged.
 */
long proc_grow_stack(proc_t *p, unsigned long addr)
{
	unsigned long bottom = PROC_STACK_TOP - PROC_STACK_MAX * PAGE_SIZE;
	unsigned long va = addr & ~(PAGE_SIZE - 1);
	long e;

	if (addr < bottom || addr >= p->stack_low)
		return 0;
	e = map_zero_pages(p, va, (p->stack_low - va) / PAGE_SIZE);
	if (e < 0)
		return e;
	p->stack_low = va;
	return 1;
}

long proc_exec(proc_t *p, size_t len)
{
	static uint64_t regs[32];
	const char *path = p->argbuf, *base;
	unsigned long th = px(p, PX_THREAD);
	long e;

	e = exec_build(p, p->argbuf, len, px(p, PX_NEWAS), regs);
	if (e < 0)
		return e;
	/* Point of no return: the caller's old program goes.  One batch:
	 * the thread stops, moves to the new address space with the new
	 * registers, the new space replaces the old in both cspaces (which
	 * destroys the old one), and the thread runs again. */
	batch_t b;

	batch_init(&b);
	batch_add(&b, th, THREAD_SUSPEND, 0, 0, 0, 0);
	batch_add(&b, th, THREAD_CONFIGURE, px(p, PX_NEWAS), px(p, PX_CSPACE), px(p, PX_EP),
		  PROC_PRIO);
	batch_add(&b, th, THREAD_WRITE_REGS, (unsigned long)regs, 0, 0, 0);
	batch_add(&b, px(p, PX_CSPACE), CSPACE_DELETE, SLOT_ASPACE, 0, 0, 0);
	batch_add(&b, px(p, PX_CSPACE), CSPACE_COPY, px(p, PX_NEWAS), SLOT_ASPACE, RIGHT_READ, 0);
	batch_add(&b, SLOT_CSPACE, CSPACE_DELETE, px(p, PX_ASPACE), 0, 0, 0);
	batch_add(&b, SLOT_CSPACE, CSPACE_MOVE, px(p, PX_NEWAS), px(p, PX_ASPACE), 0, 0);
	batch_add(&b, th, THREAD_RESUME, 0, 0, 0, 0);
	e = batch_run(&b, 0);
	if (e < 0) {
		/* Cannot happen with valid slots; the old program is gone. */
		cap_delete(px(p, PX_NEWAS)); /* proc_release expects it empty */
		uprintf("pid %ld (%s): killed: exec failed: %s\n", p->pid, p->name,
			error_name((int)e));
		proc_exit(p, PS_STATUS_KILLED(PS_SIGKILL, 0));
		return 0;
	}
	for (base = path; *path != '\0'; path++) {
		if (*path == '/')
			base = path + 1;
	}
	proc_set_name(p, base);
	p->brk = PROC_HEAP_BASE;
	p->stack_low = PROC_STACK_TOP - PROC_STACK_INIT * PAGE_SIZE;
	p->execs++;
	return 0;
}

void proc_counters(const proc_t *p, proc_counters_t *out)
{
	aspace_stats_t as;
	thread_stats_t th;

	memset(out, 0, sizeof(*out));
	if (p->state != P_ALIVE)
		return;
	if (inv(px(p, PX_ASPACE), ASPACE_STATS, (unsigned long)&as, 0, 0, 0) >= 0) {
		out->faults = as.cow_copies + as.cow_reuses + as.zero_fills + as.faults_forwarded;
		out->cow_copies = as.cow_copies;
		out->resident = as.pages;
	}
	if (inv(px(p, PX_THREAD), THREAD_STATS, (unsigned long)&th, 0, 0, 0) >= 0) {
		out->ipc = th.ipc_calls + th.ipc_sends;
		out->switches = th.switches;
	}
}
