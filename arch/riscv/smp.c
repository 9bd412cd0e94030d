/*
 * Secondary harts: every usable hart but the boot hart is started through
 * SBI HSM, gets a cpu_t and a kernel stack of its own, and waits in wfi,
 * counting inter-processor interrupts (SBI IPI), until smp_release lets
 * it into the scheduler (kern_secondary_main, with the timer running).
 * Before that it touches no kernel state but its own cpu_t; the boot
 * self-tests run in that state.  Remote TLB fences go through SBI RFENCE.
 *
 * Start-up (head.S secondary_entry): MMU off at the physical address, the
 * kernel's page table from smp_kernel_satp, stvec pointing at the virtual
 * continuation so that the first fetch through the new table lands there,
 * then its stack in smp_stacks and secondary_main.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/vm.h>
#include <kern/assert.h>
#include <kern/console.h>

#include <lib/platform.h>

#include "timer.h"

extern char secondary_entry[], trap_vector[];

uint64_t smp_kernel_satp; /* read by head.S through its physical address */
uint8_t smp_stacks[MAX_CPUS - 1][KERNEL_STACK_SIZE] __attribute__((aligned(16)));
static unsigned nharts = 1; /* cpus[0 .. nharts-1] are online */
static uint32_t released;   /* smp_release was called */
static uint64_t release_timebase, release_hz;

void secondary_main(uint64_t hartid, uint64_t index) __attribute__((noreturn));

void secondary_main(uint64_t hartid, uint64_t index)
{
	cpu_t *c = cpu_get((unsigned)index);

	(void)hartid;
	cpu_enter(c);
	csr_write(stvec, (uintptr_t)trap_vector);
	csr_write(sscratch, 0);
	csr_write(sie, SIE_SSIE); /* wakes wfi; sstatus.SIE stays off: no trap */
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE)) {
		__asm__ volatile("wfi");
		if (csr_read(sip) & SIP_SSIP) {
			csr_clear(sip, SIP_SSIP);
			__atomic_fetch_add(&c->ipis, 1, __ATOMIC_RELEASE);
		}
	}
	arch_timer_start(release_timebase, release_hz);
	kern_secondary_main();
}

void smp_release(uint64_t timebase_hz, uint64_t tick_hz)
{
	release_timebase = timebase_hz;
	release_hz = tick_hz;
	cpu_set_count(nharts);
	__atomic_store_n(&released, 1, __ATOMIC_RELEASE);
	for (unsigned i = 1; i < nharts; i++)
		arch_send_ipi(i);
}

void arch_idle_wait(void)
{
	for (;;) {
		uint64_t pending;

		__asm__ volatile("wfi");
		pending = csr_read(sip);
		if (pending & (SIP_SSIP | SIP_SEIP))
			return;
		if (pending & SIP_STIP)
			timer_interrupt(); /* per-hart state only */
	}
}

bool arch_smp_capable(void)
{
	return nharts > 1 && sbi_info.has_rfence && sbi_info.has_ipi;
}

void arch_tlb_flush_remote(uint32_t cpu_mask, uaddr_t va, size_t size)
{
	unsigned long harts = 0;
	long err;

	for (unsigned i = 0; cpu_mask; i++, cpu_mask >>= 1)
		if (cpu_mask & 1)
			harts |= 1UL << cpu_get(i)->hartid;
	err = sbi_remote_sfence_vma(harts, va, size);
	if (err)
		panic("smp: SBI remote fence to harts %#lx failed: %ld", harts, err);
}

unsigned smp_start(const platform_t *p, uint32_t boot_hart, uint64_t timebase_hz)
{
	unsigned index = 1, started = 0;
	uint64_t t0;

	if (!sbi_info.has_hsm || !sbi_info.has_ipi)
		return 1;
	smp_kernel_satp = csr_read(satp);
	for (uint32_t i = 0; i < p->nharts && index < MAX_CPUS; i++) {
		const plat_hart_t *h = &p->harts[i];
		uintptr_t lo = (uintptr_t)smp_stacks[index - 1];
		long err;

		if (!h->usable || h->hartid == boot_hart)
			continue;
		cpu_prepare(index, h->hartid, lo, lo + KERNEL_STACK_SIZE);
		err = sbi_hart_start(h->hartid, kva2pa(secondary_entry), index);
		if (err) {
			kprintf("smp: hart %u did not start: SBI error %ld\n", h->hartid, err);
			continue;
		}
		index++;
		started++;
	}
	/* Each started hart says it is online; give them a second. */
	t0 = arch_time();
	for (unsigned i = 1; i < index; i++) {
		while (!__atomic_load_n(&cpu_get(i)->online, __ATOMIC_ACQUIRE) &&
		       arch_time() - t0 < timebase_hz)
			;
		if (cpu_get(i)->online)
			nharts = i + 1;
		else
			kprintf("smp: hart %u started but never came online\n", cpu_get(i)->hartid);
	}
	(void)started;
	return nharts;
}

unsigned arch_harts_online(void)
{
	return nharts;
}

int arch_send_ipi(unsigned index)
{
	cpu_t *c = cpu_get(index);

	if (c == NULL || index >= nharts)
		return -1;
	return sbi_send_ipi(c->hartid) ? -1 : 0;
}

uint64_t arch_ipis_taken(unsigned index)
{
	cpu_t *c = cpu_get(index);

	return c ? __atomic_load_n(&c->ipis, __ATOMIC_ACQUIRE) : 0;
}
