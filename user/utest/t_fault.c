/*
 * User faults: delivered to a fault endpoint as a message (page faults on
 * load, store and fetch, permission faults, ebreak, illegal instructions),
 * resolved by mapping a page or rewriting the pc and replying; and a
 * fault with no handler, which leaves the thread FAULTED.
 *
 * The faulting threads run at priority 17: by the time THREAD_START
 * returns to the root they have faulted and wait for the handler.
 */
#include "utest.h"

#define FAULT_VA TWIN_VA(10)

/* scause values (privileged spec) */
enum {
	CAUSE_ILLEGAL = 2,
	CAUSE_BREAKPOINT = 3,
	CAUSE_FETCH_PAGE = 12,
	CAUSE_LOAD_PAGE = 13,
	CAUSE_STORE_PAGE = 15,
};

static volatile struct {
	unsigned long value, done, self, step;
} ft;

typedef struct fault {
	long r0;
	unsigned long label, len, scause, stval, sepc, kind, badge;
} fault_t;

static fault_t fault_recv(unsigned long ep)
{
	sysret_t r = sys_recv(ep, 0);
	fault_t f = {r.r0,  MSG_LABEL(r.r[0]), MSG_LEN(r.r[0]), r.r[1], r.r[2], r.r[3], r.r[4],
		     r.r[5]};

	return f;
}

/* Check a received fault message; 0 or TEST_FAILED. */
static int fault_check(const fault_t *f, unsigned long scause, unsigned long stval,
		       unsigned long kind, unsigned long badge)
{
	CHECK_EQ(f->r0, 0);
	CHECK_EQ(f->label, FAULT_LABEL);
	CHECK_EQ(f->len, 4);
	CHECK_EQ(f->scause, scause);
	CHECK_EQ(f->stval, stval);
	CHECK_EQ(f->kind, kind);
	CHECK_EQ(f->badge, badge);
	return 0;
}

static void store_then_load(unsigned long arg)
{
	volatile unsigned long *p = (volatile unsigned long *)FAULT_VA;

	*p = 0xabcd;
	ft.value = *p;
	ft.done = 1;
}

/* An unmapped store: the handler maps the page and replies. */
static int test_fault_handled(void)
{
	msg_t none = {0};
	long ep, b, t, frame;
	uint64_t regs[NREGS];
	fault_t f;

	ft.done = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(b, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b, RIGHT_WRITE, 0xf1), 0);
	CHECK_OK(t, spawn(store_then_load, 0, 0, 17, (unsigned long)b));
	CHECK_EQ(ft.done, 0);
	CHECK_EQ(thread_state(t), THREAD_BLOCKED);

	f = fault_recv(ep);
	if (fault_check(&f, CAUSE_STORE_PAGE, FAULT_VA, FAULT_PAGE, 0xf1) < 0)
		return TEST_FAILED;
	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)regs), 0);
	CHECK_EQ(f.sepc, regs[REG_PC]);
	CHECK(f.sepc >= (unsigned long)store_then_load);

	CHECK_OK(frame, frame_alloc_map(FAULT_VA, RIGHT_READ | RIGHT_WRITE));
	CHECK_EQ(sys_reply(&none).r0, 0);
	CHECK_EQ(ft.done, 1);
	CHECK_EQ(ft.value, 0xabcd);
	CHECK_EQ(*(volatile unsigned long *)FAULT_VA, 0xabcd);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);

	kill_thread(t);
	INV1(SLOT_ASPACE, ASPACE_UNMAP, FAULT_VA);
	cap_delete(frame);
	cap_delete(b);
	cap_delete(ep);
	return 0;
}

static void load_from_readonly_then_store(unsigned long arg)
{
	volatile unsigned long *p = (volatile unsigned long *)FAULT_VA;

	ft.value = *p;
	*p = ft.value + 1;
	ft.done = 1;
}

