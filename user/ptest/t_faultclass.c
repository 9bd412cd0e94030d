/*
 * Fault classes: a forked child commits exactly one kind of fault and the
 * parent checks through waitpid that the child, and only the child, died,
 * with the cause procsrv reports (user/procsrv/main.c, fault_signal):
 *   illegal instruction      SIGILL   FAULT_ILLEGAL
 *   ebreak                   SIGTRAP  FAULT_BREAKPOINT
 *   misaligned AMO           SIGBUS   FAULT_MISALIGNED
 *   page faults (kernel,     SIGSEGV  FAULT_PAGE
 *   device, unmapped
 *   addresses, data pages,
 *   text, stack overflow)
 *   kill() of a spinning     SIGKILL  0
 *   child
 * and that an ecall with garbage in every register gets an error and the
 * process goes on.  procsrv prints one "killed:" line for each fault
 * (test/qemu/posix.sh checks some of them).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ptest.h"

#define KERNEL_DIRECT 0xffffffc000000000UL /* the direct map: kernel only */
#define KERNEL_IMAGE  0xffffffff80200000UL /* the kernel's link address */
#define DEVICE_VA     0x10000000UL	   /* virt's UART PA: unmapped here */
#define UNMAPPED_VA   0x30000000UL	   /* between the image and the heap */

/* A child whose body commits its fault; it never gets to exit 0x42. */
static int child_status(void (*body)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		body();
		_exit(0x42);
	}
	return pid < 0 ? -1 : wait_for(pid);
}

/* The parent is alive and well: its own data intact, procsrv answers. */
static volatile unsigned long canary = 0xc0ffee;

