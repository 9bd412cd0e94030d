/*
 * The zero frame and shared mappings: ASPACE_MAP_ZERO (pages backed by the
 * kernel's one frame of zeros, copy-on-write when writable) and
 * ASPACE_SHARE (a frame mapped in another address space, optionally
 * copy-on-write).
 */
#include "utest.h"

#define ZVA    ZWIN	  /* a region nothing else uses */
#define ZPAGES ZWIN_PAGES /* 16 MiB */
#define RW     (RIGHT_READ | RIGHT_WRITE)

static long unmap_range(unsigned long va, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		long e = INV1(SLOT_ASPACE, ASPACE_UNMAP, va + i * PAGE_SIZE);
		if (e)
			return e;
	}
	return 0;
}

/* 16 MiB of zero pages cost page tables only; each first store costs
 * exactly one frame and copies nothing; the rest reads zero. */
static int test_zero_map(void)
{
	kstats_t k0, k1, k2;

	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, ZPAGES, RW), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK(k0.frames_free - k1.frames_free <= 1 + ZPAGES / 512); /* tables only */
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, ZVA), RW);
	/* Loads never allocate. */
	unsigned long sum = 0;
	for (unsigned long i = 0; i < ZPAGES; i += 7)
		sum += *(volatile uint64_t *)(ZVA + i * PAGE_SIZE + 8 * (i % 512));
	CHECK_EQ(sum, 0);
	CHECK_EQ(kstats(&k2), 0);
	CHECK_EQ(k2.frames_free, k1.frames_free);
	/* One store per page in 16 pages: 16 frames, 16 zero fills, no copies. */
	for (unsigned long i = 0; i < 16; i++)
		*(volatile uint8_t *)(ZVA + i * 256 * PAGE_SIZE + 100) = (uint8_t)(i + 1);
	CHECK_EQ(kstats(&k2), 0);
	CHECK_EQ(k1.frames_free - k2.frames_free, 16);
	CHECK_EQ(k2.zero_fills - k1.zero_fills, 16);
	CHECK_EQ(k2.cow_copies, k1.cow_copies);
	for (unsigned long i = 0; i < 16; i++) {
		const volatile uint8_t *p = (const uint8_t *)(ZVA + i * 256 * PAGE_SIZE);
		for (unsigned w = 0; w < PAGE_SIZE; w++)
			CHECK_EQ(p[w], w == 100 ? i + 1 : 0);
	}
	/* A page not written still reads zero: the zero frame was not touched. */
	CHECK_EQ(*(volatile uint64_t *)(ZVA + 5 * PAGE_SIZE), 0);
	CHECK_EQ(unmap_range(ZVA, ZPAGES), 0);
	CHECK_EQ(kstats(&k2), 0);
	CHECK_EQ(k2.frames_free, k0.frames_free); /* the tables went with the last leaf */
	return 0;
}

static void store_zero_page(unsigned long va)
{
	*(volatile uint64_t *)va = 1;
	for (;;)
		sys_yield();
}

static int test_zero_map_errors(void)
{
	kstats_t k0, k1;
	long f, t, ep;

	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA + 8, 1, RW), E_INVAL);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, 0, RW), E_INVAL);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, ZERO_MAX_PAGES + 1, RW), E_INVAL);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, 0, 1, RW), E_RANGE);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, USER_TOP - PAGE_SIZE, 2, RW), E_RANGE);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, 1, RIGHT_READ | RIGHT_EXEC), E_INVAL);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, 1, RIGHT_WRITE), E_INVAL);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, 1, 0), E_INVAL);
	/* Any page of the range already mapped: nothing is mapped. */
	CHECK_OK(f, frame_alloc_map(ZVA + 3 * PAGE_SIZE, RW));
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, 8, RW), E_EXISTS);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, ZVA), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, ZVA + 3 * PAGE_SIZE), 0);
	CHECK_EQ(cap_delete(f), 0);
	/* Read-only zero pages: a store is a page fault for the handler. */
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP_ZERO, ZVA, 1, RIGHT_READ), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, ZVA), RIGHT_READ);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(t, spawn((thread_fn_t)store_zero_page, ZVA, 1, 17, ep));
	sysret_t r = sys_recv(ep, 0);
	CHECK_EQ(MSG_LABEL(r.r[0]), FAULT_LABEL);
	CHECK_EQ(r.r[1], 15);
	CHECK_EQ(r.r[2], ZVA);
	kill_thread(t);
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(*(volatile uint64_t *)ZVA, 0);
	CHECK_EQ(unmap_range(ZVA, 1), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK(k0.frames_free - k1.frames_free <= 2); /* page tables made on the way */
	return 0;
}

/* ASPACE_SHARE: a read-only frame seen at a second address, and a
 * copy-on-write view whose stores stay private. */
static int test_share(void)
{
	long f, as;
	kstats_t k0, k1;
	const unsigned long A = ZVA, B = ZVA + 0x10000, C = ZVA + 0x20000;

	CHECK_OK(f, frame_alloc_map(A, RW));
	for (unsigned w = 0; w < 512; w++)
		((volatile uint64_t *)A)[w] = 0x5ea0000 + w;
	/* A writable source cannot be shared copy-on-write. */
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A, C, RW, SHARE_COW), E_PERM);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, A, RIGHT_READ), 0);
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A, B, RIGHT_READ, 0), 0);
	CHECK_EQ(((volatile uint64_t *)B)[7], 0x5ea0007);
	/* Not more than the source's rights, unless copy-on-write. */
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A, C, RW, 0), E_PERM);
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A, C, RW, SHARE_COW), 0);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_QUERY, C), RW);
	((volatile uint64_t *)C)[7] = 42; /* copies the page */
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.cow_copies, k0.cow_copies + 1);
	CHECK_EQ(((volatile uint64_t *)C)[7], 42);
	CHECK_EQ(((volatile uint64_t *)C)[8], 0x5ea0008);
	CHECK_EQ(((volatile uint64_t *)A)[7], 0x5ea0007); /* the source is intact */
	CHECK_EQ(((volatile uint64_t *)B)[7], 0x5ea0007);
	/* Errors. */
	CHECK_EQ(
	    INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A + 0x30000, ZVA + 0x40000, RIGHT_READ, 0),
	    E_NOENT);
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A, B, RIGHT_READ, 0), E_EXISTS);
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A, ZVA + 0x40000, RIGHT_READ, 2),
		 E_INVAL);
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, f, A, ZVA + 0x40000, RIGHT_READ, 0), E_TYPE);
	CHECK_EQ(INV5(SLOT_ASPACE, ASPACE_SHARE, SLOT_ASPACE, A + 1, ZVA + 0x40000, RIGHT_READ, 0),
		 E_INVAL);
	/* Into another address space, and gone with it. */
	CHECK_OK(as, obj_create(CAP_ASPACE, 0));
	CHECK_EQ(INV5(as, ASPACE_SHARE, SLOT_ASPACE, A, A, RIGHT_READ, 0), 0);
	CHECK_EQ(INV1(as, ASPACE_QUERY, A), RIGHT_READ);
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(unmap_range(A, 1), 0);
	CHECK_EQ(unmap_range(B, 1), 0);
	CHECK_EQ(unmap_range(C, 1), 0);
	CHECK_EQ(cap_delete(f), 0);
	return 0;
}

const test_t tests_zero[] = {
    {"zero_map", test_zero_map},
    {"zero_map_errors", test_zero_map_errors},
    {"share", test_share},
};
const int tests_zero_count = sizeof(tests_zero) / sizeof(tests_zero[0]);
