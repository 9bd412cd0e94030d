/*
 * In-kernel self-tests, run when bootargs contain "selftest".
 *
 * They check the boot-time machinery against the real machine: the frame
 * allocator over all of RAM, the kernel page table's permissions (by
 * reading PTEs and by touching memory through fault-catching probes), and
 * the timer.  Each test prints one "selftest: <name>: PASS|FAIL" line; kmain
 * then prints the RESULT line and leaves QEMU with the exit code.
 */
#include <stdint.h>
#include <string.h>

#include <abi/error.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <kern/boot.h>
#include <kern/console.h>
#include <kern/frame.h>

#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			kprintf("  %s:%d: expected %s\n", __FILE__, __LINE__, #cond);              \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

extern char boot_stack[];
extern const char ksyms_count[];

/* ---------------------------------------------------------------- frames */

typedef struct span {
	paddr_t lo, hi;
} span_t;

/* Pages of [lo,hi) (rounded out) inside RAM (rounded in) not yet in spans;
 * adds the range to spans.  An interval-union count independent of the
 * per-frame marks in frame.c. */
static size_t add_span(const platform_t *p, span_t *spans, size_t *n, paddr_t lo, paddr_t hi)
{
	size_t pages = 0;
	lo = PAGE_ROUND_DOWN(lo);
	hi = PAGE_ROUND_UP(hi);
	for (paddr_t a = lo; a < hi; a += PAGE_SIZE) {
		bool in_ram = false, seen = false;
		for (size_t m = 0; m < p->nmem && !in_ram; m++)
			in_ram = a >= PAGE_ROUND_UP(p->mem[m].base) &&
				 a + PAGE_SIZE <= PAGE_ROUND_DOWN(p->mem[m].base + p->mem[m].size);
		for (size_t s = 0; s < *n && !seen; s++)
			seen = a >= spans[s].lo && a < spans[s].hi;
		pages += in_ram && !seen;
	}
	spans[(*n)++] = (span_t){lo, hi};
	return pages;
}

static int test_free_count(const boot_info_t *bi)
{
	const platform_t *p = &bi->plat;
	span_t spans[PLAT_MAX_RSV + 8];
	size_t n = 0, reserved = 0, ram = 0, boot = bi->rsv_pages[RSV_BOOTMEM];

	for (size_t m = 0; m < p->nmem; m++)
		ram += (PAGE_ROUND_DOWN(p->mem[m].base + p->mem[m].size) -
			PAGE_ROUND_UP(p->mem[m].base)) >>
		       PAGE_SHIFT;
	for (size_t i = 0; i < p->nrsv; i++)
		reserved += add_span(p, spans, &n, p->rsv[i].base, p->rsv[i].base + p->rsv[i].size);
	reserved += add_span(p, spans, &n, bi->kernel.phys_start, bi->kernel.phys_end);
	reserved += add_span(p, spans, &n, bi->dtb_pa, bi->dtb_pa + bi->dtb_size);
	if (p->has_initrd)
		reserved += add_span(p, spans, &n, p->initrd_start, p->initrd_end);

	frame_stats_t st;
	frame_get_stats(&st);
	kprintf("  ram %zu pages, reserved %zu + boot allocations %zu, free %zu\n", ram, reserved,
		boot, st.free);
	EXPECT(st.total == ram);
	EXPECT(bi->free_at_boot == ram - reserved - boot);
	EXPECT(st.free == bi->free_at_boot);
	EXPECT(frame_check(true) == 0);
	return 0;
}

/* Allocate every free frame, check each, free them all. */
static int test_frame_exhaust(const boot_info_t *bi)
{
	size_t before = frame_free_count(), got = 0;
	paddr_t head = 0, pa;

	while (frame_alloc(FRAME_KOBJ, &pa) == 0) {
		uint64_t *w = pa2kva(pa);
		EXPECT(frame_is_ram(pa) && (pa & PAGE_MASK) == 0);
		EXPECT(frame_kind(pa) == FRAME_KOBJ && frame_refs(pa) == 1);
		EXPECT(w[0] == 0 && w[PAGE_SIZE / 8 - 1] == 0);
		if (got < 64)
			for (size_t i = 0; i < PAGE_SIZE / 8; i++)
				EXPECT(w[i] == 0);
		w[0] = head; /* chain the frames through themselves */
		head = pa;
		got++;
	}
	kprintf("  allocated %zu frames\n", got);
	EXPECT(got == before);
	EXPECT(frame_free_count() == 0);
	EXPECT(frame_alloc(FRAME_USER, &pa) == E_NOMEM);
	EXPECT(frame_check(false) == 0);
	while (head) {
		paddr_t next = *(uint64_t *)pa2kva(head);
		frame_unref(head);
		head = next;
	}
	EXPECT(frame_free_count() == before);
	EXPECT(frame_check(true) == 0);
	return 0;
}

