/*
 * kmain: the boot hart's path from the first C code at the high address to
 * an idle kernel.  Order matters:
 *   1. per-cpu pointer, trap vector, SBI probe, early console;
 *   2. parse the device tree (through boot.c's temporary direct map);
 *   3. bootmem knows free RAM; build and switch to the final kernel map;
 *   4. the frame table: every RAM page, reserved ones pinned, the rest free;
 *   5. banner, timer, interrupt controller, then self-tests or the root task.
 * Other harts stay parked in OpenSBI (HSM STOPPED) until SMP support.
 */
#include <string.h>

#include <abi/error.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/sbi.h>
#include <arch/trap.h>
#include <kern/aspace.h>
#include <kern/assert.h>
#include <kern/boot.h>
#include <kern/bootmem.h>
#include <kern/console.h>
#include <kern/frame.h>
#include <kern/root.h>
#include <kern/smp.h>
#include <kern/trapentry.h>

boot_info_t boot_info;

/* boot.c maps the whole blob as its header says; this bounds a hostile one. */
#define DTB_MAX_SIZE (16UL << 20)

extern char boot_stack[], boot_stack_top[];

const char *boot_arg(const char *args, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	for (const char *p = args; *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) >= klen && !strncmp(p, key, klen) &&
		    (p[klen] == '=' || p + klen == end)) {
			const char *v = p[klen] == '=' ? p + klen + 1 : end;
			*vlen = (size_t)(end - v);
			return v;
		}
		p = end;
	}
	return NULL;
}

static uint64_t parse_u64(const char *s, size_t n, uint64_t dflt)
{
	uint64_t v = 0;
	if (n == 0)
		return dflt;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > UINT64_MAX / 10 - 9)
			return dflt;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

static void parse_bootargs(boot_info_t *bi)
{
	const char *args = bi->plat.bootargs, *v;
	size_t n;
	if ((v = boot_arg(args, "selftest", &n)) != NULL) {
		bi->opt_selftest = true;
		bi->opt_panic_test = n == 5 && !strncmp(v, "panic", 5);
		bi->opt_quick = n == 5 && !strncmp(v, "quick", 5);
	}
	bi->opt_semihost = boot_arg(args, "semihost", &n) != NULL;
	bi->tick_hz = TICK_HZ_DEFAULT;
	if ((v = boot_arg(args, "tick_hz", &n)) != NULL)
		bi->tick_hz = parse_u64(v, n, TICK_HZ_DEFAULT);
	if (bi->tick_hz == 0 || bi->tick_hz > bi->plat.timebase_hz)
		bi->tick_hz = TICK_HZ_DEFAULT;
}

static void parse_dtb(boot_info_t *bi, paddr_t dtb_pa)
{
	const void *blob = pa2kva(dtb_pa);
	long size = platform_dtb_size(blob, DTB_MAX_SIZE);
	if (size < 0)
		panic("no valid device tree at %#lx: %s", (unsigned long)dtb_pa,
		      error_name((int)size));
	int err = platform_parse(&bi->plat, blob, (size_t)size);
	if (err)
		panic("device tree at %#lx: %s", (unsigned long)dtb_pa, error_name(err));
	bi->dtb_pa = dtb_pa;
	bi->dtb_size = (size_t)size;
}

/* Build the frame table over every RAM range and pin what is in use. */
static void frames_init(boot_info_t *bi)
{
	const platform_t *p = &bi->plat;
	frame_range_t ram[PLAT_MAX_MEM];
	size_t n = p->nmem < FRAME_MAX_RANGES ? p->nmem : FRAME_MAX_RANGES;
	for (size_t i = 0; i < n; i++)
		ram[i] = (frame_range_t){p->mem[i].base, p->mem[i].size};

	paddr_t storage = bootmem_alloc(frame_table_bytes(ram, n), FRAME_KERNEL);
	int err = frame_init(pa2kva(storage), ram, n);
	if (err)
		panic("frame_init: %s", error_name(err));

	for (size_t i = 0; i < p->nrsv; i++)
		bi->rsv_pages[RSV_FIRMWARE] +=
		    frame_reserve(p->rsv[i].base, p->rsv[i].size, FRAME_FIRMWARE);
	bi->rsv_pages[RSV_KERNEL] = frame_reserve(
	    bi->kernel.phys_start, bi->kernel.phys_end - bi->kernel.phys_start, FRAME_KERNEL);
	bi->rsv_pages[RSV_DTB] = frame_reserve(bi->dtb_pa, bi->dtb_size, FRAME_KERNEL);
	if (p->has_initrd && p->initrd_end > p->initrd_start)
		bi->rsv_pages[RSV_INITRD] =
		    frame_reserve(p->initrd_start, p->initrd_end - p->initrd_start, FRAME_KERNEL);
	size_t kinds[FRAME_NKINDS] = {0};
	bootmem_finish(kinds);
	for (size_t k = 0; k < FRAME_NKINDS; k++)
		bi->rsv_pages[RSV_BOOTMEM] += kinds[k];
	frame_seal();
	bi->free_at_boot = frame_free_count();
}

void banner(const boot_info_t *bi);

void kmain(uint64_t hartid, paddr_t dtb_pa)
{
	boot_info_t *bi = &boot_info;

	cpu_init_boot((uint32_t)hartid, (uintptr_t)boot_stack, (uintptr_t)boot_stack_top);
	trap_init();
	sbi_init();
	bi->boot_hart = (uint32_t)hartid;
	kprintf("\nrvkern: booting on hart %lu\n", (unsigned long)hartid);

	parse_dtb(bi, dtb_pa);
	parse_bootargs(bi);
	arch_exit_set_semihost(bi->opt_semihost);
	arch_kernel_layout(&bi->kernel);

	bootmem_init(&bi->plat);
	bootmem_exclude(bi->kernel.phys_start, bi->kernel.phys_end - bi->kernel.phys_start);
	bootmem_exclude(bi->dtb_pa, bi->dtb_size);
	if (bi->plat.has_initrd)
		bootmem_exclude(bi->plat.initrd_start, bi->plat.initrd_end - bi->plat.initrd_start);
	arch_vm_init(&bi->plat);
	frames_init(bi);

	banner(bi);
	arch_timer_start(bi->plat.timebase_hz, bi->tick_hz);
	arch_irq_init(&bi->plat);
	unsigned nharts = smp_start(&bi->plat, bi->boot_hart, bi->plat.timebase_hz);
	bool smp = !bi->opt_selftest && !bi->opt_panic_test && arch_smp_capable();
	kprintf("smp: %u harts online%s\n", nharts,
		smp	     ? ", all scheduling threads"
		: nharts > 1 ? " (self-tests: secondaries idle)"
			     : "");

	if (bi->opt_panic_test)
		selftest_user_access_panic();
	if (bi->opt_selftest) {
		int failed = selftest_run(bi);
		kprintf("RESULT: %s\n", failed ? "FAIL" : "PASS");
		arch_exit(failed ? 1 : 0);
	}

	arch_user_counters_enable();
	aspace_init_zero_frame();
	if (smp) {
		/* From here every trap takes the slow paths and the big lock. */
		smp_begin(nharts);
		big_lock();
	}
	root_start(bi);
	if (smp)
		smp_release(bi->plat.timebase_hz, bi->tick_hz);
	kern_return_to_user();
}
