/*
 * The periodic timer: SBI TIME (or the legacy call) programs the next
 * deadline in timebase ticks read with rdtime; the device tree gives the
 * timebase frequency.  The CLINT is never touched (PMP-protected).
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/sbi.h>
#include <kern/assert.h>

#include "timer.h"

void arch_timer_start(uint64_t timebase_hz, uint64_t hz)
{
	cpu_t *c = this_cpu();
	assert(timebase_hz >= hz && hz > 0);
	c->tick_interval = timebase_hz / hz;
	c->next_tick = rdtime() + c->tick_interval;
	sbi_set_timer(c->next_tick);
	csr_set(sie, SIE_STIE);
}

void timer_interrupt(void)
{
	cpu_t *c = this_cpu();
	uint64_t now = rdtime();
	c->ticks++;
	c->next_tick += c->tick_interval;
	if (c->next_tick <= now) /* we fell behind: do not replay lost ticks */
		c->next_tick = now + c->tick_interval;
	sbi_set_timer(c->next_tick);
}

uint64_t arch_timer_deadline(void)
{
	return this_cpu()->next_tick;
}

uint64_t arch_timer_ticks(void)
{
	return this_cpu()->ticks;
}

uint64_t arch_time(void)
{
	return rdtime();
}

uint64_t arch_instret(void)
{
	return rdinstret();
}
