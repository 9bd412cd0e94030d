/*
 * fuzz: a seeded random system-call fuzzer, run as the root task.
 *
 *   -append "init=fuzz semihost seed=N calls=M [epoch=K] [chaos=0|1] [trace=T]"
 *
 * The root thread makes `calls` random system calls: random numbers
 * (invalid ones too), random invocation labels (valid and garbage), slots
 * (live, empty, wrong type, out of range, huge), pointers (NULL, kernel
 * half, unmapped, read-only, straddling 2^38, misaligned, wrapping),
 * lengths and rights.  It also creates and destroys real objects, maps,
 * unmaps, protects, clones and shares pages in its own test windows and in
 * the address spaces it made, runs "chaos" threads in clones of its own
 * address space (each with its own small pool and cspace) that make random
 * calls of their own and fault on purpose, serves their faults through a
 * fault endpoint, and calls an IPC server thread.
 *
 * Every `epoch` calls (and at the end) it tears down everything it made
 * and checks that the kernel's free frames, live objects and the root
 * pool's usage are back to the baseline, and that DEBUG_CHECK passes;
 * DEBUG_CHECK also runs every 1000 calls.  trace=T prints every call of
 * the root thread from call T on (to reduce a crash to a sequence).
 *
 * The fuzzer never hurts itself: its own cspace, aspace and thread caps
 * are never copied, moved, deleted, suspended or reconfigured; nothing
 * maps, unmaps or protects outside the windows below in its own aspace;
 * nothing random runs in its own aspace; it never blocks except to call
 * the server (when that is waiting) or to drain the fault endpoint (a
 * sentinel message ends each drain).  No capability to a cspace or a
 * thread ever goes into a cspace other than the root's (that would make
 * reference cycles no teardown can break).
 */
#include <stdint.h>

#include <abi/bootinfo.h>
#include <abi/trace.h>
#include <lib/fmt.h>
#include <libos.h>
#include <string.h>
#include <sys.h>

/* ---- the root task's windows ---- */

#define W1	  0x40000000UL /* 256 pages, below LIBOS_SCRATCH_VA */
#define W1_PAGES  256UL
#define W2	  0x80000000UL /* 512 pages (one leaf table) */
#define W2_PAGES  512UL
#define W3_PAGES  16UL
#define W3	  (USER_TOP - W3_PAGES * PAGE_SIZE) /* the top of user space */
#define KERNEL_VA 0xffffffc000000000UL

extern char _end[];
extern int main(unsigned long arg);

/* ---- slots ---- */

/* Helper objects (protected: the fuzzer never copies or destroys these). */
enum { H_SRV_EP, H_FLT_EP, H_SENT_N, H_SRV_T, H_SENT_T, H_IRQ_N, NHELP };
static unsigned long FZ0; /* first free slot: helpers live here */
#define HS(h)	 (FZ0 + (h))
#define NWAIT	 4
#define WT_FIRST (FZ0 + 8)  /* waiter threads: local, fixed code */
#define FZ_FIRST (FZ0 + 16) /* the fuzz range */
#define NFZ	 160
#define NCHAOS	 4
#define CH_FIRST (FZ_FIRST + NFZ) /* chaos slots: 4 per chaos thread */
#define FZ_END	 (CH_FIRST + 4 * NCHAOS)

static const bootinfo_t *bi;
static unsigned long dev_first, dev_end; /* device slots [8, first_free) */

/* ---- PRNG ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned pct)
{
	return rn(100) < pct;
}

/* ---- bookkeeping ---- */

static unsigned long ncalls, call_no, trace_from = ~0UL, nskipped, nfail;
static unsigned long res_ok, res_err;
static kstats_t base;
static unsigned long base_pool_used;
static int chaos_on = 1;

static int tracing(void)
{
	return call_no >= trace_from;
}

static const char *sysname(unsigned long n)
{
	static const char *names[] = {"NULL",  "YIELD",	     "INVOKE", "SEND", "RECV", "CALL",
				      "REPLY", "REPLY_RECV", "SIGNAL", "WAIT", "POLL", "BATCH"};
	return n < SYS_NSYSCALLS ? names[n] : "?";
}

/* Every system call of the root thread goes through here. */
static sysret_t S(long n, unsigned long a0, unsigned long a1, unsigned long a2, unsigned long a3,
		  unsigned long a4, unsigned long a5, unsigned long a6)
{
	if (tracing()) {
		uprintf("T %lu: %s(%#lx) a0=%#lx a1=%#lx a2=%#lx a3=%#lx a4=%#lx a5=%#lx a6=%#lx\n",
			call_no, sysname((unsigned long)n), (unsigned long)n, a0, a1, a2, a3, a4,
			a5, a6);
		uflush();
	}
	sysret_t r = syscall7(n, a0, a1, a2, a3, a4, a5, a6);
	if (tracing())
		uprintf("T   -> %ld (%s) r1=%#lx r2=%#lx\n", r.r0,
			r.r0 < 0 ? error_name((int)r.r0) : "ok", r.r[0], r.r[1]);
	if (r.r0 < 0)
		res_err++;
	else
		res_ok++;
	return r;
}

static long I(unsigned long slot, unsigned long label, unsigned long a2, unsigned long a3,
	      unsigned long a4, unsigned long a5, unsigned long a6)
{
	return S(SYS_INVOKE, slot, label, a2, a3, a4, a5, a6).r0;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	uprintf("FAIL: fuzz: call %lu: ", call_no);
	va_start(ap, fmt);
	uvprintf(fmt, ap);
	va_end(ap);
	uprintf("\n");
	nfail++;
}

/* Quiet helpers (not traced, not counted): the fuzzer's own bookkeeping. */
static long q_type(unsigned long slot)
{
	sysret_t r = syscall7(SYS_INVOKE, SLOT_CSPACE, CSPACE_INFO, slot, 0, 0, 0, 0);
	return r.r0 < 0 ? r.r0 : (long)r.r[0];
}

static sysret_t q_info(unsigned long cspace, unsigned long slot)
{
	return syscall7(SYS_INVOKE, cspace, CSPACE_INFO, slot, 0, 0, 0, 0);
}

static long q_inv(unsigned long slot, unsigned long label, unsigned long a2, unsigned long a3,
		  unsigned long a4, unsigned long a5)
{
	return syscall7(SYS_INVOKE, slot, label, a2, a3, a4, a5, 0).r0;
}

static long q_state(unsigned long t)
{
	sysret_t r = syscall7(SYS_INVOKE, t, THREAD_INFO, 0, 0, 0, 0, 0);
	return r.r0 < 0 ? r.r0 : (long)r.r[0];
}

/* ---- random values ---- */

static int in_fuzz(unsigned long s)
{
	return s >= FZ_FIRST && s < FZ_END;
}

static unsigned long fuzz_slot(void)
{
	return FZ_FIRST + rn(FZ_END - FZ_FIRST);
}

/* An empty fuzz slot, or a random fuzz slot if none found quickly. */
static unsigned long free_slot(void)
{
	for (int i = 0; i < 24; i++) {
		unsigned long s = FZ_FIRST + rn(NFZ);
		if (q_type(s) == CAP_NULL)
			return s;
	}
	return FZ_FIRST + rn(NFZ);
}

/* A fuzz slot holding a cap of type, or a random slot. */
static unsigned long typed_slot(unsigned long type)
{
	for (int i = 0; i < 24; i++) {
		unsigned long s = fuzz_slot();
		if (q_type(s) == (long)type)
			return s;
	}
	return fuzz_slot();
}

static const unsigned long bad_slots[] = {
    ROOT_CSPACE_SLOTS,
    ROOT_CSPACE_SLOTS + 1,
    4096,
    65535,
    65536,
    1UL << 31,
    1UL << 32,
    (1UL << 32) + 5,
    (1UL << 32) + 4,
    1UL << 63,
    ~0UL,
    ~0UL - 1,
    0x7fffffffffffffffUL,
};

/* Any slot index a caller might pass. */
static unsigned long pick_slot(void)
{
	unsigned r = (unsigned)rn(100);
	if (r < 45)
		return fuzz_slot();
	if (r < 60)
		return typed_slot(1 + rn(CAP_NTYPES - 1));
	if (r < 72)
		return rn(8);
	if (r < 76)
		return dev_first < dev_end ? dev_first + rn(dev_end - dev_first) : 8;
	if (r < 78)
		return HS(rn(NHELP));
	if (r < 80)
		return WT_FIRST + rn(NWAIT);
	if (r < 84)
		return FZ_END + rn(ROOT_CSPACE_SLOTS - FZ_END);
	if (r < 95)
		return bad_slots[rn(sizeof(bad_slots) / sizeof(bad_slots[0]))];
	return rnd();
}

