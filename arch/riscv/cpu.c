/*
 * Per-hart state, interrupt control, idle and machine exit.
 */
#include <stddef.h>

#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/sbi.h>

_Static_assert(offsetof(cpu_t, fixup_pc) == CPU_FIXUP_PC, "CPU_FIXUP_PC");
_Static_assert(offsetof(cpu_t, cur_tf) == CPU_CUR_TF, "CPU_CUR_TF");
_Static_assert(offsetof(cpu_t, kstack_top) == CPU_KSTACK_TOP, "CPU_KSTACK_TOP");
_Static_assert(offsetof(cpu_t, user_sp) == CPU_USER_SP, "CPU_USER_SP");

static cpu_t cpus[MAX_CPUS];
static unsigned ncpus; /* harts running the kernel: cpus[0 .. ncpus-1] */
static bool exit_semihost;

void semihost_exit(long *block);

void cpu_init_boot(uint32_t hartid, uintptr_t stack_lo, uintptr_t stack_hi)
{
	cpu_t *c = &cpus[0];
	c->hartid = hartid;
	c->index = 0;
	c->stack_lo = stack_lo;
	c->stack_hi = stack_hi;
	c->kstack_top = stack_hi;
	c->plic_ctx = -1; /* until arch_irq_init_hart */
	ncpus = 1;
	__asm__ volatile("mv tp, %0" ::"r"(c));
}

unsigned arch_ncpus(void)
{
	return ncpus;
}

cpu_t *cpu_get(unsigned index)
{
	return index < MAX_CPUS ? &cpus[index] : NULL;
}

void cpu_prepare(unsigned index, uint32_t hartid, uintptr_t stack_lo, uintptr_t stack_hi)
{
	cpu_t *c = &cpus[index];
	c->hartid = hartid;
	c->index = index;
	c->stack_lo = stack_lo;
	c->stack_hi = stack_hi;
	c->kstack_top = stack_hi;
	c->plic_ctx = -1;
}

void cpu_set_count(unsigned n)
{
	ncpus = n;
}

void cpu_enter(cpu_t *c)
{
	__asm__ volatile("mv tp, %0" ::"r"(c));
}

void arch_putc(char c)
{
	sbi_putc(c);
}

void arch_intr_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

void arch_intr_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

void arch_wait_for_interrupt(void)
{
	/* wfi with SIE clear still wakes on a pending interrupt; enabling
	 * first lets the trap run before we return. */
	__asm__ volatile("wfi");
	csr_set(sstatus, SSTATUS_SIE);
	csr_clear(sstatus, SSTATUS_SIE);
}

void arch_wfi(void)
{
	__asm__ volatile("wfi");
}

void arch_ipi_clear(void)
{
	csr_clear(sip, SIP_SSIP);
}

void arch_intr_window(void)
{
	csr_set(sstatus, SSTATUS_SIE);
	csr_clear(sstatus, SSTATUS_SIE);
}

void arch_halt(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void arch_exit_set_semihost(bool on)
{
	exit_semihost = on;
}

void arch_exit(int code)
{
	if (exit_semihost) {
		long block[2] = {0x20026 /* ADP_Stopped_ApplicationExit */, code};
		semihost_exit(block);
	}
	sbi_shutdown(code != 0);
	arch_halt();
}

void arch_user_counters_enable(void)
{
	csr_write(scounteren, 7); /* CY, TM, IR */
}
