/*
 * Supervisor trap handling.
 *
 * The arch code only classifies: the timer interrupt goes to timer.c, an
 * external interrupt to kern_irq_external (kern/irq.c), a fault
 * inside a kernel probe resumes at its fixup address, and every other
 * exception taken in the kernel is a bug that panics with the full state.
 * (User traps arrive with user threads.)
 */
#include <stddef.h>

#include <abi/error.h>
#include <abi/syscall.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/trap.h>
#include <kern/assert.h>
#include <kern/console.h>
#include <kern/smp.h>
#include <kern/trace.h>
#include <kern/trapentry.h>

#include "timer.h"

_Static_assert(offsetof(trapframe_t, x[1]) == TF_REG(1), "TF_REG");
_Static_assert(offsetof(trapframe_t, x[31]) == TF_REG(31), "TF_REG");
_Static_assert(offsetof(trapframe_t, sepc) == TF_SEPC, "TF_SEPC");
_Static_assert(offsetof(trapframe_t, sstatus) == TF_SSTATUS, "TF_SSTATUS");
_Static_assert(offsetof(trapframe_t, scause) == TF_SCAUSE, "TF_SCAUSE");
_Static_assert(offsetof(trapframe_t, stval) == TF_STVAL, "TF_STVAL");
_Static_assert(sizeof(trapframe_t) == TF_SIZE && TF_SIZE % 16 == 0, "TF_SIZE");
_Static_assert(E_FAULT == -3, "E_FAULT_NEG in entry.S");

extern char trap_vector[];

static const char *const exc_names[] = {
    [EXC_INSN_MISALIGNED] = "instruction address misaligned",
    [EXC_INSN_ACCESS] = "instruction access fault",
    [EXC_ILLEGAL_INSN] = "illegal instruction",
    [EXC_BREAKPOINT] = "breakpoint",
    [EXC_LOAD_MISALIGNED] = "load address misaligned",
    [EXC_LOAD_ACCESS] = "load access fault",
    [EXC_STORE_MISALIGNED] = "store/AMO address misaligned",
    [EXC_STORE_ACCESS] = "store/AMO access fault",
    [EXC_ECALL_U] = "environment call from U-mode",
    [EXC_ECALL_S] = "environment call from S-mode",
    [EXC_INSN_PAGE_FAULT] = "instruction page fault",
    [EXC_LOAD_PAGE_FAULT] = "load page fault",
    [EXC_STORE_PAGE_FAULT] = "store/AMO page fault",
};

const char *trap_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~SCAUSE_INTR;
	if (scause & SCAUSE_INTR) {
		switch (code) {
		case IRQ_S_SOFT: return "supervisor software interrupt";
		case IRQ_S_TIMER: return "supervisor timer interrupt";
		case IRQ_S_EXT: return "supervisor external interrupt";
		}
		return "unknown interrupt";
	}
	if (code < sizeof(exc_names) / sizeof(exc_names[0]) && exc_names[code])
		return exc_names[code];
	return "unknown exception";
}

void trap_init(void)
{
	csr_write(stvec, (uintptr_t)trap_vector);
	csr_write(sscratch, 0);
}

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void trap_dump(const trapframe_t *tf)
{
	for (int i = 1; i < 32; i++)
		kprintf("%4s %016lx%s", reg_names[i], (unsigned long)tf->x[i],
			i % 4 == 3 ? "\n" : "  ");
	kprintf("\n");
}

static bool is_access_fault(uint64_t code)
{
	return code == EXC_LOAD_PAGE_FAULT || code == EXC_STORE_PAGE_FAULT ||
	       code == EXC_INSN_PAGE_FAULT || code == EXC_LOAD_ACCESS || code == EXC_STORE_ACCESS ||
	       code == EXC_INSN_ACCESS;
}

static void trap_kernel_exception(trapframe_t *tf)
{
	uint64_t code = tf->scause & ~SCAUSE_INTR;
	cpu_t *c = this_cpu();

	if (c && c->fixup_pc && is_access_fault(code)) {
		/* copyout into a copy-on-write page, or a stale TLB entry:
		 * resolve it, retry. */
		if (code == EXC_STORE_PAGE_FAULT && kern_uaccess_fault(tf->stval, VM_WRITE))
			return;
		if (code == EXC_LOAD_PAGE_FAULT && kern_uaccess_fault(tf->stval, VM_READ))
			return;
		tf->sepc = c->fixup_pc;
		c->fixup_pc = 0;
		return;
	}

	uintptr_t off;
	const char *sym = arch_symbol(tf->sepc, &off);
	kprintf("\nkernel trap: %s (scause %#lx)\n  sepc  %#lx <%s+%#lx>\n"
		"  stval %#lx\n  sstatus %#lx\n",
		trap_cause_name(tf->scause), (unsigned long)tf->scause, (unsigned long)tf->sepc,
		sym, (unsigned long)off, (unsigned long)tf->stval, (unsigned long)tf->sstatus);
	trap_dump(tf);
	if (is_access_fault(code) && tf->stval < USER_TOP)
		panic("kernel access to user address %#lx outside copyin/copyout",
		      (unsigned long)tf->stval);
	panic("unexpected %s in the kernel", trap_cause_name(tf->scause));
}