/* A store to a read-only page faults; a load from it does not. */
static int test_fault_readonly(void)
{
	msg_t none = {0};
	long ep, t, frame;
	fault_t f;

	ft.done = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(frame, frame_alloc_map(FAULT_VA, RIGHT_READ | RIGHT_WRITE));
	*(volatile unsigned long *)FAULT_VA = 41;
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, FAULT_VA, RIGHT_READ), 0);
	CHECK_OK(t, spawn(load_from_readonly_then_store, 0, 0, 17, (unsigned long)ep));
	f = fault_recv(ep);
	if (fault_check(&f, CAUSE_STORE_PAGE, FAULT_VA, FAULT_PAGE, 0) < 0)
		return TEST_FAILED;
	CHECK_EQ(ft.value, 41);
	/* PROTECT only removes rights: remap writable. */
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, FAULT_VA), 0);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, frame, FAULT_VA, RIGHT_READ | RIGHT_WRITE), 0);
	CHECK_EQ(sys_reply(&none).r0, 0);
	CHECK_EQ(ft.done, 1);
	CHECK_EQ(*(volatile unsigned long *)FAULT_VA, 42);

	kill_thread(t);
	INV1(SLOT_ASPACE, ASPACE_UNMAP, FAULT_VA);
	cap_delete(frame);
	cap_delete(ep);
	return 0;
}

static void recovered(unsigned long arg)
{
	ft.done = 1;
	for (;;)
		INV0(ft.self, THREAD_SUSPEND);
}

static void jump_to_unmapped(unsigned long arg)
{
	((void (*)(void))FAULT_VA)();
}

/* Rewrite the thread's pc before replying. */
static int redirect(unsigned long t, unsigned long pc)
{
	uint64_t regs[NREGS];

	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)regs), 0);
	regs[REG_PC] = pc;
	CHECK_EQ(INV1(t, THREAD_WRITE_REGS, (unsigned long)regs), 0);
	return 0;
}

/* An instruction fetch from an unmapped page; the handler moves the pc. */
static int test_fault_fetch(void)
{
	msg_t none = {0};
	long ep, t;
	fault_t f;

	ft.done = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	ft.self = (unsigned long)t;
	CHECK_EQ(thread_start_local(t, jump_to_unmapped, 0, stack_top(0), 17, ep), 0);
	f = fault_recv(ep);
	if (fault_check(&f, CAUSE_FETCH_PAGE, FAULT_VA, FAULT_PAGE, 0) < 0)
		return TEST_FAILED;
	CHECK_EQ(f.sepc, FAULT_VA);
	if (redirect(t, (unsigned long)recovered) < 0)
		return TEST_FAILED;
	CHECK_EQ(sys_reply(&none).r0, 0);
	CHECK_EQ(ft.done, 1);
	kill_thread(t);
	cap_delete(ep);
	return 0;
}

/* ebreak, then an illegal instruction (a write to the read-only cycle
 * CSR), each 4 bytes long (no compressed forms); the handler steps over
 * each. */
static void break_and_illegal(unsigned long arg)
{
	ft.step = 1;
	__asm__ volatile(".option push\n"
			 ".option norvc\n"
			 "ebreak\n"
			 ".option pop\n" ::
			     : "memory");
	ft.step = 2;
	__asm__ volatile(".option push\n"
			 ".option norvc\n"
			 ".4byte 0xc0001073\n" /* csrrw zero, cycle, zero */
			 ".option pop\n" ::
			     : "memory");
	ft.step = 3;
	ft.done = 1;
}

static int step_over(unsigned long t)
{
	uint64_t regs[NREGS];

	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)regs), 0);
	regs[REG_PC] += 4;
	CHECK_EQ(INV1(t, THREAD_WRITE_REGS, (unsigned long)regs), 0);
	return 0;
}

