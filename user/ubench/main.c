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
#include <ubsrv.h>

#define SAMPLES 201

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

/* Start ubsrv in mode (include/ubsrv.h) on a new endpoint, *ep. */
static long server_start(unsigned long mode, long *ep, child_t *child)
{
	*ep = obj_create(CAP_ENDPOINT, 0);
	if (*ep < 0)
		return *ep;
	spawn_cap_t caps[] = {{(unsigned long)*ep, UBSRV_EP_SLOT, RIGHTS_ALL, 0}};
	spawn_args_t a = {.name = "ubsrv",
			  .caps = caps,
			  .ncaps = 1,
			  .cspace_slots = mode == UBSRV_ACCEPT_CAPS ? UBSRV_CAP_SLOTS : 16,
			  .prio = 16,
			  .fault_ep = NO_FAULT_EP,
			  .arg = mode};
	long err = spawn_elf(&a, child);
	if (err < 0)
		cap_delete((unsigned long)*ep);
	return err;
}

/*
 * A call and its reply between two address spaces.  ipc_call_reply
 * (UBSRV_PLAIN): no words, no capability, the fast path's case.
 * ipc_call_reply_cap (UBSRV_ACCEPT_CAPS): the call carries a capability
 * to a notification, which the kernel copies into a fresh slot of ubsrv's
 * cspace; the reply has one word, 1 if the capability arrived.
 */
static long bench_ipc(uint64_t base, unsigned long mode, uint64_t *result)
{
	long ep, ntfn = -1, err;
	child_t child;
	msg_t m = {0};
	int lost = 0;

	if ((err = server_start(mode, &ep, &child)) < 0)
		return err;
	if (mode == UBSRV_ACCEPT_CAPS) {
		if ((ntfn = obj_create(CAP_NOTIFICATION, 0)) < 0) {
			err = ntfn;
			goto out;
		}
		m = (msg_t){MSG_INFO(0, 0) | MSG_CAP, {0}, (unsigned long)ntfn};
	}
	for (int i = 0; i < 10; i++) /* warm up: the server reaches its loop */
		sys_call((unsigned long)ep, &m);
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rd_instret();
		sysret_t r = sys_call((unsigned long)ep, &m);
		samples[i] = rd_instret() - t0;
		if (r.r0 < 0 || (mode == UBSRV_ACCEPT_CAPS && r.r[1] != 1))
			lost++;
	}
	*result = median() - base;
	err = lost ? E_CORRUPT : 0; /* a failed call, or no capability delivered */
out:
	child_destroy(&child);
	cap_delete((unsigned long)ep);
	if (ntfn >= 0)
		cap_delete((unsigned long)ntfn);
	return err;
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

#define MAP_VA 0xc0000000UL

/*
 * aspace_map_page: one ASPACE_MAP of a frame capability at an unmapped
 * page of our own address space whose page table exists (only the first
 * page of the range needs new tables; the median leaves it out).
 * aspace_unmap_page: one ASPACE_UNMAP of such a page, fence included; the
 * frame's capability still holds it, so nothing is freed.
 */
static long bench_map_unmap(uint64_t base, uint64_t *map, uint64_t *unmap)
{
	static unsigned long frame[SAMPLES];
	unsigned long mark = slot_mark();
	long err = 0;

	for (int i = 0; i < SAMPLES; i++) {
		long s = slot_alloc();
		if (s < 0)
			return s;
		if ((err =
			 sys_invoke(SLOT_POOL, POOL_ALLOC_FRAME, (unsigned long)s, 0, 0, 0, 0).r0))
			return err;
		frame[i] = (unsigned long)s;
	}
	for (int i = 0; i < SAMPLES && !err; i++) {
		unsigned long va = MAP_VA + (unsigned long)i * PAGE_SIZE;
		uint64_t t0 = rd_instret();
		err = sys_invoke(SLOT_ASPACE, ASPACE_MAP, frame[i], va, RIGHT_READ | RIGHT_WRITE, 0,
				 0)
			  .r0;
		samples[i] = rd_instret() - t0;
	}
	if (err)
		return err;
	*map = median() - base;
	for (int i = 0; i < SAMPLES && !err; i++) {
		unsigned long va = MAP_VA + (unsigned long)i * PAGE_SIZE;
		uint64_t t0 = rd_instret();
		err = sys_invoke(SLOT_ASPACE, ASPACE_UNMAP, va, 0, 0, 0, 0).r0;
		samples[i] = rd_instret() - t0;
	}
	if (err)
		return err;
	*unmap = median() - base;
	for (int i = 0; i < SAMPLES; i++)
		cap_delete(frame[i]);
	slot_release(mark);
	return 0;
}

static void row(const char *name, uint64_t v)
{
	uprintf("BENCH: %s %lu instructions\n", name, (unsigned long)v);
}

static int fail(const char *what, long err)
{
	uprintf("ubench: %s: %s\n", what, error_name((int)err));
	uprintf("RESULT: FAIL\n");
	return 1;
}

int main(const bootinfo_t *bi)
{
	uint64_t base, v = 0, v2 = 0;
	long err;

	slot_init(bi->first_free_slot, bi->cspace_slots);
	initrd_set((const void *)bi->initrd_addr, bi->initrd_size);

	base = overhead();
	row("null_syscall", bench_null_syscall(base));
	if ((err = bench_ipc(base, UBSRV_PLAIN, &v)) < 0)
		return fail("ipc_call_reply", err);
	row("ipc_call_reply", v);
	if ((err = bench_ipc(base, UBSRV_ACCEPT_CAPS, &v)) < 0)
		return fail("ipc_call_reply_cap", err);
	row("ipc_call_reply_cap", v);
	if ((err = bench_cow(base, &v, &v2)) < 0)
		return fail("cow", err);
	row("cow_fault_copy", v);
	row("cow_fault_reuse", v2);
	if ((err = bench_zero(base, &v)) < 0)
		return fail("zero", err);
	row("first_touch_zero", v);
	if ((err = bench_map_unmap(base, &v, &v2)) < 0)
		return fail("map_unmap", err);
	row("aspace_map_page", v);
	row("aspace_unmap_page", v2);
	uprintf("RESULT: PASS\n");
	return 0;
}
