/*
 * ubench: in-guest benchmarks, the root task of `make bench`.
 *
 * Each benchmark times one operation at a time with rdinstret, SAMPLES
 * times, and reports the median minus the cost of an empty measurement.
 * Under QEMU's -icount shift=0 the counts are exact and repeatable.  See
 * docs/BENCHMARKS.md for what each row measures.
 */
#include <abi/bootinfo.h>
#include <libos.h>
#include <sys.h>

#define SAMPLES	       201
#define SERVER_EP_SLOT 8

static uint64_t samples[SAMPLES];

static void sort(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static uint64_t median(void)
{
	sort(samples, SAMPLES);
	return samples[SAMPLES / 2];
}

/* Instructions counted by an empty measurement. */
static uint64_t overhead(void)
{
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rd_instret();
		__asm__ volatile("" ::: "memory");
		samples[i] = rd_instret() - t0;
	}
	return median();
}

static uint64_t bench_null_syscall(uint64_t base)
{
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rd_instret();
		sys_null();
		samples[i] = rd_instret() - t0;
	}
	return median() - base;
}

/* A call and its reply between two address spaces. */
static long bench_ipc_call_reply(uint64_t base, uint64_t *result)
{
	long ep = obj_create(CAP_ENDPOINT, 0);
	if (ep < 0)
		return ep;
	spawn_cap_t caps[] = {{(unsigned long)ep, SERVER_EP_SLOT, RIGHTS_ALL, 0}};
	spawn_args_t a = {.name = "ubsrv",
			  .caps = caps,
			  .ncaps = 1,
			  .cspace_slots = 16,
			  .prio = 16,
			  .fault_ep = NO_FAULT_EP,
			  .arg = SERVER_EP_SLOT};
	child_t child;
	long err = spawn_elf(&a, &child);
	if (err < 0) {
		cap_delete((unsigned long)ep);
		return err;
	}
	msg_t m = {0};
	for (int i = 0; i < 10; i++) /* warm up: the server reaches its loop */
		sys_call((unsigned long)ep, &m);
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rd_instret();
		sys_call((unsigned long)ep, &m);
		samples[i] = rd_instret() - t0;
	}
	*result = median() - base;
	child_destroy(&child);
	cap_delete((unsigned long)ep);
	return 0;
}

#define COW_VA 0x40000000UL

/* Map SAMPLES fresh pages at COW_VA held only by their mappings. */
static long map_pages(void)
{
	for (int i = 0; i < SAMPLES; i++) {
		long f = frame_alloc_map(COW_VA + (unsigned long)i * PAGE_SIZE,
					 RIGHT_READ | RIGHT_WRITE);
		if (f < 0)
			return f;
		cap_delete((unsigned long)f);
		*(volatile uint64_t *)(COW_VA + (unsigned long)i * PAGE_SIZE) = (uint64_t)i;
	}
	return 0;
}

/* One store per page, each the first since the pages became COW. */
static uint64_t time_stores(uint64_t base)
{
	for (int i = 0; i < SAMPLES; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(COW_VA + (unsigned long)i * PAGE_SIZE);
		uint64_t t0 = rd_instret();
		*p = 1;
		samples[i] = rd_instret() - t0;
	}
	return median() - base;
}

/*
 * cow_fault_copy: a store to a page shared copy-on-write with a clone of
 * our address space (the kernel copies it).  cow_fault_reuse: a store to a
 * COW page that nobody shares any more (the kernel re-enables writing).
 */
static long bench_cow(uint64_t base, uint64_t *copy, uint64_t *reuse)
{
	long err = map_pages();
	if (err < 0)
		return err;
	long as = obj_create(CAP_ASPACE, 0), as2 = obj_create(CAP_ASPACE, 0);
	if (as < 0 || as2 < 0)
		return as < 0 ? as : as2;
	if ((err = sys_invoke(SLOT_ASPACE, ASPACE_CLONE, (unsigned long)as, 0, 0, 0, 0).r0))
		return err;
	*copy = time_stores(base);
	/* Our pages are private copies now: share them once more with a
	 * clone that goes away at once, leaving them COW with one reference. */
	if ((err = sys_invoke(SLOT_ASPACE, ASPACE_CLONE, (unsigned long)as2, 0, 0, 0, 0).r0))
		return err;
	cap_delete((unsigned long)as2);
	*reuse = time_stores(base);
	cap_delete((unsigned long)as);
	for (int i = 0; i < SAMPLES; i++)
		sys_invoke(SLOT_ASPACE, ASPACE_UNMAP, COW_VA + (unsigned long)i * PAGE_SIZE, 0, 0,
			   0, 0);
	return 0;
}

#define ZERO_VA 0x80000000UL

/* first_touch_zero: the first store to a page of the zero frame (the
 * kernel maps a fresh zeroed frame, nothing copied). */
static long bench_zero(uint64_t base, uint64_t *touch)
{
	long err = sys_invoke(SLOT_ASPACE, ASPACE_MAP_ZERO, ZERO_VA, SAMPLES,
			      RIGHT_READ | RIGHT_WRITE, 0, 0)
		       .r0;
	if (err)
		return err;
	for (int i = 0; i < SAMPLES; i++) {
		volatile uint64_t *p =
		    (volatile uint64_t *)(ZERO_VA + (unsigned long)i * PAGE_SIZE);
		uint64_t t0 = rd_instret();
		*p = 1;
		samples[i] = rd_instret() - t0;
	}
	*touch = median() - base;
	for (int i = 0; i < SAMPLES; i++)
		sys_invoke(SLOT_ASPACE, ASPACE_UNMAP, ZERO_VA + (unsigned long)i * PAGE_SIZE, 0, 0,
			   0, 0);
	return 0;
}

int main(const bootinfo_t *bi)
{
	slot_init(bi->first_free_slot, bi->cspace_slots);
	initrd_set((const void *)bi->initrd_addr, bi->initrd_size);

	uint64_t base = overhead(), ipc = 0;
	uprintf("BENCH: null_syscall %lu instructions\n", (unsigned long)bench_null_syscall(base));
	long err = bench_ipc_call_reply(base, &ipc);
	if (err < 0) {
		uprintf("ubench: ipc_call_reply: %s\n", error_name((int)err));
		uprintf("RESULT: FAIL\n");
		return 1;
	}
	uprintf("BENCH: ipc_call_reply %lu instructions\n", (unsigned long)ipc);
	uint64_t copy = 0, reuse = 0;
	if ((err = bench_cow(base, &copy, &reuse)) < 0) {
		uprintf("ubench: cow: %s\n", error_name((int)err));
		uprintf("RESULT: FAIL\n");
		return 1;
	}
	uprintf("BENCH: cow_fault_copy %lu instructions\n", (unsigned long)copy);
	uprintf("BENCH: cow_fault_reuse %lu instructions\n", (unsigned long)reuse);
	uint64_t touch = 0;
	if ((err = bench_zero(base, &touch)) < 0) {
		uprintf("ubench: zero: %s\n", error_name((int)err));
		uprintf("RESULT: FAIL\n");
		return 1;
	}
	uprintf("BENCH: first_touch_zero %lu instructions\n", (unsigned long)touch);
	uprintf("RESULT: PASS\n");
	return 0;
}
