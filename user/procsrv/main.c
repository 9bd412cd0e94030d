/*
 * procsrv: the process server, run as the root task (bootarg init=procsrv).
 *
 * It owns the root pool, starts init (pid 1) from the initrd with most of
 * free RAM as its quota, and then serves one endpoint forever: requests of
 * procsrv_proto.h from processes (the badge is the caller's pid and
 * table index, proc_badge) and the
 * fault messages of their threads (the same endpoint, the same badge).
 * One thread, no reply ever kept across a receive: every request is
 * answered at once, or not at all when the caller is gone (exit, exec,
 * killed).
 *
 * Bootargs: "posix=CMD[,CMD...]" becomes init's argv[1..] (init runs each
 * command; CMD is prog[:arg...]).  When init ends, procsrv ends every
 * process left, checks that the kernel's free frames and live objects are
 * back where they were before init was made, and prints RESULT: PASS (init
 * exited 0 and nothing leaked) or RESULT: FAIL.
 */
#include <stdint.h>

#include <lib/fmt.h>
#include <string.h>

#include "procsrv.h"

#define ROOT_RESERVE  256 /* frames procsrv keeps for itself */
#define CONSOLE_QUOTA 64  /* frames of the console server's pool */

static const bootinfo_t *bi;
static unsigned long ep;
static kstats_t base_stats;
static uint64_t init_regs[32];

/* ---- faults ---- */

static const char *cause_name(unsigned long scause, unsigned long kind)
{
	if (kind == FAULT_OOM)
		return "out of memory";
	switch (scause) {
	case 0: return "misaligned fetch";
	case 1: return "instruction access fault";
	case 2: return "illegal instruction";
	case 3: return "breakpoint";
	case 4: return "misaligned load";
	case 5: return "load access fault";
	case 6: return "misaligned store/AMO";
	case 7: return "store/AMO access fault";
	case 12: return "instruction page fault";
	case 13: return "load page fault";
	case 15: return "store page fault";
	default: return "fault";
	}
}

static int fault_signal(unsigned long kind)
{
	switch (kind) {
	case FAULT_PAGE: return PS_SIGSEGV;
	case FAULT_ILLEGAL: return PS_SIGILL;
	case FAULT_BREAKPOINT: return PS_SIGTRAP;
	case FAULT_OOM: return PS_SIGKILL;
	default: return PS_SIGBUS;
	}
}

/* A fault of p's thread: grow the stack, or kill p.  True: reply (resume). */
static bool handle_fault(proc_t *p, const sysret_t *r)
{
	unsigned long scause = r->r[1], addr = r->r[2], pc = r->r[3], kind = r->r[4];
	long e = 0;

	if (kind == FAULT_PAGE)
		e = proc_grow_stack(p, addr);
	if (e > 0)
		return true;
	if (e < 0)
		kind = FAULT_OOM;
	cons_printf("pid %ld (%s): killed: %s at %#lx pc %#lx\n", p->pid, p->name,
		    cause_name(scause, kind), addr, pc);
	proc_exit(p, PS_STATUS_KILLED(fault_signal(kind), kind));
	return false;
}

/* ---- requests ---- */

static long do_wait(proc_t *p, long pid, unsigned long opts, unsigned long *status)
{
	bool any = false;

	for (proc_t *q = proc_next(NULL); q != NULL; q = proc_next(q)) {
		if (q->ppid != p->pid || (pid != -1 && q->pid != pid))
			continue;
		any = true;
		if (q->state == P_ZOMBIE) {
			long qpid = q->pid;

			*status = (unsigned long)(unsigned)q->status;
			proc_reap(q);
			return qpid;
		}
	}
	if (!any)
		return E_NOENT;
	return (opts & PS_WNOHANG) ? 0 : E_AGAIN;
}

static long do_kill(proc_t *p, long pid, unsigned long sig, bool *self)
{
	proc_t *q = proc_find(pid);

	if (q == NULL || q->state != P_ALIVE || pid == 1)
		return E_NOENT;
	if (sig == 0)
		return 0;
	*self = q == p;
	proc_exit(q, PS_STATUS_KILLED(PS_SIGKILL, 0));
	return 0;
}

static long do_info(proc_t *p, long pid, msg_t *out)
{
	proc_t *q = pid ? proc_find(pid) : p;
	sysret_t r;

	if (q == NULL || q->state != P_ALIVE)
		return E_NOENT;
	r = sys_invoke(px(q, PX_POOL), POOL_INFO, 0, 0, 0, 0, 0);
	if (r.r0 < 0)
		return r.r0;
	out->w[1] = r.r[1];
	out->w[2] = q->execs;
	out->w[3] = proc_live_count();
	out->info = MSG_INFO(0, 4);
	return (long)r.r[0];
}

static long do_exec_arg(proc_t *p, const sysret_t *r)
{
	unsigned long off = r->r[1];

	if (off > PS_ARGBUF_MAX - PS_ARG_CHUNK)
		return E_RANGE;
	memcpy(p->argbuf + off, &r->r[2], PS_ARG_CHUNK);
	return 0;
}