static int test_frame_refs(const boot_info_t *bi)
{
	size_t before = frame_free_count();
	paddr_t pa;
	EXPECT(frame_alloc(FRAME_USER, &pa) == 0);
	EXPECT(frame_free_count() == before - 1);
	frame_ref(pa);
	EXPECT(frame_refs(pa) == 2);
	frame_unref(pa);
	EXPECT(frame_refs(pa) == 1 && frame_kind(pa) == FRAME_USER);
	frame_unref(pa);
	EXPECT(frame_kind(pa) == FRAME_FREE && frame_refs(pa) == 0);
	EXPECT(frame_free_count() == before);
	/* The freed frame comes back first (LIFO), poison checked, zeroed. */
	paddr_t again;
	EXPECT(frame_alloc(FRAME_USER, &again) == 0 && again == pa);
	EXPECT(((uint64_t *)pa2kva(pa))[7] == 0);
	frame_unref(again);
	EXPECT(frame_check(true) == 0);
	return 0;
}

/* ----------------------------------------------------------- page table */

static volatile uint64_t data_word = 1;
static const uint64_t rodata_word = 2;

static void nop_function(void)
{
}

#define KERNEL_FLAGS (VM_GLOBAL | VM_ACCESSED_DIRTY)

static int test_kernel_map(const boot_info_t *bi)
{
	const kernel_layout_t *k = &bi->kernel;
	paddr_t pa;

	EXPECT(arch_kernel_query(k->text_start, &pa) == (VM_READ | VM_EXEC | KERNEL_FLAGS));
	EXPECT(pa == k->phys_start);
	EXPECT(arch_kernel_query(k->text_end - 1, 0) == (VM_READ | VM_EXEC | KERNEL_FLAGS));
	EXPECT(arch_kernel_query(k->rodata_start, 0) == (VM_READ | KERNEL_FLAGS));
	EXPECT(arch_kernel_query((uintptr_t)&rodata_word, 0) == (VM_READ | KERNEL_FLAGS));
	EXPECT(arch_kernel_query((uintptr_t)&data_word, 0) == (VM_READ | VM_WRITE | KERNEL_FLAGS));
	EXPECT(arch_kernel_query((uintptr_t)boot_stack, 0) == (VM_READ | VM_WRITE | KERNEL_FLAGS));
	EXPECT(arch_kernel_query(k->data_end - 1, 0) == (VM_READ | VM_WRITE | KERNEL_FLAGS));

	/* Every RAM page outside no-map ranges is in the direct map, RW, NX. */
	const platform_t *p = &bi->plat;
	for (size_t m = 0; m < p->nmem; m++) {
		paddr_t lo = PAGE_ROUND_UP(p->mem[m].base);
		paddr_t hi = PAGE_ROUND_DOWN(p->mem[m].base + p->mem[m].size);
		for (paddr_t a = lo; a < hi; a += 64 * PAGE_SIZE) {
			bool nomap = false;
			for (size_t r = 0; r < p->nrsv; r++)
				nomap |= p->rsv[r].no_map && a >= p->rsv[r].base &&
					 a < p->rsv[r].base + p->rsv[r].size;
			unsigned want = nomap ? 0 : (VM_READ | VM_WRITE | KERNEL_FLAGS);
			EXPECT(arch_kernel_query((uintptr_t)pa2kva(a), &pa) == want);
			EXPECT(nomap || pa == a);
		}
	}
	/* Nothing in the user half. */
	EXPECT(arch_kernel_query(0, 0) == 0);
	EXPECT(arch_kernel_query(USER_BASE, 0) == 0);
	EXPECT(arch_kernel_query(USER_TOP - PAGE_SIZE, 0) == 0);
	return 0;
}

static int test_kernel_probes(const boot_info_t *bi)
{
	const kernel_layout_t *k = &bi->kernel;
	uintptr_t direct = (uintptr_t)pa2kva(k->phys_start);

	EXPECT(arch_probe_load(k->text_start) == 0);
	EXPECT(arch_probe_store(k->text_start) == E_FAULT); /* text not W */
	EXPECT(arch_probe_load((uintptr_t)&rodata_word) == 0);
	EXPECT(arch_probe_store((uintptr_t)&rodata_word) == E_FAULT);
	EXPECT(arch_probe_store((uintptr_t)&data_word) == 0);
	EXPECT(arch_probe_exec((uintptr_t)nop_function) == 0);
	EXPECT(arch_probe_exec((uintptr_t)&data_word) == E_FAULT); /* data not X */
	EXPECT(arch_probe_exec(direct) == E_FAULT);		   /* direct map not X */
	EXPECT(arch_probe_store(direct) == 0);			   /* direct map W */
	EXPECT(arch_probe_load(USER_BASE) == E_FAULT);
	EXPECT(arch_probe_load(KERNEL_DIRECT_BASE + KERNEL_DIRECT_SIZE + PAGE_SIZE) == E_FAULT);
	EXPECT(rodata_word == 2 && data_word == 1);
	return 0;
}

