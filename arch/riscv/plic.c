/*
 * The PLIC (RISC-V Platform-Level Interrupt Controller).
 *
 * Registers, as the PLIC specification lays them out (32-bit each):
 *   base + 4 * s                   priority of source s (0: never interrupts)
 *   base + 0x2000 + 0x80 * c       enable bits of context c, bit s % 32 of word s / 32
 *   base + 0x200000 + 0x1000 * c   priority threshold of context c
 *   ... + 4                        claim (read) / complete (write) of context c
 * A context is one hart in one privilege mode.  Which context is a hart's
 * S-mode one comes from the device tree's interrupts-extended
 * (lib/platform.c, plic_sctx), never from a formula: on sifive_u hart 0
 * has no S mode and the others use 2h, on virt 2h + 1.
 *
 * The kernel maps the registers up to the last context's page
 * (mmu_map_mmio, before the first address space exists).  At start every
 * source has priority 0 and no enable bit; the boot hart's context gets
 * threshold 0 and SIE.SEIE is set.  kern/irq.c enables a source (priority
 * 1, enable bit in the boot hart's context) when an IRQ handler is bound
 * to it and disables it when the handler goes.
 *
 * A claim returns the highest-priority pending source and masks it in the
 * PLIC's gateway until it is completed: that is how a bound source stays
 * masked between the signal to its driver and the driver's IRQ_ACK.  The
 * PLIC ignores the completion of a source that is not enabled for the
 * context, so a source is always completed before it is disabled.
 *
 * Locking: the big kernel lock in SMP mode; one hart otherwise.  Every
 * source goes to the boot hart (route_ctx): the other harts take no
 * external interrupts, whichever hart binds or acknowledges a source.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <kern/assert.h>

#include "mmu.h"
#include "plic.h"

#define PLIC_PRIORITY(s)  (4UL * (s))
#define PLIC_ENABLE(c, s) (0x2000UL + 0x80UL * (uint64_t)(c) + 4UL * ((s) / 32))
#define PLIC_THRESHOLD(c) (0x200000UL + 0x1000UL * (uint64_t)(c))
#define PLIC_CLAIM(c)	  (PLIC_THRESHOLD(c) + 4)
#define PLIC_MAX_SOURCE	  1023 /* the specification's limit */
#define PLIC_MAX_CONTEXTS 15872

static uintptr_t plic;	  /* virtual address of the registers, 0 if none */
static uint64_t mapped;	  /* bytes of registers mapped */
static uint32_t nsources; /* sources 1 .. nsources */

/* Device registers: every access is ordered with the hart's other memory
 * and I/O accesses (a driver quiets its device before IRQ_ACK completes
 * the source). */
static inline uint32_t reg_read(uint64_t off)
{
	uint32_t v = *(volatile uint32_t *)(plic + off);
	__asm__ volatile("fence i, ior" ::: "memory");
	return v;
}

static inline void reg_write(uint64_t off, uint32_t v)
{
	__asm__ volatile("fence iorw, ow" ::: "memory");
	*(volatile uint32_t *)(plic + off) = v;
}

void plic_map(const platform_t *p)
{
	const plat_plic_t *d = &p->plic;
	if (!d->present || d->size == 0 || (d->base & PAGE_MASK) || d->ncontexts == 0 ||
	    d->ncontexts > PLIC_MAX_CONTEXTS)
		return;
	/* Priorities, enables and every context's page, no more. */
	uint64_t size = PLIC_THRESHOLD(d->ncontexts);
	if (size > d->size)
		size = d->size;
	nsources = d->ndev < PLIC_MAX_SOURCE ? d->ndev : PLIC_MAX_SOURCE;
	if (size <= PLIC_PRIORITY(nsources))
		return;
	mapped = size;
	plic = mmu_map_mmio(d->base, size);
}

/* Every source is routed to the boot hart's context (the only hart that
 * enables external interrupts), whichever hart binds or acknowledges it:
 * a claim and its completion must name the same context. */
static int route_ctx = -1;

void arch_irq_init(const platform_t *p)
{
	if (plic) {
		for (uint32_t s = 1; s <= nsources; s++)
			reg_write(PLIC_PRIORITY(s), 0);
	}
	arch_irq_init_hart(p);
	route_ctx = this_cpu()->plic_ctx;
}

void arch_irq_init_hart(const platform_t *p)
{
	cpu_t *c = this_cpu();
	int h = platform_hart_index(p, c->hartid);
	int ctx = h >= 0 ? p->harts[h].plic_sctx : -1;

	c->plic_ctx = -1;
	if (!plic || ctx < 0 || PLIC_CLAIM(ctx) + 4 > mapped)
		return; /* no external interrupts on this hart */
	c->plic_ctx = ctx;
	for (uint32_t w = 0; w <= nsources / 32; w++)
		reg_write(PLIC_ENABLE(ctx, 32 * w), 0);
	reg_write(PLIC_THRESHOLD(ctx), 0);
	csr_set(sie, SIE_SEIE);
}

bool arch_irq_valid(uint32_t src)
{
	return plic && route_ctx >= 0 && src >= 1 && src <= nsources;
}

void arch_irq_enable(uint32_t src)
{
	int ctx = route_ctx;
	assert(arch_irq_valid(src));
	reg_write(PLIC_PRIORITY(src), 1);
	uint32_t bits = reg_read(PLIC_ENABLE(ctx, src));
	reg_write(PLIC_ENABLE(ctx, src), bits | (1u << (src % 32)));
}

void arch_irq_disable(uint32_t src)
{
	int ctx = route_ctx;
	if (!arch_irq_valid(src))
		return;
	uint32_t bits = reg_read(PLIC_ENABLE(ctx, src));
	reg_write(PLIC_ENABLE(ctx, src), bits & ~(1u << (src % 32)));
	reg_write(PLIC_PRIORITY(src), 0);
}

uint32_t arch_irq_claim(void)
{
	int ctx = this_cpu()->plic_ctx;
	if (!plic || ctx < 0)
		return 0;
	return reg_read(PLIC_CLAIM(ctx));
}

void arch_irq_complete(uint32_t src)
{
	int ctx = route_ctx;
	if (!plic || ctx < 0 || src == 0 || src > PLIC_MAX_SOURCE)
		return;
	reg_write(PLIC_CLAIM(ctx), src);
}