/*
 * Serve one request of p (r as received); fill *out.  False: no reply
 * (the caller is gone or runs a new program).
 */
static bool handle_request(proc_t *p, const sysret_t *r, msg_t *out)
{
	unsigned long w0 = r->r[1], w1 = r->r[2];
	long res;
	bool self = false;

	/* Every reply word is set anew: nothing of an earlier reply (another
	 * process's pipe data or console input) may leak through. */
	out->info = MSG_INFO(0, 2);
	out->w[1] = out->w[2] = out->w[3] = 0;
	switch (MSG_LABEL(r->r[0])) {
	case PS_FORK: res = proc_fork(p, w0, w1); break;
	case PS_EXEC_ARG: res = do_exec_arg(p, r); break;
	case PS_EXEC:
		res = proc_exec(p, w0);
		if (res == 0)
			return false;
		break;
	case PS_EXIT: proc_exit(p, PS_STATUS_EXITED(w0)); return false;
	case PS_WAIT: res = do_wait(p, (long)w0, w1, &out->w[1]); break;
	case PS_GETPID: res = p->pid; break;
	case PS_GETPPID: res = p->ppid; break;
	case PS_KILL:
		res = do_kill(p, (long)w0, w1, &self);
		if (self)
			return false;
		break;
	case PS_SBRK: res = proc_sbrk(p, (long)w0); break;
	case PS_INFO: res = do_info(p, (long)w0, out); break;
	default: res = file_request(p, MSG_LABEL(r->r[0]), r, out); break;
	}
	out->w[0] = (unsigned long)res;
	return true;
}

static void serve(void)
{
	msg_t out = {0};
	bool reply = false;

	for (;;) {
		sysret_t r = reply ? sys_reply_recv(ep, &out) : sys_recv(ep, 0);
		proc_t *p;

		reply = false;
		if (r.r0 < 0)
			continue;
		p = proc_by_badge(r.r[5]);
		if (p == NULL || p->state != P_ALIVE)
			continue; /* cannot happen: a dead process's thread is gone */
		if (MSG_LABEL(r.r[0]) == FAULT_LABEL)
			reply = handle_fault(p, &r);
		else
			reply = handle_request(p, &r, &out);
	}
}

/* ---- start and end ---- */

static void stats_now(kstats_t *s)
{
	sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)s, 0, 0, 0, 0);
}

/* Map and unmap the scratch page once, so that its page tables exist
 * (and stay) before the baseline of the leak check is taken. */
static void warm_scratch(void)
{
	long f;

	/* A zero page next to the scratch page keeps their page tables: the
	 * kernel frees a table with its last leaf, and every exec maps and
	 * unmaps the scratch page. */
	sys_invoke(SLOT_ASPACE, ASPACE_MAP_ZERO, PS_SCRATCH_VA + PAGE_SIZE, 1, RIGHT_READ, 0, 0);
	f = frame_alloc_map(PS_SCRATCH_VA, RIGHT_READ | RIGHT_WRITE);
	if (f < 0)
		return;
	sys_invoke(SLOT_ASPACE, ASPACE_UNMAP, PS_SCRATCH_VA, 0, 0, 0, 0);
	cap_delete((unsigned long)f);
}

/* init's exec buffer: "init\0init\0" then each posix= command. */
static size_t init_args(char *buf, size_t max)
{
	static const char head[] = "init\0init";
	const char *a = strstr(bi->bootargs, "posix=");
	size_t n = sizeof(head);

	memcpy(buf, head, sizeof(head));
	if (a == NULL)
		return n;
	for (a += 6; *a != '\0' && *a != ' ' && n + 1 < max; a++)
		buf[n++] = *a == ',' ? '\0' : *a;
	buf[n++] = '\0';
	return n;
}

static long start_init(void)
{
	unsigned long quota = bi->frames_free;
	proc_t *p;
	size_t len;
	long e;

	quota = quota > 2 * ROOT_RESERVE ? quota - ROOT_RESERVE : quota / 2;
	p = proc_create(0, SLOT_POOL, quota, &e);
	if (p == NULL)
		return e;
	len = init_args(p->argbuf, sizeof(p->argbuf));
	e = exec_build(p, p->argbuf, len, px(p, PX_ASPACE), init_regs);
	if (e >= 0)
		e = file_console_fds(p);
	if (e >= 0)
		e = proc_start(p, init_regs);
	if (e < 0)
		return e;
	proc_set_name(p, "init");
	return 0;
}

/*
 * The console server (user/console), when the device tree's stdout UART
 * is one it drives and the bootarg "noconsole" is absent: a process of
 * procsrv's own (parent 0) with the UART's page mapped at PROC_DEV_VA and
 * its IRQ handler in PSLOT_IRQ; argv: console KIND OFFSET SHIFT.  Without
 * it, console output goes through the debug capability and console input
 * is at end of file.
 */