/* ---------------------------------------------------------------- misc */

/*
 * Three ticks, and deadlines spaced by the period, checked against the
 * deadlines the timer programmed rather than against how long the wait
 * took (a tick may already be overdue when the test starts, if the host
 * was slow): by timer_interrupt's rule, after tick 1 the deadline is d1,
 * tick 3 cannot fire before d1 + period, and the deadline after it is at
 * least d1 + 2 periods.  The 1000-period limit only keeps a broken timer
 * from hanging the boot.
 */
static int test_timer(const boot_info_t *bi)
{
	uint64_t period = bi->plat.timebase_hz / bi->tick_hz;
	uint64_t start = arch_timer_ticks(), t0 = arch_time(), d1, now;

	while (arch_timer_ticks() < start + 1 && arch_time() - t0 < 1000 * period)
		arch_wait_for_interrupt();
	d1 = arch_timer_deadline();
	while (arch_timer_ticks() < start + 3 && arch_time() - t0 < 1000 * period)
		arch_wait_for_interrupt();
	now = arch_time();
	kprintf("  %lu ticks; tick 3 at %lu timebase units past deadline 1 (period %lu)\n",
		(unsigned long)(arch_timer_ticks() - start), (unsigned long)(now - d1),
		(unsigned long)period);
	EXPECT(arch_timer_ticks() >= start + 3);
	EXPECT(now >= d1 + period);
	EXPECT(arch_timer_deadline() >= d1 + 2 * period);
	return 0;
}

static int test_platform(const boot_info_t *bi)
{
	const platform_t *p = &bi->plat;
	int idx = platform_hart_index(p, bi->boot_hart);
	EXPECT(idx >= 0 && p->harts[idx].usable);
	EXPECT(p->timebase_hz > 0);
	EXPECT(p->uart.kind != UART_NONE);
	EXPECT(p->plic.present);
	EXPECT(*(const uint64_t *)ksyms_count > 0);
	uintptr_t off;
	EXPECT(strcmp(arch_symbol((uintptr_t)test_platform + 4, &off), "test_platform") == 0);
	EXPECT(off == 4);
	return 0;
}

/*
 * Secondary harts: every usable hart (up to MAX_CPUS) came online, and
 * each takes an IPI sent to it (its count goes up; waiting at most one
 * second of timebase for it only guards against a hang).
 */
static int test_smp(const boot_info_t *bi)
{
	const platform_t *p = &bi->plat;
	unsigned usable = 0, online = arch_harts_online();

	for (uint32_t i = 0; i < p->nharts; i++)
		usable += p->harts[i].usable;
	if (usable > MAX_CPUS)
		usable = MAX_CPUS;
	kprintf("  %u of %u usable harts online\n", online, usable);
	EXPECT(online == usable);
	for (unsigned i = 1; i < online; i++) {
		uint64_t before = arch_ipis_taken(i), t0 = arch_time();

		EXPECT(arch_send_ipi(i) == 0);
		while (arch_ipis_taken(i) == before && arch_time() - t0 < p->timebase_hz)
			;
		EXPECT(arch_ipis_taken(i) == before + 1);
	}
	EXPECT(arch_send_ipi(online) != 0); /* no such hart */
	return 0;
}

typedef struct selftest {
	const char *name;
	int (*fn)(const boot_info_t *bi);
	bool whole_ram; /* touches every frame: skipped by selftest=quick */
} selftest_t;

static const selftest_t tests[] = {
    {"frame_free_count", test_free_count, false}, {"frame_refs", test_frame_refs, false},
    {"frame_exhaust", test_frame_exhaust, true},  {"kernel_map", test_kernel_map, false},
    {"kernel_probes", test_kernel_probes, false}, {"timer", test_timer, false},
    {"platform", test_platform, false},		  {"smp", test_smp, false},
};

int selftest_run(const boot_info_t *bi)
{
	int passed = 0, failed = 0;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (tests[i].whole_ram && bi->opt_quick) {
			kprintf("selftest: %s: SKIP (selftest=quick)\n", tests[i].name);
			continue;
		}
		int bad = tests[i].fn(bi);
		kprintf("selftest: %s: %s\n", tests[i].name, bad ? "FAIL" : "PASS");
		bad ? failed++ : passed++;
	}
	kprintf("selftest: %d passed, %d failed\n", passed, failed);
	return failed;
}

void selftest_user_access_panic(void)
{
	kprintf("selftest: touching user address %#lx from the kernel\n", (unsigned long)USER_BASE);
	(void)*(volatile uint64_t *)USER_BASE;
	kprintf("selftest: the kernel read a user address without faulting\n");
	kprintf("RESULT: FAIL\n");
	arch_exit(1);
}