#define CHECK_KILLED(body, sig, kind)                                                              \
	do {                                                                                       \
		int st_ = child_status(body);                                                      \
		CHECK(st_ != -1);                                                                  \
		if (!WIFSIGNALED(st_))                                                             \
			return FAIL("%s: status %#x, not killed", #body, (unsigned)st_);           \
		CHECK_EQ(WTERMSIG(st_), sig);                                                      \
		CHECK_EQ(WFAULTKIND(st_), kind);                                                   \
		CHECK_EQ(canary, 0xc0ffee);                                                        \
		CHECK(getpid() > 1);                                                               \
	} while (0)

/* ---- the bodies ---- */

static void do_illegal(void)
{
	__asm__ volatile(".4byte 0" ::: "memory"); /* all-zero: illegal */
}

static void do_ebreak(void)
{
	__asm__ volatile("ebreak" ::: "memory");
}

static void do_amo_misaligned(void)
{
	static uint64_t word[2];
	uintptr_t odd = (uintptr_t)&word[0] + 1;
	long old;

	__asm__ volatile("amoadd.w %0, %1, (%2)" : "=r"(old) : "r"(1L), "r"(odd) : "memory");
}

static void load_at(uintptr_t a)
{
	(void)*(volatile unsigned long *)a;
}

static void store_at(uintptr_t a)
{
	*(volatile unsigned long *)a = 0x5a;
}

static void exec_at(uintptr_t a)
{
	((void (*)(void))a)();
}

static void do_load_kernel(void)
{
	load_at(KERNEL_DIRECT);
}
static void do_store_kernel(void)
{
	store_at(KERNEL_DIRECT);
}
static void do_exec_kernel(void)
{
	exec_at(KERNEL_DIRECT);
}
static void do_load_kimage(void)
{
	load_at(KERNEL_IMAGE);
}
static void do_store_kimage(void)
{
	store_at(KERNEL_IMAGE);
}
static void do_exec_kimage(void)
{
	exec_at(KERNEL_IMAGE);
}
static void do_load_device(void)
{
	load_at(DEVICE_VA);
}
static void do_store_device(void)
{
	store_at(DEVICE_VA);
}
static void do_exec_device(void)
{
	exec_at(DEVICE_VA);
}
static void do_load_unmapped(void)
{
	load_at(UNMAPPED_VA);
}
static void do_store_unmapped(void)
{
	store_at(UNMAPPED_VA);
}
static void do_exec_unmapped(void)
{
	exec_at(UNMAPPED_VA);
}
static void do_load_null(void)
{
	load_at(0);
}

#define INSN_RET 0x00008067u /* jalr x0, 0(ra) */

/* A valid instruction in a page without execute permission. */
static void do_exec_heap(void)
{
	uint32_t *code = malloc(64);

	if (code == NULL)
		_exit(3);
	code[0] = INSN_RET;
	exec_at((uintptr_t)code);
}

static void do_exec_stack(void)
{
	volatile uint32_t code[4] = {INSN_RET};

	exec_at((uintptr_t)code);
}

int main(int argc, char **argv);

static void do_store_text(void)
{
	store_at((uintptr_t)&main);
}

/* Deeper than PROC_STACK_MAX pages: the guard below the stack window. */
static int recurse(int n)
{
	volatile char frame[1000];

	frame[0] = (char)n;
	frame[sizeof(frame) - 1] = (char)n;
	if (n > 100000) /* 100 MB of frames: never reached */
		return 0;
	return recurse(n + 1) + frame[0];
}

static void do_stack_overflow(void)
{
	_exit(recurse(0) == 12345 ? 4 : 5);
}

/* ---- the tests ---- */

static int t_fault_illegal(void)
{
	CHECK_KILLED(do_illegal, SIGILL, FAULT_ILLEGAL);
	return 0;
}

static int t_fault_ebreak(void)
{
	CHECK_KILLED(do_ebreak, SIGTRAP, FAULT_BREAKPOINT);
	return 0;
}

static int t_fault_amo(void)
{
	CHECK_KILLED(do_amo_misaligned, SIGBUS, FAULT_MISALIGNED);
	return 0;
}

static int t_fault_kernel(void)
{
	CHECK_KILLED(do_load_kernel, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_store_kernel, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_exec_kernel, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_load_kimage, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_store_kimage, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_exec_kimage, SIGSEGV, FAULT_PAGE);
	return 0;
}

static int t_fault_device(void)
{
	CHECK_KILLED(do_load_device, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_store_device, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_exec_device, SIGSEGV, FAULT_PAGE);
	return 0;
}

static int t_fault_unmapped(void)
{
	CHECK_KILLED(do_load_unmapped, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_store_unmapped, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_exec_unmapped, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_load_null, SIGSEGV, FAULT_PAGE);
	return 0;
}

static int t_fault_exec_data(void)
{
	CHECK_KILLED(do_exec_heap, SIGSEGV, FAULT_PAGE);
	CHECK_KILLED(do_exec_stack, SIGSEGV, FAULT_PAGE);
	return 0;
}

static int t_fault_store_text(void)
{
	CHECK_KILLED(do_store_text, SIGSEGV, FAULT_PAGE);
	return 0;
}

static int t_fault_stack_overflow(void)
{
	CHECK_KILLED(do_stack_overflow, SIGSEGV, FAULT_PAGE);
	return 0;
}

/*
 * garbage_ecall(no, seed): ecall with a7 = no and every other register
 * (sp, ra, gp, tp and all) garbage derived from seed; returns a0.  The
 * callee-saved registers, sp, gp and tp are kept in gsave meanwhile and
 * found again PC-relative (no register is trusted after the ecall).
 */
/* Load garbage into r: constant k mixed with the seed in a1. */
#define G(r, k) "	li " #r ", " #k "\n	xor " #r ", " #r ", a1\n"

// clang-format off
long garbage_ecall(unsigned long no, unsigned long seed);
__asm__(".pushsection .bss\n"
	".balign 8\n"
	"gsave: .skip 16 * 8\n"
	".popsection\n"
	".pushsection .text\n"
	".balign 4\n"
	".globl garbage_ecall\n"
	"garbage_ecall:\n"
	"	lla t0, gsave\n"
	"	sd ra, 0(t0)\n	sd sp, 8(t0)\n	sd gp, 16(t0)\n	sd tp, 24(t0)\n"
	"	sd s0, 32(t0)\n	sd s1, 40(t0)\n	sd s2, 48(t0)\n	sd s3, 56(t0)\n"
	"	sd s4, 64(t0)\n	sd s5, 72(t0)\n	sd s6, 80(t0)\n	sd s7, 88(t0)\n"
	"	sd s8, 96(t0)\n	sd s9, 104(t0)\n	sd s10, 112(t0)\n	sd s11, 120(t0)\n"
	"	mv a7, a0\n"
	G(ra, 0xa5a5a5a5a5a5a501)
	G(sp, 0xa5a5a5a5a5a5a502)
	G(gp, 0xa5a5a5a5a5a5a503)
	G(tp, 0xa5a5a5a5a5a5a504)
	G(t0, 0x8000000000000005)
	G(t1, 0xffffffffffffff06)
	G(t2, 0x7fffffffffffff07)
	G(s0, 0xdeadbeefdeadbe08)
	G(s1, 0xdeadbeefdeadbe09)
	G(a0, 0xfffffffffffff00a)
	G(a2, 0xffffffc00000000c)
	G(a3, 0x3fffffff0d)
	G(a4, 0xfffffffffffffff0)
	G(a5, 0x800000000000000f)
	G(a6, 0xa5a5a5a5a5a5a510)
	G(s2, 0x5a5a5a5a5a5a5a12)
	G(s3, 0x5a5a5a5a5a5a5a13)
	G(s4, 0x5a5a5a5a5a5a5a14)
	G(s5, 0x5a5a5a5a5a5a5a15)
	G(s6, 0x5a5a5a5a5a5a5a16)
	G(s7, 0x5a5a5a5a5a5a5a17)
	G(s8, 0x5a5a5a5a5a5a5a18)
	G(s9, 0x5a5a5a5a5a5a5a19)
	G(s10, 0x5a5a5a5a5a5a5a1a)
	G(s11, 0x5a5a5a5a5a5a5a1b)
	G(t3, 0xc0c0c0c0c0c0c01c)
	G(t4, 0xc0c0c0c0c0c0c01d)
	G(t5, 0xc0c0c0c0c0c0c01e)
	G(t6, 0xc0c0c0c0c0c0c01f)
	"	li a1, 0xfedcba987654320b\n"
	"	ecall\n"
	"	lla t0, gsave\n"
	"	ld ra, 0(t0)\n	ld sp, 8(t0)\n	ld gp, 16(t0)\n	ld tp, 24(t0)\n"
	"	ld s0, 32(t0)\n	ld s1, 40(t0)\n	ld s2, 48(t0)\n	ld s3, 56(t0)\n"
	"	ld s4, 64(t0)\n	ld s5, 72(t0)\n	ld s6, 80(t0)\n	ld s7, 88(t0)\n"
	"	ld s8, 96(t0)\n	ld s9, 104(t0)\n	ld s10, 112(t0)\n	ld s11, 120(t0)\n"
	"	ret\n"
	".popsection\n");
// clang-format on
#undef G

/* Every system call number (and unknown ones) with garbage everywhere:
 * exit 0 if each returned what it must, else the number that did not. */
static void do_garbage_ecalls(void)
{
	static const unsigned long nos[] = {
	    SYS_NULL,	   SYS_YIELD,	      SYS_INVOKE, SYS_SEND,	SYS_RECV, SYS_CALL,
	    SYS_REPLY,	   SYS_REPLY_RECV,    SYS_SIGNAL, SYS_WAIT,	SYS_POLL, SYS_BATCH,
	    SYS_NSYSCALLS, SYS_NSYSCALLS + 1, 0x7fffffff, 0xdeadbeefUL, ~0UL,
	};
	for (unsigned s = 0; s < 4; s++) {
		unsigned long seed = s * 0x1111111111111111UL;
		for (unsigned i = 0; i < sizeof(nos) / sizeof(nos[0]); i++) {
			long r = garbage_ecall(nos[i], seed);
			bool ok;
			if (nos[i] == SYS_NULL || nos[i] == SYS_YIELD)
				ok = r == 0;
			else if (nos[i] >= SYS_NSYSCALLS)
				ok = r == E_NOSYS;
			else /* an error of abi/error.h */
				ok = r < 0 && r >= E_BADF;
			if (!ok) {
				printf("garbage ecall %#lx (seed %#lx) returned %ld\n", nos[i],
				       seed, r);
				_exit(10 + (int)i);
			}
		}
	}
	/* Alive, registers back, memory intact. */
	_exit(canary == 0xc0ffee && getpid() > 1 ? 0 : 2);
}

static int t_fault_garbage_ecall(void)
{
	int st = child_status(do_garbage_ecalls);

	CHECK(st != -1);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return FAIL("child status %#x", (unsigned)st);
	return 0;
}

/* Children that compute forever without a system call, one per hart that
 * runs threads, are preempted: the parent keeps running (with as many
 * spinners as harts it could not get past its loop otherwise), then
 * kills them. */
#define MAX_SPIN 8
static int t_fault_spin_kill(void)
{
	pid_t pids[MAX_SPIN];
	kstats_t k0, k1;
	unsigned n;

	stats(&k0);
	n = k0.harts >= 1 && k0.harts <= MAX_SPIN ? (unsigned)k0.harts : 1;
	for (unsigned i = 0; i < n; i++) {
		int fds[2];
		char c;

		CHECK_EQ(pipe(fds), 0);
		pids[i] = fork();
		if (pids[i] == 0) {
			volatile unsigned long x = 0;

			close(fds[0]);
			write(fds[1], "s", 1);
			for (;;)
				x++;
		}
		CHECK(pids[i] > 0);
		close(fds[1]);
		CHECK_EQ(read(fds[0], &c, 1), 1); /* the child has started */
		close(fds[0]);
	}
	stats(&k0);
	/* Until the timer has ticked a few times: slices of the children's. */
	do {
		sys_yield();
		stats(&k1);
	} while (k1.timer_ticks < k0.timer_ticks + 6);
	CHECK(k1.context_switches > k0.context_switches);
	for (unsigned i = 0; i < n; i++) {
		int st;

		CHECK_EQ(kill(pids[i], 0), 0); /* still there */
		CHECK_EQ(kill(pids[i], SIGKILL), 0);
		st = wait_for(pids[i]);
		CHECK(st != -1 && WIFSIGNALED(st));
		CHECK_EQ(WTERMSIG(st), SIGKILL);
		CHECK_EQ(WFAULTKIND(st), 0);
	}
	return 0;
}

const test_t fault_tests[] = {
    {"fault-illegal", t_fault_illegal},
    {"fault-ebreak", t_fault_ebreak},
    {"fault-amo-misaligned", t_fault_amo},
    {"fault-kernel-address", t_fault_kernel},
    {"fault-device-address", t_fault_device},
    {"fault-unmapped", t_fault_unmapped},
    {"fault-exec-data", t_fault_exec_data},
    {"fault-store-text", t_fault_store_text},
    {"fault-stack-overflow", t_fault_stack_overflow},
    {"fault-garbage-ecall", t_fault_garbage_ecall},
    {"fault-spin-kill", t_fault_spin_kill},
};
const int nfault_tests = sizeof(fault_tests) / sizeof(fault_tests[0]);