/* A destination slot in the root cspace: fuzz range, occupied fixed, or bad. */
static unsigned long pick_dst(void)
{
	unsigned r = (unsigned)rn(100);
	if (r < 70)
		return chance(60) ? free_slot() : fuzz_slot();
	if (r < 80)
		return 1 + rn(5); /* occupied: E_EXISTS */
	if (r < 85)
		return 0;
	return bad_slots[rn(sizeof(bad_slots) / sizeof(bad_slots[0]))];
}

static const unsigned long labels[] = {
    CSPACE_COPY,       CSPACE_MINT,	    CSPACE_MOVE,    CSPACE_DELETE,   CSPACE_INFO,
    POOL_ALLOC_FRAME,  POOL_CREATE,	    POOL_INFO,	    ASPACE_MAP,	     ASPACE_UNMAP,
    ASPACE_PROTECT,    ASPACE_QUERY,	    ASPACE_CLONE,   ASPACE_MAP_ZERO, ASPACE_SHARE,
    THREAD_CONFIGURE,  THREAD_START,	    THREAD_SUSPEND, THREAD_RESUME,   THREAD_READ_REGS,
    THREAD_WRITE_REGS, THREAD_SET_PRIORITY, THREAD_INFO,    IRQ_BIND,	     IRQ_ACK,
    IRQ_UNBIND,	       DEBUG_PUTS,	    DEBUG_STATS,    DEBUG_CHECK,     ASPACE_STATS,
    THREAD_STATS,      DEBUG_TRACE,	    DEBUG_FAILNTH,
};
#define NLABELS (sizeof(labels) / sizeof(labels[0]))

static unsigned long pick_label(void)
{
	unsigned r = (unsigned)rn(100);
	if (r < 85)
		return labels[rn(NLABELS)];
	switch (rn(8)) {
	case 0: return 0;
	case 1: return 6 + rn(10);
	case 2: return 0x13 + rn(13);
	case 3: return 0x28 + rn(8);
	case 4: return 0x39 + rn(7);
	case 5: return 0x43 + rn(13);
	case 6: return 0x54 + rn(0x100);
	default: return rnd();
	}
}

/* Page-aligned address in a window. */
static unsigned long win_page(void)
{
	switch (rn(3)) {
	case 0: return W1 + rn(chance(50) ? 16 : W1_PAGES) * PAGE_SIZE; /* chaos touches 0..15 */
	case 1: return W2 + rn(chance(50) ? 16 : W2_PAGES) * PAGE_SIZE;
	default: return W3 + rn(W3_PAGES) * PAGE_SIZE;
	}
}

/* An address that is never a valid page of the root's aspace to change. */
static unsigned long bad_va(void)
{
	switch (rn(12)) {
	case 0: return 0;
	case 1: return win_page() + 1 + rn(PAGE_SIZE - 1); /* misaligned */
	case 2: return KERNEL_VA + rn(64) * PAGE_SIZE;
	case 3: return USER_TOP;
	case 4: return USER_TOP + PAGE_SIZE * rn(4);
	case 5: return ~0UL & ~(PAGE_SIZE - 1);
	case 6: return ~0UL;
	case 7: return 0x800;
	case 8: return PAGE_SIZE - 1;
	case 9: return 1UL << 63;
	case 10: return (rnd() | (1UL << 39)) & ~(PAGE_SIZE - 1);
	default: return rnd();
	}
}

/* A vaddr for a change to the root's own aspace: a window page or a bad one. */
static unsigned long root_va(void)
{
	return chance(80) ? win_page() : bad_va();
}

/* A vaddr for anything in an aspace the fuzzer made. */
static unsigned long any_va(void)
{
	switch (rn(6)) {
	case 0: return bad_va();
	case 1: return rn(1UL << 26) * PAGE_SIZE;     /* anywhere in user space */
	case 2: return 0x100000 + rn(64) * PAGE_SIZE; /* the cloned program */
	case 3: return ROOT_STACK_TOP - (1 + rn(ROOT_STACK_PAGES)) * PAGE_SIZE;
	default: return win_page();
	}
}

static unsigned long pick_rights(void)
{
	static const unsigned long good[] = {RIGHT_READ, RIGHT_READ | RIGHT_WRITE,
					     RIGHT_READ | RIGHT_EXEC, RIGHT_EXEC};
	switch (rn(4)) {
	case 0: return rnd();
	case 1: return rn(32);
	default: return good[rn(4)];
	}
}