static void start_console(void)
{
	static uint64_t regs[32];
	const bootinfo_device_t *d = NULL;
	const char *kind = NULL;
	char *buf;
	size_t len;
	proc_t *p;
	long e;

	if (strstr(bi->bootargs, "noconsole") != NULL)
		return;
	for (uint32_t i = 0; i < bi->ndevices && kind == NULL; i++) {
		d = &bi->devices[i];
		if (strcmp(d->compatible, "ns16550a") == 0)
			kind = "ns16550a";
		else if (strcmp(d->compatible, "sifive,uart0") == 0)
			kind = "sifive";
	}
	if (kind == NULL || d->irq_slot == 0)
		return;
	p = proc_create(0, SLOT_POOL, CONSOLE_QUOTA, &e);
	if (p == NULL)
		goto fail;
	buf = p->argbuf;
	len =
	    (size_t)fmt_snprintf(buf, sizeof(p->argbuf), "console%cconsole%c%s%c%lu%c%u", 0, 0,
				 kind, 0, (unsigned long)d->reg_offset, 0, (unsigned)d->reg_shift) +
	    1;
	e = exec_build(p, buf, len, px(p, PX_ASPACE), regs);
	if (e >= 0)
		e = sys_invoke(px(p, PX_ASPACE), ASPACE_MAP, d->first_slot, PROC_DEV_VA,
			       RIGHT_READ | RIGHT_WRITE, 0, 0)
			.r0;
	if (e >= 0)
		e = cap_copy(px(p, PX_CSPACE), d->irq_slot, PSLOT_IRQ, RIGHTS_ALL);
	if (e >= 0)
		e = sys_invoke(d->irq_slot, IRQ_BIND, px(p, PX_NTFN), 0, 0, 0, 0).r0;
	if (e >= 0)
		e = proc_start(p, regs);
	if (e < 0) {
		sys_invoke(d->irq_slot, IRQ_UNBIND, 0, 0, 0, 0,
			   0); /* the binding holds its notification */
		proc_exit(p, PS_STATUS_KILLED(PS_SIGKILL, 0));
		goto fail;
	}
	proc_set_name(p, "console");
	cons_set_server(p, d->irq_slot);
	return;
fail:
	uprintf("procsrv: cannot start the console server: %s\n", error_name((int)e));
}

void procsrv_finish(int status)
{
	kstats_t now;
	proc_t *p;
	bool leak = false;

	/* The console server first, so that what it has not printed yet
	 * comes out before the verdict. */
	file_flush_console(ep);
	/* Everything left is an orphan of init: end it. */
	while ((p = proc_next(NULL)) != NULL) {
		if (p->state == P_ALIVE)
			proc_exit(p, PS_STATUS_KILLED(PS_SIGKILL, 0));
		proc_reap(p);
	}
	stats_now(&now);
	if (now.frames_free != base_stats.frames_free) {
		uprintf("procsrv: %ld frames leaked\n",
			(long)(base_stats.frames_free - now.frames_free));
		leak = true;
	}
	for (int t = 0; t < CAP_NTYPES; t++) {
		if (now.objects[t] != base_stats.objects[t]) {
			uprintf("procsrv: %ld objects of type %d leaked\n",
				(long)(now.objects[t] - base_stats.objects[t]), t);
			leak = true;
		}
	}
	if (file_leaks() != 0) {
		uprintf("procsrv: %ld open files or pipes left\n", file_leaks());
		leak = true;
	}
	uprintf("%s: procsrv-teardown\n", leak ? "FAIL" : "PASS");
	uprintf("procsrv: init exited with status %#x\n", (unsigned)status);
	uprintf("RESULT: %s\n", status == 0 && !leak ? "PASS" : "FAIL");
	sys_exit_from_main();
}

int main(const bootinfo_t *info)
{
	long e, first;

	bi = info;
	slot_init(bi->first_free_slot, bi->cspace_slots);
	exec_set_initrd((const void *)bi->initrd_addr, bi->initrd_size);
	e = obj_create(CAP_ENDPOINT, 0);
	first = slot_alloc();
	for (int i = 1; i < NPROC * PROC_SLOTS && first >= 0; i++) {
		if (slot_alloc() < 0)
			first = E_NOSPC;
	}
	if (e < 0 || first < 0) {
		uprintf("procsrv: no slots: %s\n", error_name((int)(e < 0 ? e : first)));
		uprintf("RESULT: FAIL\n");
		sys_exit_from_main();
	}
	ep = (unsigned long)e;
	proc_table_init((unsigned long)first, ep);
	warm_scratch();
	stats_now(&base_stats);
	e = start_init();
	if (e < 0) {
		uprintf("procsrv: cannot start init: %s\n", error_name((int)e));
		uprintf("RESULT: FAIL\n");
		sys_exit_from_main();
	}
	start_console();
	serve();
	return 0;
}