/* An IPI (SBI sets SSIP): it woke the hart or made it enter the kernel;
 * what it asks for is in kernel state, read under the big lock. */
static void ipi_taken(void)
{
	csr_clear(sip, SIP_SSIP);
	this_cpu()->ipis++;
}

void trap_kernel(trapframe_t *tf)
{
	if (!(tf->scause & SCAUSE_INTR)) {
		trap_kernel_exception(tf);
		return;
	}
	switch (tf->scause & ~SCAUSE_INTR) {
	case IRQ_S_TIMER: timer_interrupt(); break;
	case IRQ_S_EXT: kern_irq_external(); break; /* the idle wfi */
	case IRQ_S_SOFT: ipi_taken(); break;	    /* woken from the idle wfi */
	default:
		panic("unexpected %s (scause %#lx)", trap_cause_name(tf->scause),
		      (unsigned long)tf->scause);
	}
}

void tf_to_regs(const trapframe_t *tf, uint64_t regs[32])
{
	regs[0] = tf->sepc;
	for (int i = 1; i < 32; i++)
		regs[i] = tf->x[i];
}

void tf_from_regs(trapframe_t *tf, const uint64_t regs[32])
{
	tf->sepc = regs[0];
	for (int i = 1; i < 32; i++)
		tf->x[i] = regs[i];
}

void tf_init_user(trapframe_t *tf, uint64_t pc, uint64_t sp, uint64_t a0)
{
	for (int i = 0; i < 32; i++)
		tf->x[i] = 0;
	tf->sepc = pc;
	tf->x[2] = sp;
	tf->x[10] = a0;
	/* SPP = 0 (user), SPIE = 1 (interrupts on after sret), FS = off. */
	tf->sstatus = SSTATUS_SPIE;
	tf->scause = 0;
	tf->stval = 0;
}

/* What kind of fault an exception is, and the access that caused it. */
static unsigned fault_classify(uint64_t code, unsigned *access)
{
	*access = 0;
	switch (code) {
	case EXC_INSN_PAGE_FAULT: *access = VM_EXEC; return FAULT_PAGE;
	case EXC_LOAD_PAGE_FAULT: *access = VM_READ; return FAULT_PAGE;
	case EXC_STORE_PAGE_FAULT: *access = VM_WRITE; return FAULT_PAGE;
	case EXC_INSN_ACCESS: *access = VM_EXEC; return FAULT_ACCESS;
	case EXC_LOAD_ACCESS: *access = VM_READ; return FAULT_ACCESS;
	case EXC_STORE_ACCESS: *access = VM_WRITE; return FAULT_ACCESS;
	case EXC_ILLEGAL_INSN: return FAULT_ILLEGAL;
	case EXC_INSN_MISALIGNED: *access = VM_EXEC; return FAULT_MISALIGNED;
	case EXC_LOAD_MISALIGNED: *access = VM_READ; return FAULT_MISALIGNED;
	case EXC_STORE_MISALIGNED: *access = VM_WRITE; return FAULT_MISALIGNED;
	case EXC_BREAKPOINT: return FAULT_BREAKPOINT;
	}
	return FAULT_ILLEGAL;
}

void trap_user(trapframe_t *tf)
{
	uint64_t code = tf->scause & ~SCAUSE_INTR;
	bool smp = smp_on();

	if (smp) {
		big_lock(); /* an interrupt or a fault: smp_keep 0 */
		if (!this_cpu()->cur_thread) {
			/* Evicted while waiting for the lock: tf is no longer
			 * ours to read; the interrupt, if one, stays pending. */
			trace_take_fault_recorded();
			kern_return_to_user();
		}
	}
	if (TRACING() && !trace_take_fault_recorded()) {
		TRACE(TRACE_M_TRAP, TRACE_TRAP_ENTER, tf->scause, tf->sepc);
		if (!(tf->scause & SCAUSE_INTR))
			TRACE(TRACE_M_FAULT, TRACE_FAULT, tf->stval, tf->scause);
	}

	/* (entry.S sends ecall to kern_syscall and tries kern_cow_fault on
	 * a store page fault before coming here.) */
	if (tf->scause & SCAUSE_INTR) {
		if (code == IRQ_S_TIMER) {
			timer_interrupt();
			kern_timer_tick();
		} else if (code == IRQ_S_EXT) {
			kern_irq_external();
		} else if (code == IRQ_S_SOFT) {
			ipi_taken();
		} else {
			kprintf("trap_user: unexpected %s\n", trap_cause_name(tf->scause));
		}
	} else {
		unsigned access;
		unsigned kind = fault_classify(code, &access);
		kern_user_fault(tf, kind, access, tf->stval);
	}
	if (smp ? kern_resume_current_smp() : kern_resume_current()) {
		TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, tf->sepc, 0);
		if (smp)
			big_unlock();
		return;
	}
	kern_return_to_user();
}