static unsigned long pick_len(void)
{
	switch (rn(10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 8;
	case 3: return 4096;
	case 4: return 4097;
	case 5: return ~0UL;
	case 6: return 1UL << 63;
	case 7: return rnd();
	default: return rn(64);
	}
}

static unsigned long pick_prio(void)
{
	switch (rn(5)) {
	case 0: return rnd();
	case 1: return 32 + rn(8);
	default: return rn(17); /* never above the root's 16: see safe() */
	}
}

/* Buffers of the root task that calls may legitimately use. */
static uint64_t scratch[64] __attribute__((aligned(4096)));
static char text_buf[] = "fuzz:puts|";

/* A pointer for an output buffer of n bytes: valid only in scratch. */
static unsigned long pick_ptr(int out)
{
	switch (rn(18)) {
	case 0: return 0;
	case 1: return KERNEL_VA + rn(PAGE_SIZE);
	case 2: return ~0UL - rn(64);		    /* wraps */
	case 3: return USER_TOP - 8 * (1 + rn(16)); /* straddles 2^38 */
	case 4: return USER_TOP;
	case 5: return BOOTINFO_ADDR + 8 * rn(8); /* read-only */
	case 6: return bi->initrd_addr ? bi->initrd_addr + 8 * rn(64) : 0x1000;
	case 7: return (unsigned long)&main;			       /* text: R X */
	case 8: return 0x30000000UL + 8 * rn(512);		       /* unmapped */
	case 9: return win_page() + 8 * rn(512);		       /* maybe mapped, maybe COW */
	case 10: return W3 + (W3_PAGES - 1) * PAGE_SIZE + 8 * rn(512); /* top page */
	case 11: return (unsigned long)scratch + 1 + rn(7);	       /* misaligned */
	case 12: return rnd();
	case 13: return rnd() & (USER_TOP - 1);
	default: return out ? (unsigned long)scratch : (unsigned long)scratch;
	}
}

/* ---- what the root must not do to itself ---- */

static int protected_slot(unsigned long s)
{
	return (s >= SLOT_CSPACE && s <= SLOT_DEBUG) || (s >= FZ0 && s < FZ0 + NHELP) ||
	       (s >= dev_first && s < dev_end);
}

static int in_win(unsigned long va, unsigned long len)
{
	unsigned long end = va + len;
	if (end < va)
		return 0;
	return (va >= W1 && end <= W1 + W1_PAGES * PAGE_SIZE) ||
	       (va >= W2 && end <= W2 + W2_PAGES * PAGE_SIZE) || (va >= W3 && end <= USER_TOP);
}

/* Would the kernel accept va as a page address of user space? */
static int user_page(unsigned long va)
{
	return !(va & (PAGE_SIZE - 1)) && va >= PAGE_SIZE && va < USER_TOP;
}

/* A root-aspace page range the kernel might change: must be in a window. */
static int root_range_ok(unsigned long va, unsigned long npages)
{
	if (!user_page(va))
		return 1; /* rejected by the kernel */
	if (npages > (USER_TOP >> 12))
		return 1;
	return in_win(va, npages * PAGE_SIZE) || va + npages * PAGE_SIZE > USER_TOP;
}

/* An output buffer must not overlap the root's memory but scratch. */
static int out_ok(unsigned long p, unsigned long len)
{
	unsigned long end = p + len;
	if (end < p || p >= USER_TOP)
		return 1;
	if (p < (unsigned long)scratch + sizeof(scratch) && end > (unsigned long)scratch)
		return p >= (unsigned long)scratch &&
		       end <= (unsigned long)scratch + sizeof(scratch);
	if (p < (unsigned long)_end && end > 0x100000)
		return 0;
	if (p < ROOT_STACK_TOP && end > ROOT_STACK_TOP - (ROOT_STACK_PAGES + 1) * PAGE_SIZE)
		return 0;
	return 1;
}

/* An input buffer printed to the console: text_buf or invalid only. */
static int puts_ok(unsigned long p, unsigned long len)
{
	if (len == 0 || len > 4096)
		return 1;
	if (p >= (unsigned long)text_buf &&
	    p + len <= (unsigned long)text_buf + sizeof(text_buf) - 1)
		return 1;
	/* Anything the kernel could read (mapped) would print garbage. */
	return p == 0 || p >= USER_TOP || p + len < p || p + len > USER_TOP ||
	       (p >= 0x30000000UL && p + len <= 0x30000000UL + PAGE_SIZE * 2);
}

/* A cap going into a cspace that is not the root's: no cspaces, no threads. */
static int may_leave_root(unsigned long src)
{
	long t = q_type(src);
	return t != CAP_CSPACE && t != CAP_THREAD;
}

/* Copying src anywhere: helpers and the root's own caps stay put. */
static int may_copy(unsigned long src, unsigned long mask)
{
	if (src == SLOT_CSPACE || src == SLOT_ASPACE || src == SLOT_THREAD)
		return 0;
	if (src == HS(H_SRV_EP))
		return !(mask & RIGHT_READ); /* only the server receives there */
	if (src >= FZ0 && src < FZ_FIRST)
		return 0;
	/* a copy of a server-endpoint cap that can receive must not spread */
	return 1;
}

/*
 * May the root make this invocation?  a[0] = slot, a[1] = label, a[2..6].
 * The kernel truncates labels to 32 bits: judge by the truncated label.
 */
static int safe_invoke(unsigned long *a)
{
	unsigned long s = a[0], label = a[1] & 0xffffffffUL;
	long type = q_type(s);

	if (type < 0 || type == CAP_NULL)
		return 1; /* E_BADCAP: harmless */
	switch (type) {
	case CAP_CSPACE:
		switch (label) {
		case CSPACE_COPY:
		case CSPACE_MINT:
			if (!may_copy(a[2], a[4]))
				return 0;
			if (s != SLOT_CSPACE && !may_leave_root(a[2]))
				return 0;
			if (s == SLOT_CSPACE && q_type(a[3]) == CAP_NULL &&
			    a[3] < ROOT_CSPACE_SLOTS && !in_fuzz(a[3]) && a[3] != 0 && a[3] != 6 &&
			    a[3] != 7)
				return 0;
			return 1;
		case CSPACE_MOVE:
			if (protected_slot(a[2]) || (a[2] < ROOT_CSPACE_SLOTS && !in_fuzz(a[2]) &&
						     q_type(a[2]) > 0 && a[2] > 7))
				return 0;
			if (s != SLOT_CSPACE && !may_leave_root(a[2]))
				return 0;
			if (s == SLOT_CSPACE && q_type(a[3]) == CAP_NULL &&
			    a[3] < ROOT_CSPACE_SLOTS && !in_fuzz(a[3]) && a[3] != 0 && a[3] != 6 &&
			    a[3] != 7)
				return 0;
			return 1;
		case CSPACE_DELETE:
			if (s == SLOT_CSPACE && a[2] >= WT_FIRST && a[2] < WT_FIRST + NWAIT)
				return 1;
			if (s == SLOT_CSPACE)
				return !(a[2] < ROOT_CSPACE_SLOTS && !in_fuzz(a[2]) &&
					 q_type(a[2]) > 0 && a[2] != 0 && a[2] != 6 && a[2] != 7);
			return 1;
		}
		return 1;
	case CAP_POOL: {
		unsigned long dst = label == POOL_ALLOC_FRAME ? a[2] : a[3];
		if (label != POOL_ALLOC_FRAME && label != POOL_CREATE)
			return 1;
		if (dst < ROOT_CSPACE_SLOTS && q_type(dst) == CAP_NULL && !in_fuzz(dst) &&
		    dst != 0 && dst != 6 && dst != 7)
			return 0;
		return 1;
	}
	case CAP_ASPACE:
		if (label == ASPACE_CLONE && a[2] == SLOT_ASPACE)
			return 0;
		if (label == ASPACE_SHARE && a[2] == SLOT_ASPACE && !root_range_ok(a[3], 1))
			return 0;
		if (s != SLOT_ASPACE)
			return 1;
		switch (label) {
		case ASPACE_MAP: return root_range_ok(a[3], 1);
		case ASPACE_UNMAP:
		case ASPACE_PROTECT: return root_range_ok(a[2], 1);
		case ASPACE_MAP_ZERO:
			return a[3] == 0 || a[3] > ZERO_MAX_PAGES ? 1 : root_range_ok(a[2], a[3]);
		case ASPACE_SHARE: return root_range_ok(a[4], 1);
		}
		return 1;
	case CAP_THREAD:
		if (s >= WT_FIRST && s < WT_FIRST + NWAIT) /* runs root code: no new regs */
			return label == THREAD_INFO || label == THREAD_SUSPEND ||
			       label == THREAD_RESUME || label == THREAD_SET_PRIORITY ||
			       (label == THREAD_READ_REGS && out_ok(a[2], 256));
		if (s == SLOT_THREAD || s == HS(H_SRV_T) || s == HS(H_SENT_T))
			return label == THREAD_INFO ||
			       (label == THREAD_READ_REGS && out_ok(a[2], 256));
		switch (label) {
		case THREAD_CONFIGURE:
			if (a[2] == SLOT_ASPACE || a[3] == SLOT_CSPACE)
				return 0;
			if (a[5] > 16 && a[5] <= PRIORITY_MAX)
				return 0;
			return 1;
		case THREAD_READ_REGS: return out_ok(a[2], 256);
		case THREAD_SET_PRIORITY: return !(a[2] > 16 && a[2] <= PRIORITY_MAX);
		}
		return 1;
	case CAP_DEBUG:
		if (label == DEBUG_STATS)
			return out_ok(a[2], sizeof(kstats_t));
		if (label == DEBUG_PUTS)
			return puts_ok(a[2], a[3]);
		if (label == DEBUG_FAILNTH) /* never at the root's own allocations */
			return a[2] == 0 || (a[3] & ~15UL) ||
			       ((a[3] & FAILNTH_THREAD) && !(a[3] & FAILNTH_SERVED) &&
				a[4] >= CH_FIRST && a[4] < FZ_END && (a[4] - CH_FIRST) % 4 == 0);
		if (label == DEBUG_TRACE && a[2] == TRACE_READ) /* at most 4096 events */
			return out_ok(a[3], (a[4] < 4096 ? a[4] : 4096) * sizeof(trace_event_t));
		return 1;
	}
	return 1;
}

/* ---- helper threads ---- */

#define HSTACK 8192
static uint8_t srv_stack[HSTACK] __attribute__((aligned(16)));
static uint8_t sent_stack[HSTACK] __attribute__((aligned(16)));
static uint64_t srv_rng;
static volatile unsigned long srv_msgs;

static uint64_t srv_rnd(void)
{
	srv_rng = srv_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return srv_rng >> 17;
}

/* The IPC server: receives on H_SRV_EP, replies with random words and caps. */
static void server(unsigned long arg)
{
	(void)arg;
	for (;;) {
		unsigned long rs = FZ_FIRST + srv_rnd() % NFZ;
		unsigned long info =
		    (srv_rnd() & 3)
			? MSG_WITH_RSLOT(0, rs)
			: (srv_rnd() & 0x1f) | ((ROOT_CSPACE_SLOTS + srv_rnd() % 64000) << 16);
		sysret_t r = syscall7(SYS_RECV, HS(H_SRV_EP), info, 0, 0, 0, 0, 0);
		if (r.r0 < 0)
			continue;
		srv_msgs++;
		for (int tries = 0; tries < 3; tries++) {
			unsigned long cs = FZ_FIRST + srv_rnd() % (FZ_END - FZ_FIRST);
			unsigned long len = tries ? srv_rnd() % 5 : srv_rnd() % 8;
			unsigned long ri = MSG_INFO(srv_rnd(), len);
			long t = q_type(cs);
			/* the caller may be a chaos thread: no cspaces, no threads */
			if ((srv_rnd() & 1) && t > 0 && t != CAP_CSPACE && t != CAP_THREAD)
				ri |= MSG_CAP;
			long e = syscall7(SYS_REPLY, 0, ri, srv_rnd(), srv_rnd(), 1, 2, cs).r0;
			if (e != E_INVAL)
				break;
		}
	}
}

#define SENTINEL_LABEL 0x5e47UL

/* The sentinel: each signal of H_SENT_N puts one message on the fault EP. */
static void sentinel(unsigned long arg)
{
	(void)arg;
	for (;;) {
		syscall7(SYS_WAIT, HS(H_SENT_N), 0, 0, 0, 0, 0, 0);
		syscall7(SYS_SEND, HS(H_FLT_EP), MSG_INFO(SENTINEL_LABEL, 0), 0, 0, 0, 0, 0);
	}
}

/* ---- chaos threads: random calls in a clone of the root's aspace ---- */

typedef struct chaos {
	int live;
	unsigned long thread, aspace, cspace, pool; /* slots in the root cspace */
	unsigned long faults;
} chaos_t;
static chaos_t chaos[NCHAOS];
#define CHAOS_SLOTS 32
#define CSTACK	    16384
static uint8_t chaos_stacks[NCHAOS][CSTACK] __attribute__((aligned(16)));
static unsigned long nfaults, nchaos_started;

static uint64_t c_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define NORVC(insn) ".option push\n.option norvc\n" insn "\n.option pop"

/* Fault on purpose; every faulting instruction is 4 bytes (no RVC). */
static void __attribute__((noinline)) chaos_fault(unsigned k, unsigned long addr)
{
	switch (k) {
	case 0: __asm__ volatile(NORVC("ld t0, 0(%0)") : : "r"(addr) : "t0", "memory"); break;
	case 1: __asm__ volatile(NORVC("sd zero, 0(%0)") : : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile(NORVC("ebreak")::: "memory"); break;
	case 3: __asm__ volatile(NORVC(".word 0")::: "memory"); break;
	case 4: __asm__ volatile(NORVC("lw t0, 0(%0)") : : "r"(addr | 1) : "t0", "memory"); break;
	default:
		__asm__ volatile(NORVC("sd zero, 0(%0)")
				 :
				 : "r"((unsigned long)&chaos_fault)
				 : "memory");
		break;
	}
}

/*
 * Runs in its own cspace (slot 1: its pool, 2: its aspace, 3: the server
 * endpoint without READ, more caps above) in a clone of the root's aspace.
 * Never returns; the root kills it.  Uses only its stack.
 */
static void chaos_main(unsigned long seed)
{
	uint64_t s = seed | 1;
	uint64_t buf[40];

	for (int i = 0; i < 40; i++)
		buf[i] = 0;
	for (;;) {
		uint64_t r = c_rnd(&s);
		unsigned long a[7];
		for (int i = 0; i < 7; i++) {
			uint64_t v = c_rnd(&s);
			switch (v % 9) {
			case 0: a[i] = v; break;
			case 1: a[i] = (unsigned long)buf; break;
			case 2: a[i] = W1 + (v >> 8) % W1_PAGES * PAGE_SIZE; break;
			case 3: a[i] = (v >> 8) % 0x60; break;
			case 4: a[i] = ~0UL; break;
			default: a[i] = (v >> 8) % CHAOS_SLOTS; break;
			}
		}
		unsigned long n = r % 16;
		if (n == SYS_INVOKE || (r >> 8) % 4 == 0) {
			n = SYS_INVOKE;
			a[1] = labels[(r >> 12) % NLABELS];
			if (a[1] == POOL_CREATE && a[2] == CAP_CSPACE)
				a[2] = CAP_ENDPOINT; /* no cycles: no cspaces */
			if (a[1] == THREAD_CONFIGURE || a[1] == THREAD_SET_PRIORITY)
				a[5] = a[2] = (r >> 20) % 17; /* never above the root */
			if (a[1] == DEBUG_PUTS || a[1] == DEBUG_FAILNTH)
				continue; /* no debug cap anyway */
		}
		/* blocking calls are rare: somebody may never come */
		if ((n == SYS_RECV || n == SYS_WAIT || n == SYS_SEND || n == SYS_CALL ||
		     n == SYS_REPLY_RECV) &&
		    (r >> 24) % 16 != 0)
			n = SYS_POLL;
		if (n == SYS_CALL && (r >> 30) % 2)
			a[0] = 3; /* the server: always answers */
		syscall7((long)n, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
		if ((r >> 32) % 32 == 0)
			chaos_fault((unsigned)((r >> 40) % 6), a[2]);
		if ((r >> 32) % 8 == 1) { /* touch a window page: zero fill, COW */
			volatile uint64_t *p = (volatile uint64_t *)(((r >> 39) & 1 ? W1 : W2) +
								     (r >> 40) % 16 * PAGE_SIZE);
			if ((r >> 50) & 1)
				*p = r;
			else
				(void)*p;
		}
	}
}

static void chaos_kill(int i, int order)
{
	chaos_t *c = &chaos[i];
	unsigned long sl[4] = {c->thread, c->aspace, c->cspace, c->pool};

	if (!c->live)
		return;
	if (q_type(c->thread) == CAP_THREAD && chance(70))
		I(c->thread, THREAD_SUSPEND, 0, 0, 0, 0, 0);
	for (int k = 0; k < 4; k++) {
		unsigned long s = sl[(k + order) % 4];
		if (q_type(s) > 0)
			I(SLOT_CSPACE, CSPACE_DELETE, s, 0, 0, 0, 0);
	}
	c->live = 0;
}

static void chaos_spawn(int i)
{
	chaos_t *c = &chaos[i];
	unsigned long base = CH_FIRST + 4 * (unsigned long)i;
	long e;

	chaos_kill(i, 0);
	c->thread = base;
	c->aspace = base + 1;
	c->cspace = base + 2;
	c->pool = base + 3;
	for (int k = 0; k < 4; k++)
		if (q_type(base + k) > 0)
			I(SLOT_CSPACE, CSPACE_DELETE, base + k, 0, 0, 0, 0);
	c->live = 1;
	c->faults = 0;
	unsigned long quota = chance(20) ? rn(24) : 24 + rn(80);
	if (I(SLOT_POOL, POOL_CREATE, CAP_POOL, c->pool, quota, 0, 0) < 0)
		goto out;
	if (I(c->pool, POOL_CREATE, CAP_ASPACE, c->aspace, 0, 0, 0) < 0 ||
	    I(c->pool, POOL_CREATE, CAP_CSPACE, c->cspace, CHAOS_SLOTS, 0, 0) < 0 ||
	    I(c->pool, POOL_CREATE, CAP_THREAD, c->thread, 0, 0, 0) < 0)
		goto out;
	e = I(SLOT_ASPACE, ASPACE_CLONE, c->aspace, chance(10) ? CLONE_EAGER : 0, 0, 0, 0);
	if (e < 0)
		goto out;
	/* its cspace: 1 pool, 2 aspace, 3 server ep (no READ), then fuzz caps */
	I(c->cspace, CSPACE_COPY, c->pool, 1, RIGHTS_ALL, 0, 0);
	I(c->cspace, CSPACE_COPY, c->aspace, 2, RIGHTS_ALL, 0, 0);
	I(c->cspace, CSPACE_MINT, HS(H_SRV_EP), 3, RIGHT_WRITE | RIGHT_GRANT,
	  0x100 + (unsigned long)i, 0);
	for (unsigned long d = 4; d < 12; d++) {
		unsigned long src = FZ_FIRST + rn(NFZ);
		long t = q_type(src);
		if (t > 0 && t != CAP_CSPACE && t != CAP_THREAD)
			I(c->cspace, CSPACE_COPY, src, d, rn(16), 0, 0);
	}
	e = I(c->thread, THREAD_CONFIGURE, c->aspace, c->cspace, HS(H_FLT_EP), 16 - rn(2), 0);
	if (e < 0)
		goto out;
	/* the root tells fault senders apart by their pc */
	e = I(c->thread, THREAD_START, (unsigned long)chaos_main,
	      (unsigned long)(chaos_stacks[i] + CSTACK), rnd(), 0, 0);
	if (e < 0)
		goto out;
	nchaos_started++;
	return;
out:
	chaos_kill(i, (int)rn(4));
}

/* ---- draining the fault endpoint ---- */

/* Which chaos entry does thread slot t... find by reading regs of each live one. */
static int handle_fault(sysret_t *m)
{
	unsigned long sepc = m->r[3];
	nfaults++;
	/* Find a blocked chaos thread whose pc is sepc. */
	for (int i = 0; i < NCHAOS; i++) {
		chaos_t *c = &chaos[i];
		if (!c->live || q_type(c->thread) != CAP_THREAD)
			continue;
		if (q_state(c->thread) != THREAD_BLOCKED)
			continue;
		if (S(SYS_INVOKE, c->thread, THREAD_READ_REGS, (unsigned long)scratch, 0, 0, 0, 0)
			.r0 < 0)
			continue;
		if (scratch[0] != sepc)
			continue;
		c->faults++;
		switch (rn(10)) {
		case 0: /* kill it for good, the reply then finds nobody */
			I(c->thread, THREAD_SUSPEND, 0, 0, 0, 0, 0);
			return 1;
		case 1: /* reply without a fix: it faults again */ return 1;
		default: /* skip the faulting (4-byte) instruction */
			scratch[0] += 4;
			I(c->thread, THREAD_WRITE_REGS, (unsigned long)scratch, 0, 0, 0, 0);
			return 1;
		}
	}
	return 0;
}

static void drain(void)
{
	sysret_t r;
	int n = 0;

	S(SYS_SIGNAL, HS(H_SENT_N), 0, 0, 0, 0, 0, 0);
	r = S(SYS_RECV, HS(H_FLT_EP), 0, 0, 0, 0, 0, 0);
	for (;;) {
		if (r.r0 < 0) {
			fail("drain: SYS_RECV on the fault endpoint: %s", error_name((int)r.r0));
			return;
		}
		if (MSG_LABEL(r.r[0]) == SENTINEL_LABEL)
			return;
		if (++n > 400)
			return; /* the sentinel stays queued: the next drain takes it */
		int known = MSG_LABEL(r.r[0]) == FAULT_LABEL && handle_fault(&r);
		if (!known && chance(30)) { /* leave the sender waiting for good */
			r = S(SYS_RECV, HS(H_FLT_EP), 0, 0, 0, 0, 0, 0);
			continue;
		}
		if (chance(50)) {
			r = S(SYS_REPLY_RECV, HS(H_FLT_EP),
			      chance(10) ? MSG_INFO(rnd(), 5 + rn(3)) : rnd() & 7 & 3, rnd(), rnd(),
			      rnd(), rnd(), 0);
			if (r.r0 == E_INVAL) { /* nothing was sent: reply properly */
				S(SYS_REPLY, 0, 0, 0, 0, 0, 0, 0);
				r = S(SYS_RECV, HS(H_FLT_EP), 0, 0, 0, 0, 0, 0);
			}
		} else {
			S(SYS_REPLY, 0, MSG_INFO(rnd(), rn(5)), rnd(), 0, 0, 0, 0);
			r = S(SYS_RECV, HS(H_FLT_EP), 0, 0, 0, 0, 0, 0);
		}
	}
}

/* ---- waiters: local threads (fixed code, root cspace) doing IPC on fuzz objects ---- */

static uint8_t wt_stacks[NWAIT][HSTACK] __attribute__((aligned(16)));
static unsigned long nwaiters;

/* Send/receive/call/reply/wait/signal on random fuzz slots; blocks freely:
 * the root deletes the objects and suspends or deletes the thread. */
static void waiter(unsigned long seed)
{
	uint64_t st = seed | 1;

	for (;;) {
		uint64_t r = c_rnd(&st);
		unsigned long slot = FZ_FIRST + (r >> 8) % (FZ_END - FZ_FIRST);
		unsigned long cs = FZ_FIRST + (r >> 20) % NFZ;
		unsigned long info = MSG_INFO(r >> 40, (r >> 32) % 5);
		unsigned long rs = MSG_WITH_RSLOT(0, FZ_FIRST + (r >> 24) % NFZ);
		long t = q_type(cs);
		/* a receiver may be a chaos thread: no cspaces, no threads */
		if ((r >> 36) % 3 == 0 && t > 0 && t != CAP_CSPACE && t != CAP_THREAD)
			info |= MSG_CAP;
		if ((r >> 37) % 2)
			info |= rs;
		long e;
		switch (r % 10) {
		case 0: e = syscall7(SYS_RECV, slot, rs, 0, 0, 0, 0, 0).r0; break;
		case 1: e = syscall7(SYS_SEND, slot, info, r, 1, 2, 3, cs).r0; break;
		case 2: e = syscall7(SYS_CALL, slot, info, r, 1, 2, 3, cs).r0; break;
		case 3: e = syscall7(SYS_REPLY, 0, info, r, 1, 2, 3, cs).r0; break;
		case 4: e = syscall7(SYS_REPLY_RECV, slot, info, r, 1, 2, 3, cs).r0; break;
		case 5: e = syscall7(SYS_WAIT, slot, 0, 0, 0, 0, 0, 0).r0; break;
		case 6: e = syscall7(SYS_SIGNAL, slot, 0, 0, 0, 0, 0, 0).r0; break;
		case 7: e = syscall7(SYS_POLL, slot, 0, 0, 0, 0, 0, 0).r0; break;
		case 8: e = syscall7(SYS_YIELD, 0, 0, 0, 0, 0, 0, 0).r0; break;
		default: e = q_inv(slot, THREAD_INFO, 0, 0, 0, 0); break;
		}
		(void)e;
	}
}

static void op_waiter(void)
{
	unsigned long w = rn(NWAIT), slot = WT_FIRST + w;

	if (q_type(slot) == CAP_THREAD) {
		switch (rn(4)) {
		case 0: I(slot, THREAD_SUSPEND, 0, 0, 0, 0, 0); break;
		case 1: I(slot, THREAD_RESUME, 0, 0, 0, 0, 0); break;
		case 2: I(slot, THREAD_SET_PRIORITY, rn(17), 0, 0, 0, 0); break;
		default: I(SLOT_CSPACE, CSPACE_DELETE, slot, 0, 0, 0, 0); break;
		}
		return;
	}
	if (I(SLOT_POOL, POOL_CREATE, CAP_THREAD, slot, 0, 0, 0) < 0)
		return;
	if (tracing())
		uprintf("T   (waiter %lu started)\n", w);
	if (thread_start_local(slot, waiter, rnd(), wt_stacks[w] + HSTACK, 14 + (unsigned)rn(3),
			       chance(50) ? NO_FAULT_EP : HS(H_FLT_EP)) == 0)
		nwaiters++;
}

/* A page of the root's windows that is mapped, if one turns up quickly. */
static unsigned long mapped_root_page(void)
{
	for (int i = 0; i < 16; i++) {
		unsigned long va = win_page();
		if (q_inv(SLOT_ASPACE, ASPACE_QUERY, va, 0, 0, 0) > 0)
			return va;
	}
	return win_page();
}

static unsigned long mapped_page(unsigned long as)
{
	if (as == SLOT_ASPACE)
		return mapped_root_page();
	for (int i = 0; i < 16; i++) {
		unsigned long va = any_va();
		if (q_inv(as, ASPACE_QUERY, va, 0, 0, 0) > 0)
			return va;
	}
	return any_va();
}

/* ---- one random call ---- */

/* Fill a[2..6] for label with plausible arguments (then maybe mutate). */
static void args_for(unsigned long *a)
{
	unsigned long s = a[0], label = a[1];
	int root_as = s == SLOT_ASPACE;

	for (int i = 2; i < 7; i++)
		a[i] = rn(4) ? rn(8) : rnd();
	switch (label) {
	case CSPACE_COPY:
	case CSPACE_MINT:
		a[2] = pick_slot();
		a[3] = s == SLOT_CSPACE ? pick_dst() : rn(4) ? rn(64) : pick_slot();
		a[4] = chance(80) ? rn(16) : rnd();
		a[5] = chance(70) ? 1 + rn(1000) : rnd();
		break;
	case CSPACE_MOVE:
		a[2] = chance(80) ? fuzz_slot() : pick_slot();
		a[3] = s == SLOT_CSPACE ? pick_dst() : rn(64);
		break;
	case CSPACE_DELETE:
	case CSPACE_INFO:
		a[2] = s == SLOT_CSPACE ? pick_slot() : chance(80) ? rn(70) : pick_slot();
		break;
	case POOL_ALLOC_FRAME: a[2] = pick_dst(); break;
	case POOL_CREATE:
		a[2] = chance(85) ? 1 + rn(CAP_NTYPES) : rnd();
		a[3] = pick_dst();
		a[4] = a[2] == CAP_POOL	    ? (chance(70) ? rn(40) : rnd())
		       : a[2] == CAP_CSPACE ? (chance(80)   ? 1 + rn(300)
					       : chance(50) ? 4096 + rn(2)
							    : rnd())
					    : rnd();
		break;
	case ASPACE_MAP:
		a[2] = chance(70) ? typed_slot(CAP_FRAME) : pick_slot();
		a[3] = root_as ? root_va() : any_va();
		a[4] = pick_rights();
		break;
	case ASPACE_UNMAP:
	case ASPACE_QUERY: a[2] = root_as ? root_va() : any_va(); break;
	case ASPACE_PROTECT:
		a[2] = root_as ? root_va() : any_va();
		a[3] = pick_rights();
		break;
	case ASPACE_CLONE:
		a[2] = chance(80) ? typed_slot(CAP_ASPACE) : pick_slot();
		a[3] = chance(80) ? rn(2) : rnd();
		break;
	case ASPACE_MAP_ZERO:
		a[2] = root_as ? root_va() : any_va();
		a[3] = chance(80)   ? 1 + rn(32)
		       : chance(50) ? rn(2)
		       : chance(50) ? ZERO_MAX_PAGES + rn(2)
				    : rnd();
		if (!root_as && chance(30)) { /* across leaf (2 MiB) and 1 GiB tables */
			unsigned long b =
			    chance(50) ? (1 + rn(255)) << 30 : (1 + rn(1UL << 17)) << 21;
			a[2] = b - (1 + rn(64)) * PAGE_SIZE;
			a[3] = chance(70) ? 1 + rn(1024) : 1 + rn(ZERO_MAX_PAGES);
		}
		a[4] = chance(80) ? (rn(2) ? RIGHT_READ : RIGHT_READ | RIGHT_WRITE) : pick_rights();
		break;
	case ASPACE_SHARE:
		a[2] = chance(20) ? SLOT_ASPACE : chance(80) ? typed_slot(CAP_ASPACE) : pick_slot();
		a[3] = a[2] == SLOT_ASPACE ? root_va() : any_va();
		a[4] = root_as ? root_va() : any_va();
		a[5] = pick_rights();
		a[6] = chance(70) ? rn(2) : rnd();
		break;
	case THREAD_CONFIGURE:
		a[2] = chance(80) ? typed_slot(CAP_ASPACE) : pick_slot();
		a[3] = chance(80) ? typed_slot(CAP_CSPACE) : pick_slot();
		a[4] = chance(30) ? ~0UL : chance(60) ? typed_slot(CAP_ENDPOINT) : pick_slot();
		a[5] = pick_prio();
		break;
	case THREAD_START:
		a[2] = chance(50) ? any_va() : rnd();
		a[3] = chance(50) ? any_va() : rnd();
		a[4] = rnd();
		break;
	case THREAD_READ_REGS:
	case THREAD_WRITE_REGS:
	case ASPACE_STATS:
	case THREAD_STATS:
	case DEBUG_STATS: a[2] = pick_ptr(label != THREAD_WRITE_REGS); break;
	case THREAD_SET_PRIORITY: a[2] = pick_prio(); break;
	case IRQ_BIND: a[2] = chance(70) ? typed_slot(CAP_NOTIFICATION) : pick_slot(); break;
	case DEBUG_TRACE: /* mostly real operations, masks and buffers */
		a[2] = chance(90) ? 1 + rn(4) : rnd();
		if (a[2] == TRACE_READ) {
			a[3] = pick_ptr(1);
			a[4] = chance(70) ? rn(64) : rnd();
		} else {
			a[3] = chance(70) ? rn(TRACE_M_ALL + 1) : rnd();
		}
		break;
	case DEBUG_FAILNTH: /* mostly real: a chaos thread's own allocations fail */
		a[2] = chance(30) ? 0 : 1 + rn(24);
		a[3] = chance(90) ? FAILNTH_THREAD | FAILNTH_OWN | (chance(30) ? FAILNTH_ONCE : 0)
				  : rnd();
		a[4] = chance(90) ? CH_FIRST + 4 * rn(NCHAOS) : pick_slot();
		break;
	case DEBUG_PUTS:
		if (chance(40)) {
			a[2] = (unsigned long)text_buf + rn(4);
			a[3] = rn(6);
		} else {
			a[2] = pick_ptr(0);
			a[3] = pick_len();
		}
		break;
	}
	/* mutate one argument now and then */
	if (chance(10)) {
		unsigned i = 2 + (unsigned)rn(5);
		switch (rn(4)) {
		case 0: a[i] = rnd(); break;
		case 1: a[i] ^= 1UL << rn(64); break;
		case 2: a[i] = pick_slot(); break;
		default: a[i] = pick_ptr(1); break;
		}
	}
}

/* A message info word for sending. */
static unsigned long pick_info(void)
{
	unsigned long info = MSG_INFO(rnd(), chance(85) ? rn(5) : 5 + rn(3));
	if (chance(30))
		info |= MSG_CAP;
	if (chance(40))
		info = MSG_WITH_RSLOT(info, chance(80) ? free_slot()
					    : rn(4)    ? rn(1 << 16)
						       : 1 + rn(5));
	if (chance(5))
		info |= rnd() & 0xffe0; /* reserved bits */
	return info;
}

static void op_invoke(void)
{
	unsigned long a[7];

	a[0] = pick_slot();
	a[1] = pick_label();
	args_for(a);
	if (chance(3))
		a[1] |= (1UL << 32) * (1 + rn(3)); /* labels above 32 bits */
	if (!safe_invoke(a)) {
		nskipped++;
		return;
	}
	S(SYS_INVOKE, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

/* A pointer no system call may read through. */
static unsigned long bad_ptr(void)
{
	switch (rn(5)) {
	case 0: return 0;
	case 1: return KERNEL_VA + rn(PAGE_SIZE);
	case 2: return ~0UL - rn(64);		    /* wraps */
	case 3: return USER_TOP - 8 * (1 + rn(6));  /* an invocation straddles 2^38 */
	default: return 0x30000000UL + 8 * rn(512); /* unmapped */
	}
}

/* Does any slot-sized argument of a (a[0], a[2..6]) appear in used? */
static int names_used(const unsigned long *a, const unsigned long *used, int nused)
{
	for (int i = 0; i < 7; i++)
		for (int k = 0; i != 1 && k < nused; k++)
			if (a[i] == used[k])
				return 1;
	return 0;
}

/*
 * SYS_BATCH: up to four invocations as op_invoke makes them, of which no
 * two name the same value as a slot or argument, so that each one, judged
 * safe on the state before the batch, is still safe when it runs; or a
 * batch the kernel must refuse whole (count, flags or array).
 */
static void op_batch(void)
{
	static invocation_t ops[BATCH_MAX + 1];
	unsigned long used[4 * 7], n = 0, want = 1 + rn(4), a[7];
	unsigned long flags = chance(50) ? BATCH_ALL : 0, ptr = (unsigned long)ops;
	int nused = 0, refused = 0;

	for (int tries = 0; n < want && tries < 20; tries++) {
		a[0] = pick_slot();
		a[1] = pick_label();
		args_for(a);
		if (!safe_invoke(a) || names_used(a, used, nused))
			continue;
		for (int i = 0; i < 7; i++)
			if (i != 1)
				used[nused++] = a[i];
		ops[n++] = (invocation_t){a[0], a[1], {a[2], a[3], a[4], a[5], a[6]}};
	}
	if (n == 0) {
		nskipped++;
		return;
	}
	switch (rn(10)) {
	case 0:
		n = chance(50) ? 0 : chance(50) ? BATCH_MAX + 1 : rnd() | 1UL << 63;
		refused = E_INVAL;
		break;
	case 1:
		flags |= 2UL << rn(62);
		refused = E_INVAL;
		break;
	case 2:
		ptr = bad_ptr();
		refused = E_FAULT;
		break;
	}
	sysret_t r = S(SYS_BATCH, ptr, n, flags, rnd(), rnd(), rnd(), rnd());
	/* The root never suspends itself: every invocation runs unless one
	 * fails without BATCH_ALL, and then that one ran last. */
	int ok;
	if (refused)
		ok = r.r0 == refused && r.r[0] == 0;
	else if (r.r0 == 0)
		ok = r.r[0] == n && r.r[1] == 0;
	else if (flags & BATCH_ALL)
		ok = r.r0 < 0 && r.r[0] == n && r.r[1] >= 1 && r.r[1] <= n;
	else
		ok = r.r0 < 0 && r.r[0] >= 1 && r.r[0] <= n && r.r[1] == 1;
	if (!ok)
		fail("SYS_BATCH of %lu (flags %#lx): r0 %ld ran %lu failed %lu", n, flags, r.r0,
		     r.r[0], r.r[1]);
}

/* A raw system call: any number, random registers; never one that blocks. */
static void op_raw(void)
{
	static const unsigned long nums[] = {SYS_NSYSCALLS,
					     SYS_NSYSCALLS + 1,
					     12,
					     15,
					     31,
					     64,
					     255,
					     0x7fffffff,
					     0x80000000UL,
					     1UL << 32,
					     (1UL << 32) + SYS_RECV,
					     ~0UL,
					     ~0UL - 1,
					     1UL << 63};
	unsigned long n, a[7];

	for (int i = 0; i < 7; i++)
		a[i] = chance(50) ? pick_slot() : rnd();
	switch (rn(6)) {
	case 0: n = nums[rn(sizeof(nums) / sizeof(nums[0]))]; break;
	case 1: n = rnd(); break;
	default: n = rn(SYS_NSYSCALLS); break;
	}
	switch (n) {
	case SYS_BATCH: /* random invocations only where they cannot be read */
		a[0] = bad_ptr();
		break;
	case SYS_INVOKE:
		a[1] = pick_label();
		if (!safe_invoke(a)) {
			nskipped++;
			return;
		}
		break;
	case SYS_SEND:
	case SYS_CALL:
	case SYS_RECV:
	case SYS_REPLY_RECV:
	case SYS_WAIT: {
		/* only forms that fail at once */
		long t = q_type(a[0]);
		if (t == CAP_ENDPOINT && n != SYS_WAIT)
			a[1] = (a[1] & ~7UL) | (5 + rn(3)); /* MSG_LEN > 4: E_INVAL */
		if (t == CAP_ENDPOINT && (n == SYS_RECV || n == SYS_REPLY_RECV))
			return; /* could wait for good */
		if (t == CAP_NOTIFICATION && n == SYS_WAIT)
			return;
		if ((n == SYS_SEND || n == SYS_CALL) && (a[1] & MSG_CAP) &&
		    !may_copy(a[6], RIGHTS_ALL))
			a[1] &= ~MSG_CAP;
		if (n == SYS_REPLY_RECV)
			a[1] = (a[1] & ~7UL) | (5 + rn(3));
		break;
	}
	case SYS_REPLY:
		if ((a[1] & MSG_CAP) && !may_copy(a[6], RIGHTS_ALL))
			a[1] &= ~MSG_CAP;
		break;
	}
	S((long)n, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

/* Call the server, if it is waiting (else the call could block for good). */
static void op_call_server(void)
{
	unsigned long info = pick_info(), cap = chance(80) ? fuzz_slot() : pick_slot();
	unsigned long ep = HS(H_SRV_EP);

	if (chance(20)) { /* a copy in a fuzz slot, minted or not, maybe no WRITE */
		unsigned long d = free_slot();
		if (q_type(d) == CAP_NULL && I(SLOT_CSPACE, chance(50) ? CSPACE_MINT : CSPACE_COPY,
					       ep, d, rn(16) & ~RIGHT_READ, 1 + rn(1000), 0) == 0)
			ep = d;
	}
	if (q_state(HS(H_SRV_T)) != THREAD_BLOCKED)
		return;
	if ((info & MSG_CAP) && !may_copy(cap, RIGHTS_ALL))
		info &= ~MSG_CAP;
	if (MSG_RSLOT(info) && MSG_RSLOT(info) < ROOT_CSPACE_SLOTS && !in_fuzz(MSG_RSLOT(info)) &&
	    q_type(MSG_RSLOT(info)) == CAP_NULL)
		info &= ~(0xffffUL << 16);
	unsigned long before = srv_msgs;
	sysret_t r = S(chance(70) ? SYS_CALL : SYS_SEND, ep, info, rnd(), rnd(), rnd(), rnd(), cap);
	(void)before;
	(void)r;
}

/* Create a real object from the root pool or a fuzz pool. */
static void op_create(void)
{
	unsigned long pool = chance(60) ? SLOT_POOL : typed_slot(CAP_POOL);
	unsigned long d = free_slot();
	unsigned long type;

	if (chance(30)) {
		I(pool, POOL_ALLOC_FRAME, d, 0, 0, 0, 0);
		return;
	}
	static const unsigned long types[] = {CAP_POOL,	    CAP_ASPACE,	      CAP_THREAD,
					      CAP_ENDPOINT, CAP_NOTIFICATION, CAP_CSPACE,
					      CAP_FRAME};
	type = types[rn(7)];
	unsigned long arg = type == CAP_POOL	 ? rn(48)
			    : type == CAP_CSPACE ? 1 + rn(chance(90) ? 200 : 4096)
						 : 0;
	if (!safe_invoke((unsigned long[7]){pool, POOL_CREATE, type, d, arg, 0, 0}))
		return;
	I(pool, POOL_CREATE, type, d, arg, 0, 0);
}

/* Map pages: frames into a window or a fuzz aspace, zero pages, shares. */
static void op_map(void)
{
	unsigned long as = chance(50) ? SLOT_ASPACE : typed_slot(CAP_ASPACE);
	unsigned long a[7] = {as, 0, 0, 0, 0, 0, 0};

	switch (rn(6)) {
	case 0:
	case 1: a[1] = ASPACE_MAP; break;
	case 2: a[1] = ASPACE_MAP_ZERO; break;
	case 3: a[1] = ASPACE_SHARE; break;
	case 4: a[1] = ASPACE_UNMAP; break;
	default: a[1] = ASPACE_PROTECT; break;
	}
	args_for(a);
	if ((a[1] == ASPACE_UNMAP || a[1] == ASPACE_PROTECT) && chance(60))
		a[2] = mapped_page(as);
	if (a[1] == ASPACE_SHARE && chance(60))
		a[3] = mapped_page(a[2]);
	if (a[1] == ASPACE_MAP && chance(50))
		a[4] = (unsigned long[]){RIGHT_READ, RIGHT_READ | RIGHT_WRITE,
					 RIGHT_READ | RIGHT_EXEC}[rn(3)];
	if (!safe_invoke(a)) {
		nskipped++;
		return;
	}
	S(SYS_INVOKE, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

/* Configure and start a fuzz thread in a fuzz aspace (it runs garbage and faults). */
static void op_thread(void)
{
	unsigned long t = typed_slot(CAP_THREAD);
	unsigned long as = typed_slot(CAP_ASPACE), cs = typed_slot(CAP_CSPACE);

	if (q_type(t) != CAP_THREAD || q_type(as) != CAP_ASPACE || q_type(cs) != CAP_CSPACE)
		return;
	for (int i = 0; i < NCHAOS; i++)
		if (chaos[i].live && (t == chaos[i].thread))
			return;
	unsigned long fep = chance(40)	 ? HS(H_FLT_EP)
			    : chance(50) ? typed_slot(CAP_ENDPOINT)
					 : ~0UL;
	if (fep == HS(H_FLT_EP) || q_type(fep) == CAP_ENDPOINT || fep == ~0UL)
		I(t, THREAD_CONFIGURE, as, cs, fep, rn(17), 0);
	switch (rn(4)) {
	case 0: I(t, THREAD_START, any_va(), any_va(), rnd(), 0, 0); break;
	case 1:
		for (int i = 0; i < 32; i++)
			scratch[i] = chance(50) ? any_va() : rnd();
		I(t, THREAD_WRITE_REGS, (unsigned long)scratch, 0, 0, 0, 0);
		I(t, THREAD_RESUME, 0, 0, 0, 0, 0);
		break;
	case 2: I(t, THREAD_SUSPEND, 0, 0, 0, 0, 0); break;
	default: I(t, THREAD_RESUME, 0, 0, 0, 0, 0); break;
	}
}

static void op_delete(void)
{
	unsigned long s = fuzz_slot();
	if (q_type(s) == CAP_THREAD && chance(50))
		I(s, THREAD_SUSPEND, 0, 0, 0, 0, 0);
	I(SLOT_CSPACE, CSPACE_DELETE, s, 0, 0, 0, 0);
}

static void one_call(void)
{
	unsigned r = (unsigned)rn(100);

	if (r < 32)
		op_invoke();
	else if (r < 35)
		op_batch();
	else if (r < 47)
		op_raw();
	else if (r < 57)
		op_create();
	else if (r < 70)
		op_map();
	else if (r < 76)
		op_thread();
	else if (r < 83)
		op_delete();
	else if (r < 90)
		op_call_server();
	else if (r < 92 && chaos_on)
		chaos_spawn((int)rn(NCHAOS));
	else if (r < 93 && chaos_on)
		chaos_kill((int)rn(NCHAOS), (int)rn(4));
	else if (r < 96)
		drain();
	else if (r < 97)
		op_waiter();
	else if (r < 98)
		S(SYS_YIELD, 0, 0, 0, 0, 0, 0, 0);
	else
		S(SYS_POLL, chance(50) ? typed_slot(CAP_NOTIFICATION) : pick_slot(), 0, 0, 0, 0, 0,
		  0);
}

/* ---- teardown and leak check ---- */

static void teardown(void)
{
	q_inv(SLOT_DEBUG, DEBUG_FAILNTH, 0, 0, 0, 0); /* no injected failures from here */
	/* stop every thread the fuzzer made */
	for (unsigned long s = WT_FIRST; s < FZ_END; s++)
		if (q_type(s) == CAP_THREAD)
			q_inv(s, THREAD_SUSPEND, 0, 0, 0, 0);
	drain();
	/* break any cycle through a cspace the fuzzer made */
	for (unsigned long s = FZ_FIRST; s < FZ_END; s++) {
		if (q_type(s) != CAP_CSPACE)
			continue;
		long n = q_info(s, 0).r0;
		for (long k = 0; k < n; k++)
			if (q_info(s, (unsigned long)k).r[0] != CAP_NULL)
				q_inv(s, CSPACE_DELETE, (unsigned long)k, 0, 0, 0);
	}
	/* IRQs hold their notification: bind them back to the helper's */
	for (unsigned long s = dev_first; s < dev_end; s++)
		if (q_type(s) == CAP_IRQ)
			q_inv(s, IRQ_BIND, HS(H_IRQ_N), 0, 0, 0);
	for (unsigned long va = W1; va < W1 + W1_PAGES * PAGE_SIZE; va += PAGE_SIZE)
		q_inv(SLOT_ASPACE, ASPACE_UNMAP, va, 0, 0, 0);
	for (unsigned long va = W2; va < W2 + W2_PAGES * PAGE_SIZE; va += PAGE_SIZE)
		q_inv(SLOT_ASPACE, ASPACE_UNMAP, va, 0, 0, 0);
	for (unsigned long va = W3; va < USER_TOP; va += PAGE_SIZE)
		q_inv(SLOT_ASPACE, ASPACE_UNMAP, va, 0, 0, 0);
	for (unsigned long s = FZ_FIRST; s < FZ_END; s++)
		if (q_type(s) != CAP_NULL)
			q_inv(SLOT_CSPACE, CSPACE_DELETE, s, 0, 0, 0);
	static const unsigned long extra[] = {0, 6, 7};
	for (int i = 0; i < 3; i++)
		if (q_type(extra[i]) > 0)
			q_inv(SLOT_CSPACE, CSPACE_DELETE, extra[i], 0, 0, 0);
	for (unsigned long s = FZ0 + NHELP; s < FZ_FIRST; s++)
		if (q_type(s) > 0)
			q_inv(SLOT_CSPACE, CSPACE_DELETE, s, 0, 0, 0);
	for (unsigned long s = FZ_END; s < ROOT_CSPACE_SLOTS; s++)
		if (q_type(s) > 0) {
			fail("slot %lu outside the fuzz range holds a cap of type %ld", s,
			     q_type(s));
			q_inv(SLOT_CSPACE, CSPACE_DELETE, s, 0, 0, 0);
		}
	for (int i = 0; i < NCHAOS; i++)
		chaos[i].live = 0;
	/* The trace's rings are kernel frames a DEBUG_TRACE may have taken. */
	q_inv(SLOT_DEBUG, DEBUG_TRACE, TRACE_FREE, 0, 0, 0);
}

static void check_invariants(void)
{
	long e = q_inv(SLOT_DEBUG, DEBUG_CHECK, 0, 0, 0, 0);
	if (e != 0)
		fail("DEBUG_CHECK: %s", error_name((int)e));
}

static int check_leaks(void)
{
	kstats_t now;
	int bad = 0;
	long e = kstats(&now);

	if (e < 0) {
		fail("DEBUG_STATS: %s", error_name((int)e));
		return 1;
	}
	if (now.frames_free != base.frames_free) {
		fail("leak: frames_free %lu, was %lu (%+ld)", now.frames_free, base.frames_free,
		     (long)(now.frames_free - base.frames_free));
		bad = 1;
	}
	for (int t = 0; t < CAP_NTYPES; t++)
		if (now.objects[t] != base.objects[t]) {
			fail("leak: %lu objects of type %d, were %lu", now.objects[t], t,
			     base.objects[t]);
			bad = 1;
		}
	sysret_t r = syscall7(SYS_INVOKE, SLOT_POOL, POOL_INFO, 0, 0, 0, 0, 0);
	if (r.r0 != 0 || r.r[1] != base_pool_used) {
		fail("leak: root pool used %lu, was %lu", r.r[1], base_pool_used);
		bad = 1;
	}
	return bad;
}

/* ---- setup ---- */

static unsigned long arg_num(const char *args, const char *key, unsigned long dflt)
{
	size_t kl = strlen(key);
	for (const char *p = args; *p; p++) {
		if ((p == args || p[-1] == ' ') && !strncmp(p, key, kl) && p[kl] == '=') {
			unsigned long v = 0;
			p += kl + 1;
			if (p[0] == '0' && p[1] == 'x') {
				for (p += 2;; p++) {
					unsigned d;
					if (*p >= '0' && *p <= '9')
						d = (unsigned)(*p - '0');
					else if (*p >= 'a' && *p <= 'f')
						d = (unsigned)(*p - 'a' + 10);
					else
						break;
					v = v * 16 + d;
				}
			} else {
				for (; *p >= '0' && *p <= '9'; p++)
					v = v * 10 + (unsigned long)(*p - '0');
			}
			return v;
		}
	}
	return dflt;
}

/* Page tables the kernel allocates for a first mapping may outlive it:
 * touch every window once before the baseline. */
static void warm_up(void)
{
	q_inv(SLOT_ASPACE, ASPACE_MAP_ZERO, W1, W1_PAGES, RIGHT_READ, 0);
	q_inv(SLOT_ASPACE, ASPACE_MAP_ZERO, W2, W2_PAGES, RIGHT_READ, 0);
	q_inv(SLOT_ASPACE, ASPACE_MAP_ZERO, W3, W3_PAGES, RIGHT_READ, 0);
	for (unsigned long va = W1; va < W1 + W1_PAGES * PAGE_SIZE; va += PAGE_SIZE)
		q_inv(SLOT_ASPACE, ASPACE_UNMAP, va, 0, 0, 0);
	for (unsigned long va = W2; va < W2 + W2_PAGES * PAGE_SIZE; va += PAGE_SIZE)
		q_inv(SLOT_ASPACE, ASPACE_UNMAP, va, 0, 0, 0);
	for (unsigned long va = W3; va < USER_TOP; va += PAGE_SIZE)
		q_inv(SLOT_ASPACE, ASPACE_UNMAP, va, 0, 0, 0);
}

static int setup_helpers(void)
{
	long e;

	if ((e = q_inv(SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, HS(H_SRV_EP), 0, 0)) < 0 ||
	    (e = q_inv(SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, HS(H_FLT_EP), 0, 0)) < 0 ||
	    (e = q_inv(SLOT_POOL, POOL_CREATE, CAP_NOTIFICATION, HS(H_SENT_N), 0, 0)) < 0 ||
	    (e = q_inv(SLOT_POOL, POOL_CREATE, CAP_NOTIFICATION, HS(H_IRQ_N), 0, 0)) < 0 ||
	    (e = q_inv(SLOT_POOL, POOL_CREATE, CAP_THREAD, HS(H_SRV_T), 0, 0)) < 0 ||
	    (e = q_inv(SLOT_POOL, POOL_CREATE, CAP_THREAD, HS(H_SENT_T), 0, 0)) < 0) {
		fail("creating the helpers: %s", error_name((int)e));
		return -1;
	}
	if ((e = thread_start_local(HS(H_SRV_T), server, 0, srv_stack + HSTACK, 16, NO_FAULT_EP)) <
		0 ||
	    (e = thread_start_local(HS(H_SENT_T), sentinel, 0, sent_stack + HSTACK, 16,
				    NO_FAULT_EP)) < 0) {
		fail("starting the helpers: %s", error_name((int)e));
		return -1;
	}
	for (unsigned long s = dev_first; s < dev_end; s++)
		if (q_type(s) == CAP_IRQ)
			q_inv(s, IRQ_BIND, HS(H_IRQ_N), 0, 0, 0);
	return 0;
}

int main(unsigned long arg)
{
	unsigned long seed, calls, epoch;

	bi = (const bootinfo_t *)arg;
	FZ0 = bi->first_free_slot;
	dev_first = SLOT_FIRST_DEVICE;
	dev_end = FZ0;
	slot_init(FZ_END, ROOT_CSPACE_SLOTS);
	seed = arg_num(bi->bootargs, "seed", 0);
	if (seed == 0)
		seed = rd_time();
	calls = arg_num(bi->bootargs, "calls", 10000);
	epoch = arg_num(bi->bootargs, "epoch", 1000);
	trace_from = arg_num(bi->bootargs, "trace", ~0UL);
	chaos_on = (int)arg_num(bi->bootargs, "chaos", 1);
	if (epoch == 0)
		epoch = calls;
	rng = seed;
	srv_rng = seed ^ 0x5555;
	uprintf("fuzz: seed %lu, %lu calls, epoch %lu, chaos %d, slots %lu..%lu\n", seed, calls,
		epoch, chaos_on, FZ_FIRST, FZ_END);
	if (FZ_END > ROOT_CSPACE_SLOTS) {
		fail("not enough slots");
		uprintf("RESULT: FAIL\n");
		return 0;
	}

	warm_up();
	if (setup_helpers() < 0) {
		uprintf("RESULT: FAIL\n");
		return 0;
	}
	/* let the helpers block */
	for (int i = 0; i < 4; i++)
		sys_yield();
	drain();
	if (kstats(&base) < 0)
		fail("DEBUG_STATS");
	base_pool_used = syscall7(SYS_INVOKE, SLOT_POOL, POOL_INFO, 0, 0, 0, 0, 0).r[1];
	check_invariants();

	for (call_no = 0; call_no < calls && nfail == 0; call_no++) {
		one_call();
		ncalls++;
		if ((call_no + 1) % 1000 == 0)
			check_invariants();
		if ((call_no + 1) % epoch == 0 || call_no + 1 == calls) {
			teardown();
			check_invariants();
			if (check_leaks())
				uprintf("fuzz: leak in the epoch of calls %lu..%lu (seed %lu)\n",
					call_no + 1 - ((call_no % epoch) + 1), call_no, seed);
			if ((call_no + 1) % 10000 == 0)
				uprintf(
				    "fuzz: %lu calls (%lu ok, %lu errors, %lu skipped, %lu faults, "
				    "%lu chaos, %lu waiters, %lu server msgs)\n",
				    call_no + 1, res_ok, res_err, nskipped, nfaults, nchaos_started,
				    nwaiters, (unsigned long)srv_msgs);
		}
	}
	if (nfail == 0) {
		teardown();
		check_invariants();
		check_leaks();
	}
	uprintf("fuzz: %lu calls made: %lu ok, %lu errors, %lu skipped, %lu faults served, "
		"%lu chaos threads, %lu server messages\n",
		ncalls, res_ok, res_err, nskipped, nfaults, nchaos_started,
		(unsigned long)srv_msgs);
	kstats_t ks;
	if (kstats(&ks) == 0)
		uprintf("fuzz: kernel: %lu syscalls, %lu context switches, %lu COW copies, "
			"%lu COW reuses, %lu zero fills\n",
			ks.syscalls, ks.context_switches, ks.cow_copies, ks.cow_reuses,
			ks.zero_fills);
	if (nfail == 0) {
		uprintf("fuzz: seed %lu, %lu calls, ok\n", seed, ncalls);
		uprintf("RESULT: PASS\n");
	} else {
		uprintf("fuzz: seed %lu: %lu failures\n", seed, nfail);
		uprintf("RESULT: FAIL\n");
	}
	return 0;
}
