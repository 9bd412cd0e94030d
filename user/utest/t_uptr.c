/*
 * Bad user pointers: every kind the kernel must refuse with E_FAULT (and
 * never crash on), for each call that takes a pointer: DEBUG_PUTS,
 * DEBUG_STATS, THREAD_READ_REGS, THREAD_WRITE_REGS.
 *
 * Layout used here: TWIN_VA(0) read-write, TWIN_VA(1) read-only,
 * TWIN_VA(2) unmapped, TOP_PAGE (the last page below 2^38) read-write.
 */
#include <string.h>

#include "utest.h"

#define RW (RIGHT_READ | RIGHT_WRITE)

typedef struct layout {
	long rw, ro, top;
} layout_t;

static int layout_map(layout_t *l)
{
	CHECK_OK(l->rw, frame_alloc_map(TWIN_VA(0), RW));
	CHECK_OK(l->ro, frame_alloc_map(TWIN_VA(1), RIGHT_READ));
	CHECK_OK(l->top, frame_alloc_map(TOP_PAGE, RW));
	return 0;
}

static void layout_unmap(const layout_t *l)
{
	INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0));
	INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(1));
	INV1(SLOT_ASPACE, ASPACE_UNMAP, TOP_PAGE);
	cap_delete(l->rw);
	cap_delete(l->ro);
	cap_delete(l->top);
}

/* Pointers that are bad for any access of len bytes. */
static int bad_pointers(unsigned long len, unsigned long out[6])
{
	out[0] = 0;		       /* NULL */
	out[1] = KERNEL_VA;	       /* kernel half */
	out[2] = TWIN_VA(2);	       /* unmapped */
	out[3] = TWIN_VA(2) - len / 2; /* runs from a mapped page into an unmapped one */
	out[4] = USER_TOP - len / 2;   /* straddles the top of user space */
	out[5] = ~0UL - len / 2;       /* pointer + length wraps around */
	return 6;
}

static int test_uptr_puts(void)
{
	static const char top_msg[] = "utest: string at the top of user space\n";
	unsigned long bad[6];
	layout_t l;
	int n;

	if (layout_map(&l) < 0)
		return TEST_FAILED;
	memset((void *)TWIN_VA(0), 'x', PAGE_SIZE);
	n = bad_pointers(16, bad);
	for (int i = 0; i < n; i++) {
		if (INV2(SLOT_DEBUG, DEBUG_PUTS, bad[i], 16) != E_FAULT)
			return FAIL("DEBUG_PUTS(%#lx, 16) is not E_FAULT", bad[i]);
	}
	/* Input may end exactly at 2^38 (read-only input: utest/debug_puts). */
	memcpy((void *)(USER_TOP - (sizeof(top_msg) - 1)), top_msg, sizeof(top_msg) - 1);
	CHECK(INV2(SLOT_DEBUG, DEBUG_PUTS, USER_TOP - (sizeof(top_msg) - 1), sizeof(top_msg) - 1) >=
	      0);
	layout_unmap(&l);
	return 0;
}

static int test_uptr_stats(void)
{
	const unsigned long len = sizeof(kstats_t);
	unsigned long bad[6];
	layout_t l;
	int n;

	if (layout_map(&l) < 0)
		return TEST_FAILED;
	n = bad_pointers(len, bad);
	for (int i = 0; i < n; i++) {
		if (INV1(SLOT_DEBUG, DEBUG_STATS, bad[i]) != E_FAULT)
			return FAIL("DEBUG_STATS(%#lx) is not E_FAULT", bad[i]);
	}
	/* Output into read-only memory, wholly or in part. */
	CHECK_EQ(INV1(SLOT_DEBUG, DEBUG_STATS, BOOTINFO_ADDR), E_FAULT);
	CHECK_EQ(INV1(SLOT_DEBUG, DEBUG_STATS, TWIN_VA(1)), E_FAULT);
	CHECK_EQ(INV1(SLOT_DEBUG, DEBUG_STATS, TWIN_VA(1) - len / 2), E_FAULT);
	CHECK_EQ(INV1(SLOT_DEBUG, DEBUG_STATS, (unsigned long)test_uptr_stats), E_FAULT);
	CHECK(test_bi->magic == BOOTINFO_MAGIC);
	/* Right up to the end of user space is fine. */
	CHECK_EQ(INV1(SLOT_DEBUG, DEBUG_STATS, USER_TOP - len), 0);
	CHECK(((kstats_t *)(USER_TOP - len))->frames_total == test_bi->frames_total);
	layout_unmap(&l);
	return 0;
}

