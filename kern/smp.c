/*
 * Multiprocessor support: the big kernel lock, evicting a thread from
 * another hart, waking idle harts (kern/smp.h; the design and its
 * invariants are in docs/ARCHITECTURE.md, "SMP").
 *
 * Invariants (SMP mode):
 *  - a hart holds the big lock from its first C instruction after a trap
 *    from user mode to just before it enters user mode (arch_user_return,
 *    or the return of kern_syscall/kern_cow_fault/trap_user to entry.S),
 *    and from the end of its idle wfi until it next releases it;
 *  - cpus[i].cur_thread == t if and only if t->on_cpu == i + 1; outside
 *    the lock only hart i changes either (when it is evicted);
 *  - a thread current on hart i is touched by another hart only after
 *    smp_evict has taken it off: its trap frame is hart i's to write;
 *  - an address space is in satp of exactly the harts in its cpus mask
 *    (kern/aspace.c), and a hart that idles or is evicted switches to the
 *    kernel's own page table.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <kern/aspace.h>
#include <kern/assert.h>
#include <kern/console.h>
#include <kern/sched.h>
#include <kern/smp.h>
#include <kern/thread.h>
#include <kern/trace.h>
#include <kern/trapentry.h>

uint8_t kern_smp, kern_slow_syscall, kern_slow_fault;
uint32_t smp_idle_mask;
unsigned smp_harts = 1;
unsigned long smp_evictions, smp_ipis, smp_lock_wakeups;

/* A ticket lock: take a ticket, wait until it is served. */
static struct {
	uint32_t next;	/* the next ticket handed out */
	uint32_t owner; /* the ticket being served */
	int32_t holder; /* hart index of the holder, -1: none (debugging) */
} big = {.holder = -1};

/* This hart's current thread leaves it, at another hart's request. */
static void evicted(cpu_t *c)
{
	thread_t *t = c->cur_thread;

	aspace_deactivate();
	c->cur_thread = NULL;
	c->cur_tf = NULL;
	__atomic_store_n(&c->evict, 0, __ATOMIC_RELAXED);
	if (t)
		__atomic_store_n(&t->on_cpu, 0, __ATOMIC_RELEASE);
}

/*
 * A waiter spins a little, then sleeps in wfi until the unlock that
 * serves its ticket sends it an IPI (or an evict request, or a timer
 * tick, wakes it).  Sleeping matters when harts outnumber the host's
 * processors under QEMU: a spinning hart would take the processor the
 * lock's holder needs.  The waiter publishes lock_sleep before it looks
 * at the owner a last time, and the unlocker publishes the owner before
 * it looks at lock_sleep (both with full fences), so one of them sees the
 * other: no lost wake-up.
 */
#define LOCK_SPINS 32

void big_lock(void)
{
	cpu_t *c = this_cpu();
	uint32_t ticket = __atomic_fetch_add(&big.next, 1, __ATOMIC_RELAXED);
	unsigned spins = 0;

	while (__atomic_load_n(&big.owner, __ATOMIC_ACQUIRE) != ticket) {
		if (__atomic_load_n(&c->evict, __ATOMIC_ACQUIRE)) {
			evicted(c);
			continue;
		}
		if (++spins < LOCK_SPINS)
			continue;
		c->lock_ticket = ticket;
		__atomic_store_n(&c->lock_sleep, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&big.owner, __ATOMIC_SEQ_CST) != ticket &&
		    !__atomic_load_n(&c->evict, __ATOMIC_SEQ_CST))
			arch_wfi();
		__atomic_store_n(&c->lock_sleep, 0, __ATOMIC_RELAXED);
		/* The IPI only woke us: its other uses (evict, waking an
		 * idle hart) are flags read under the lock. */
		arch_ipi_clear();
		spins = 0;
	}
	big.holder = (int32_t)c->index;
	c->smp_keep = 0; /* syscall_smp sets it */
}

void big_unlock(void)
{
	uint32_t owner = big.owner + 1;

	assert(big.holder == (int32_t)this_cpu()->index);
	big.holder = -1;
	__atomic_store_n(&big.owner, owner, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&big.next, __ATOMIC_RELAXED) == owner)
		return; /* nobody waits */
	for (unsigned i = 0; i < smp_harts; i++) {
		cpu_t *w = cpu_get(i);

		if (__atomic_load_n(&w->lock_sleep, __ATOMIC_SEQ_CST) && w->lock_ticket == owner) {
			arch_send_ipi(i);
			smp_lock_wakeups++;
			return;
		}
	}
}

void smp_evict_remote(thread_t *t)
{
	unsigned on = __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
	cpu_t *c;

	if (on == 0 || on == this_cpu()->index + 1)
		return;
	c = cpu_get(on - 1);
	__atomic_store_n(&c->evict, 1, __ATOMIC_RELEASE);
	arch_send_ipi(on - 1);
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) == on)
		;
	smp_evictions++;
}

void smp_wake_idle(bool keep_one)
{
	uint32_t self = CPU_BIT(this_cpu()->index);
	uint32_t idle = smp_idle_mask & ~self;

	for (unsigned p = NPRIO; idle && p-- > 0;) {
		for (thread_t *t = runq.head[p]; t && idle; t = t->next) {
			uint32_t m = idle & (t->affinity ? t->affinity : ~0u);
			unsigned i = 0;

			if (t->on_cpu)
				continue;
			/* The first this hart may run is what pick gives it next,
			 * pinned here or not. */
			if (keep_one && (t->affinity == 0 || (t->affinity & self))) {
				keep_one = false;
				continue;
			}
			if (!m)
				continue;
			while (!(m & CPU_BIT(i)))
				i++;
			/* Hart i takes its bit off at once: one IPI per idle hart
			 * however many threads wait. */
			smp_idle_mask &= ~CPU_BIT(i);
			idle &= ~CPU_BIT(i);
			arch_send_ipi(i);
			smp_ipis++;
		}
	}
}

void smp_idle(void)
{
	uint32_t bit = CPU_BIT(this_cpu()->index);

	smp_idle_mask |= bit;
	big_unlock();
	arch_idle_wait(); /* timer ticks are taken without the lock */
	big_lock();
	smp_idle_mask &= ~bit;
	/* Take what woke us (device, IPI) under the lock. */
	arch_intr_window();
}

void smp_begin(unsigned nharts)
{
	kern_smp = 1;
	smp_harts = nharts;
	kern_slow_update(trace_mask);
}

void kern_slow_update(uint32_t mask)
{
	kern_slow_syscall = kern_smp || (mask & (TRACE_M_TRAP | TRACE_M_IPC | TRACE_M_SWITCH));
	kern_slow_fault = kern_smp || (mask & (TRACE_M_TRAP | TRACE_M_FAULT));
}

void kern_secondary_main(void)
{
	arch_user_counters_enable();
	big_lock();
	kern_return_to_user();
}