static int test_fault_break_illegal(void)
{
	msg_t none = {0};
	long ep, b, t;
	fault_t f;

	ft.done = 0;
	ft.step = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(b, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b, RIGHT_WRITE, 0xb0), 0);
	CHECK_OK(t, spawn(break_and_illegal, 0, 0, 17, (unsigned long)b));
	CHECK_EQ(ft.step, 1);
	f = fault_recv(ep);
	CHECK_EQ(f.r0, 0);
	CHECK_EQ(f.label, FAULT_LABEL);
	CHECK_EQ(f.scause, CAUSE_BREAKPOINT);
	CHECK_EQ(f.kind, FAULT_BREAKPOINT);
	CHECK_EQ(f.badge, 0xb0);
	/* ebreak (0x00100073), read in halves: sepc may be 2-byte aligned */
	CHECK_EQ(((volatile uint16_t *)f.sepc)[0], 0x0073);
	CHECK_EQ(((volatile uint16_t *)f.sepc)[1], 0x0010);
	if (step_over(t) < 0)
		return TEST_FAILED;
	CHECK_EQ(sys_reply(&none).r0, 0);
	CHECK_EQ(ft.step, 2);

	f = fault_recv(ep);
	CHECK_EQ(f.r0, 0);
	CHECK_EQ(f.scause, CAUSE_ILLEGAL);
	CHECK_EQ(f.kind, FAULT_ILLEGAL);
	CHECK_EQ(f.badge, 0xb0);
	if (step_over(t) < 0)
		return TEST_FAILED;
	CHECK_EQ(sys_reply(&none).r0, 0);
	CHECK_EQ(ft.step, 3);
	CHECK_EQ(ft.done, 1);
	kill_thread(t);
	cap_delete(b);
	cap_delete(ep);
	return 0;
}

static void load_unmapped(unsigned long arg)
{
	ft.value = *(volatile unsigned long *)FAULT_VA;
	ft.done = 1;
}

/* No fault endpoint: the thread is FAULTED; resuming retries the access,
 * and after WRITE_REGS it runs somewhere else. */
static int test_fault_no_handler(void)
{
	long t;

	ft.done = 0;
	CHECK_OK(t, obj_create(CAP_THREAD, 0));
	ft.self = (unsigned long)t;
	CHECK_EQ(thread_start_local(t, load_unmapped, 0, stack_top(0), 17, NO_FAULT_EP), 0);
	CHECK_EQ(thread_state(t), THREAD_FAULTED);
	CHECK_EQ(ft.done, 0);
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(thread_state(t), THREAD_FAULTED);
	CHECK_EQ(ft.done, 0);
	if (redirect(t, (unsigned long)recovered) < 0)
		return TEST_FAILED;
	CHECK_EQ(INV0(t, THREAD_RESUME), 0);
	CHECK_EQ(ft.done, 1);
	CHECK_EQ(thread_state(t), THREAD_SUSPENDED);
	kill_thread(t);
	return 0;
}

/* The handler may destroy the thread instead of replying. */
static int test_fault_kill(void)
{
	msg_t none = {0};
	long ep, t;
	fault_t f;

	ft.done = 0;
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(t, spawn(load_unmapped, 0, 0, 17, (unsigned long)ep));
	f = fault_recv(ep);
	if (fault_check(&f, CAUSE_LOAD_PAGE, FAULT_VA, FAULT_PAGE, 0) < 0)
		return TEST_FAILED;
	CHECK_EQ(cap_delete(t), 0);
	/* The faulting "caller" is gone: nothing to reply to. */
	CHECK_EQ(sys_reply(&none).r0, E_NOENT);
	CHECK_EQ(ft.done, 0);
	cap_delete(ep);
	return 0;
}

const test_t tests_fault[] = {
    {"fault_handled", test_fault_handled},	 {"fault_readonly", test_fault_readonly},
    {"fault_fetch", test_fault_fetch},		 {"fault_break_illegal", test_fault_break_illegal},
    {"fault_no_handler", test_fault_no_handler}, {"fault_kill", test_fault_kill},
};
const int tests_fault_count = sizeof(tests_fault) / sizeof(tests_fault[0]);