static int test_uptr_read_regs(void)
{
	const unsigned long len = NREGS * 8;
	unsigned long bad[6];
	uint64_t regs[NREGS];
	layout_t l;
	long t;
	int n;

	if (layout_map(&l) < 0)
		return TEST_FAILED;
	CHECK_OK(t, parked_thread());
	n = bad_pointers(len, bad);
	for (int i = 0; i < n; i++) {
		if (INV1(t, THREAD_READ_REGS, bad[i]) != E_FAULT)
			return FAIL("THREAD_READ_REGS(%#lx) is not E_FAULT", bad[i]);
	}
	CHECK_EQ(INV1(t, THREAD_READ_REGS, BOOTINFO_ADDR), E_FAULT);
	CHECK_EQ(INV1(t, THREAD_READ_REGS, TWIN_VA(1)), E_FAULT);
	CHECK_EQ(INV1(t, THREAD_READ_REGS, TWIN_VA(1) - len / 2), E_FAULT);
	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)regs), 0);
	CHECK(regs[REG_PC] != 0);
	CHECK_EQ(INV1(t, THREAD_READ_REGS, USER_TOP - len), 0);
	CHECK(memcmp((void *)(USER_TOP - len), regs, len) == 0);
	kill_thread(t);
	layout_unmap(&l);
	return 0;
}

static int test_uptr_write_regs(void)
{
	const unsigned long len = NREGS * 8;
	unsigned long bad[6];
	uint64_t regs[NREGS];
	layout_t l;
	long t;
	int n;

	if (layout_map(&l) < 0)
		return TEST_FAILED;
	CHECK_OK(t, parked_thread());
	n = bad_pointers(len, bad);
	for (int i = 0; i < n; i++) {
		if (INV1(t, THREAD_WRITE_REGS, bad[i]) != E_FAULT)
			return FAIL("THREAD_WRITE_REGS(%#lx) is not E_FAULT", bad[i]);
	}
	/* Input may come from a read-only page, and may end exactly at 2^38. */
	CHECK_EQ(INV1(t, THREAD_READ_REGS, (unsigned long)regs), 0);
	memcpy((void *)TWIN_VA(0), regs, len);
	CHECK_EQ(INV2(SLOT_ASPACE, ASPACE_PROTECT, TWIN_VA(0), RIGHT_READ), 0);
	CHECK_EQ(INV1(t, THREAD_WRITE_REGS, TWIN_VA(0)), 0);
	memcpy((void *)(USER_TOP - len), regs, len);
	CHECK_EQ(INV1(t, THREAD_WRITE_REGS, USER_TOP - len), 0);
	/* A thread may not overwrite its own registers. */
	CHECK_EQ(INV1(SLOT_THREAD, THREAD_WRITE_REGS, (unsigned long)regs), E_BUSY);
	kill_thread(t);
	layout_unmap(&l);
	return 0;
}

const test_t tests_uptr[] = {
    {"uptr_debug_puts", test_uptr_puts},
    {"uptr_debug_stats", test_uptr_stats},
    {"uptr_read_regs", test_uptr_read_regs},
    {"uptr_write_regs", test_uptr_write_regs},
};
const int tests_uptr_count = sizeof(tests_uptr) / sizeof(tests_uptr[0]);
