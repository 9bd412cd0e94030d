/*
 * Address-space invocations: MAP, UNMAP, PROTECT, QUERY with valid input
 * and every error class, shared frames, other address spaces, device
 * frames, rights.
 */
#include "utest.h"

#define R  RIGHT_READ
#define RW (RIGHT_READ | RIGHT_WRITE)
#define RX (RIGHT_READ | RIGHT_EXEC)

static long new_frame(void)
{
	long f = slot_alloc();

	if (f < 0)
		return f;
	return INV1(SLOT_POOL, POOL_ALLOC_FRAME, f) < 0 ? E_NOMEM : f;
}

/* One frame mapped twice shows the same bytes at both addresses. */
static int test_aspace_map_query(void)
{
	volatile uint64_t *a = (volatile uint64_t *)TWIN_VA(0);
	volatile uint64_t *b = (volatile uint64_t *)TWIN_VA(1);
	long f;

	CHECK_OK(f, new_frame());
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), 0);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(0), RW), 0);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(1), R), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), RW);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(1)), R);
	a[0] = 0x1122334455667788UL;
	a[511] = 42;
	CHECK(b[0] == 0x1122334455667788UL);
	CHECK(b[511] == 42);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), 0);
	CHECK(b[0] == 0x1122334455667788UL);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(1)), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(1)), 0);
	/* The frame cap still names the frame: map it again. */
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(2), R), 0);
	CHECK(((volatile uint64_t *)TWIN_VA(2))[511] == 42);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(2)), 0);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

static int test_aspace_map_errors(void)
{
	static const unsigned long bad_rights[] = {
	    0,
	    RIGHT_GRANT,
	    R | RIGHT_GRANT,
	    16,
	    RIGHT_WRITE,
	    RIGHT_WRITE | RIGHT_EXEC,
	    RW | RIGHT_EXEC,
	    ~0UL,
	};
	static const unsigned long bad_range[] = {
	    0, USER_TOP, USER_TOP + PAGE_SIZE, KERNEL_VA, ~0UL & ~(PAGE_SIZE - 1), 1UL << 39,
	};
	long f, ep, ro, rx, empty;

	CHECK_OK(f, new_frame());
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(ro, slot_alloc());
	CHECK_OK(rx, slot_alloc());
	CHECK_OK(empty, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, f, ro, R), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, f, rx, RX), 0);

	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, ep, TWIN_VA(0), R), E_TYPE);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, SLOT_POOL, TWIN_VA(0), R), E_TYPE);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, empty, TWIN_VA(0), R), E_BADCAP);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, ROOT_CSPACE_SLOTS, TWIN_VA(0), R), E_BADCAP);
	for (size_t i = 0; i < sizeof(bad_rights) / sizeof(bad_rights[0]); i++) {
		if (INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(0), bad_rights[i]) != E_INVAL)
			return FAIL("ASPACE_MAP with rights %#lx is not E_INVAL", bad_rights[i]);
	}
	/* Rights beyond the frame cap's. */
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, ro, TWIN_VA(0), RW), E_PERM);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, ro, TWIN_VA(0), RX), E_PERM);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, rx, TWIN_VA(0), RW), E_PERM);
	/* Misaligned, then outside [0x1000, 2^38). */
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(0) + 8, R), E_INVAL);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(0) + 0x800, R), E_INVAL);
	for (size_t i = 0; i < sizeof(bad_range) / sizeof(bad_range[0]); i++) {
		if (INV3(SLOT_ASPACE, ASPACE_MAP, f, bad_range[i], R) != E_RANGE)
			return FAIL("ASPACE_MAP at %#lx is not E_RANGE", bad_range[i]);
	}
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), 0);

	/* The lowest and highest user pages are fine; a mapped page is E_EXISTS. */
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, ro, TWIN_VA(0), R), 0);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, rx, TWIN_VA(1), RIGHT_EXEC), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(1)), RIGHT_EXEC);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(0), RW), E_EXISTS);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), R);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TOP_PAGE, RW), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TOP_PAGE), 0);

	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(1)), 0);
	cap_delete(rx);
	cap_delete(ro);
	cap_delete(ep);
	cap_delete(f);
	return 0;
}

/* The lowest user page, in an address space of its own. */
static int test_aspace_low_page(void)
{
	long as, f;

	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_OK(f, new_frame());
	CHECK_EQ(INV3(as, ASPACE_MAP, f, 0x1000, RW), 0);
	CHECK_EQ(INV1(as, ASPACE_QUERY, 0x1000), RW);
	CHECK_EQ(INV3(as, ASPACE_MAP, f, 0, RW), E_RANGE);
	CHECK_EQ(INV1(as, ASPACE_UNMAP, 0x1000), 0);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

static int test_aspace_unmap_errors(void)
{
	long f;

	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), E_NOENT);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0) + 4), E_INVAL);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, 0), E_RANGE);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, USER_TOP), E_RANGE);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, KERNEL_VA), E_RANGE);
	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), RW));
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0) + 4), E_INVAL);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), RW);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), E_NOENT);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

