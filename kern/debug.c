/*
 * The debug capability.
 *
 * DEBUG_PUTS copies at most DEBUG_PUTS_MAX bytes in chunks and prints
 * them; it remembers a line starting "RESULT: PASS" or "RESULT: FAIL" so
 * that the kernel can leave QEMU with the test result when the root task
 * stops.  DEBUG_STATS reports frames and live objects for leak checks,
 * and the kernel's event counters (COW faults, interrupts);
 * DEBUG_CHECK runs the invariant audit (kern/audit.c): frame table, every
 * frame's and object's reference count, pool usage, page tables (a
 * release kernel checks the frame table only); DEBUG_FAILNTH arms the
 * allocation-failure injector (kern/inject.c, DEBUG kernels only).
 */
#include <string.h>

#include <abi/error.h>
#include <arch/arch.h>
#include <kern/aspace.h>
#include <kern/audit.h>
#include <kern/console.h>
#include <kern/debug.h>
#include <kern/frame.h>
#include <kern/inject.h>
#include <kern/irq.h>
#include <kern/sched.h>
#include <kern/smp.h>
#include <kern/syscall.h>
#include <kern/trace.h>
#include <kern/uaccess.h>

#define DEBUG_PUTS_MAX 4096

static int result;
static char line[16]; /* the start of the current output line */
static size_t line_len;

static void track_result(char ch)
{
	if (ch == '\n') {
		if (line_len >= 12 && !memcmp(line, "RESULT: PASS", 12))
			result = 1;
		else if (line_len >= 12 && !memcmp(line, "RESULT: FAIL", 12))
			result = 2;
		line_len = 0;
	} else if (line_len < sizeof(line)) {
		line[line_len++] = ch;
	}
}

static long debug_puts(uaddr_t s, uint64_t len)
{
	char buf[128];
	if (len > DEBUG_PUTS_MAX)
		return E_INVAL;
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		int err = copyin(buf, s + done, n);
		if (err)
			return err;
		for (size_t i = 0; i < n; i++) {
			track_result(buf[i]);
			kprintf("%c", buf[i]);
		}
		done += n;
	}
	return 0;
}

static long debug_stats(uaddr_t out)
{
	kstats_t st;
	frame_stats_t fs;
	memset(&st, 0, sizeof(st));
	frame_get_stats(&fs);
	st.frames_total = fs.total;
	st.frames_free = fs.free;
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		st.objects[t] = kobj_live(t);
	st.syscalls = syscall_count();
	st.context_switches = sched_context_switches();
	st.timer_ticks = arch_timer_ticks();
	st.cow_copies = aspace_cow_copies;
	st.cow_reuses = aspace_cow_reuses;
	st.zero_fills = aspace_zero_fills;
	irq_stats_t is;
	irq_get_stats(&is);
	st.irq_spurious = is.spurious;
	st.irq_unbound = is.unbound;
	for (unsigned s = 0; s < KSTATS_IRQS; s++)
		st.irq_count[s] = is.count[s];
	st.harts = smp_harts;
	st.smp_wakeups = smp_ipis;
	st.smp_evictions = smp_evictions;
	st.smp_lock_wakeups = smp_lock_wakeups;
	st.tlb_shootdowns = aspace_shootdowns;
	st.spurious_faults = aspace_spurious_faults;
	return copyout(out, &st, sizeof(st));
}

int invoke_debug(const cap_t *c, sysargs_t *a)
{
	switch (a->arg[1]) {
	case DEBUG_PUTS: return debug_puts(a->arg[2], a->arg[3]);
	case DEBUG_STATS: return debug_stats(a->arg[2]);
#ifdef DEBUG
	case DEBUG_CHECK: return audit_kernel();
#else
	case DEBUG_CHECK: return frame_check(false); /* release: no object list to audit */
#endif
	case DEBUG_TRACE: return trace_invoke(a);
	case DEBUG_FAILNTH: return inject_invoke(a);
	}
	return E_NOSYS;
}

int debug_result(void)
{
	return result;
}