static int test_aspace_protect(void)
{
	long f, g;

	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), RW));
	CHECK_OK(g, frame_alloc_map(TWIN_VA(1), RX));
	*(volatile uint64_t *)TWIN_VA(0) = 99;

	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RW), 0);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), R), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), R);
	CHECK(*(volatile uint64_t *)TWIN_VA(0) == 99);
	/* Only removes rights. */
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RW), E_PERM);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RX), E_PERM);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(1), RIGHT_EXEC), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(1)), RIGHT_EXEC);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(1), R), E_PERM);
	/* The validity rules of MAP. */
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), 0), E_INVAL);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RIGHT_WRITE), E_INVAL);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RIGHT_GRANT), E_INVAL);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RW | RIGHT_EXEC), E_INVAL);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0) + 8, R), E_INVAL);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, 0, R), E_RANGE);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, USER_TOP, R), E_RANGE);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(2), R), E_NOENT);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), R);

	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(1)), 0);
	cap_delete(f);
	cap_delete(g);
	return 0;
}

static int test_aspace_rights(void)
{
	long ro, wo, f;

	CHECK_OK(ro, slot_alloc());
	CHECK_OK(wo, slot_alloc());
	CHECK_OK(f, new_frame());
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_ASPACE, ro, RIGHT_READ), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_ASPACE, wo, RIGHT_WRITE), 0);
	CHECK_EQ(INV3(ro, ASPACE_MAP, f, TWIN_VA(0), R), E_PERM);
	CHECK_EQ(INV3(wo, ASPACE_MAP, f, TWIN_VA(0), RW), 0);
	CHECK_EQ(INV1(ro, ASPACE_QUERY, TWIN_VA(0)), RW);
	CHECK_EQ(INV1(wo, ASPACE_QUERY, TWIN_VA(0)), E_PERM);
	CHECK_EQ(INV2(ro, ASPACE_PROTECT, TWIN_VA(0), R), E_PERM);
	CHECK_EQ(INV1(ro, ASPACE_UNMAP, TWIN_VA(0)), E_PERM);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), RW);
	CHECK_EQ(INV2(wo, ASPACE_PROTECT, TWIN_VA(0), R), 0);
	CHECK_EQ(INV1(wo, ASPACE_UNMAP, TWIN_VA(0)), 0);
	cap_delete(f);
	cap_delete(wo);
	cap_delete(ro);
	return 0;
}

/* Mappings in another aspace are its own, and go when it goes. */
static int test_aspace_other(void)
{
	const unsigned long va = 0x50000000UL; /* not mapped in the root aspace */
	kstats_t k0, k1;
	long as, f;

	CHECK_EQ(kstats(&k0), 0);
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_OK(f, frame_alloc_map(TWIN_VA(0), RW));
	*(volatile uint64_t *)TWIN_VA(0) = 7;
	CHECK_EQ(INV3(as, ASPACE_MAP, f, va, R), 0);
	CHECK_EQ(INV1(as, ASPACE_QUERY, va), R);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, va), 0);
	CHECK_EQ(INV1(as, ASPACE_QUERY, TWIN_VA(0)), 0);
	/* The child's mapping keeps the frame after its cap and our mapping go. */
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(cap_delete(f), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK(k1.frames_free < k0.frames_free);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.frames_free, k0.frames_free);
	CHECK_EQ(k1.objects[CAP_ASPACE], k0.objects[CAP_ASPACE]);
	return 0;
}

/* Device frames map like frames (read-only here: no MMIO is touched). */
static int test_aspace_devframe(void)
{
	const bootinfo_device_t *d = NULL;
	capinfo_t ci;

	for (uint32_t i = 0; i < test_bi->ndevices && i < BOOTINFO_MAX_DEVICES; i++) {
		if (test_bi->devices[i].npages > 0) {
			d = &test_bi->devices[i];
			break;
		}
	}
	if (d == NULL)
		return 0; /* nothing to map on this platform */
	ci = cap_info(SLOT_CSPACE, d->first_slot);
	CHECK_EQ(ci.type, CAP_DEVFRAME);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, d->first_slot, TWIN_VA(0), R), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, TWIN_VA(0)), R);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, d->first_slot, TWIN_VA(1), RIGHT_WRITE), E_INVAL);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	return 0;
}

const test_t tests_aspace[] = {
    {"aspace_map_query", test_aspace_map_query}, {"aspace_map_errors", test_aspace_map_errors},
    {"aspace_low_page", test_aspace_low_page},	 {"aspace_unmap_errors", test_aspace_unmap_errors},
    {"aspace_protect", test_aspace_protect},	 {"aspace_rights", test_aspace_rights},
    {"aspace_other", test_aspace_other},	 {"aspace_devframe", test_aspace_devframe},
};
const int tests_aspace_count = sizeof(tests_aspace) / sizeof(tests_aspace[0]);
