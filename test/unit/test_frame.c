/*
 * Host tests for kern/frame.c over a fake physical memory: allocation,
 * references, exhaustion, reserve rules, poisoning, and that the checker
 * and the asserts catch corruption and double frees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <abi/error.h>
#include <kern/frame.h>

#include "unit.h"

UNIT_MAIN("frame");

/* fake_ram, fake_pa2kva, fake_kva2pa: test/unit/fake_ram.c */

/* panic() from kern/assert.h: jump back into the test that expects it. */
static jmp_buf panic_jmp;
static int panic_armed, panics;

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("    (expected) panic: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	panics++;
	if (!panic_armed)
		abort();
	longjmp(panic_jmp, 1);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("    kprintf: ");
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* Two RAM ranges with a hole: [base, base+64p) and [base+128p, base+160p). */
#define BASE   0x80000000UL
#define NPAGES 160
static frame_range_t ram[2] = {
    {BASE, 64 * PAGE_SIZE},
    {BASE + 128 * PAGE_SIZE, 32 * PAGE_SIZE},
};
static void *storage;

static void setup(void)
{
	free(fake_ram);
	free(storage);
	fake_ram_base = BASE;
	fake_ram_size = NPAGES * PAGE_SIZE;
	fake_ram = malloc(fake_ram_size);
	memset(fake_ram, 0x5a, fake_ram_size);
	storage = malloc(frame_table_bytes(ram, 2));
	if (frame_init(storage, ram, 2))
		abort();
}

static void test_init_counts(void)
{
	setup();
	CHECK_EQ(frame_table_bytes(ram, 2), 96 * 16);
	CHECK_EQ(frame_reserve(BASE, 3 * PAGE_SIZE, FRAME_FIRMWARE), 3);
	/* Unaligned: rounded outward to pages 10 and 11. */
	CHECK_EQ(frame_reserve(BASE + 10 * PAGE_SIZE + 100, PAGE_SIZE, FRAME_KERNEL), 2);
	/* Overlap keeps the first kind and is not counted twice. */
	CHECK_EQ(frame_reserve(BASE + 2 * PAGE_SIZE, 2 * PAGE_SIZE, FRAME_KERNEL), 1);
	/* The hole and beyond RAM are clipped. */
	CHECK_EQ(frame_reserve(BASE + 60 * PAGE_SIZE, 80 * PAGE_SIZE, FRAME_KERNEL), 4 + 12);
	CHECK_EQ(frame_reserve(BASE + 500 * PAGE_SIZE, PAGE_SIZE, FRAME_KERNEL), 0);
	CHECK_EQ(frame_reserve(BASE, 0, FRAME_KERNEL), 0);
	frame_seal();
	CHECK_EQ(frame_kind(BASE + 2 * PAGE_SIZE), FRAME_FIRMWARE);
	CHECK_EQ(frame_kind(BASE + 3 * PAGE_SIZE), FRAME_KERNEL);
	CHECK_EQ(frame_refs(BASE), 1);
	CHECK(!frame_is_ram(BASE + 64 * PAGE_SIZE));
	CHECK(frame_is_ram(BASE + 159 * PAGE_SIZE));
	CHECK(!frame_is_ram(BASE + 160 * PAGE_SIZE));
	CHECK(!frame_is_ram(BASE - PAGE_SIZE));

	frame_stats_t st;
	frame_get_stats(&st);
	CHECK_EQ(st.total, 96);
	CHECK_EQ(st.free, 96 - 3 - 2 - 1 - 16);
	CHECK_EQ(st.by_kind[FRAME_FIRMWARE], 3);
	CHECK_EQ(st.by_kind[FRAME_KERNEL], 19);
	CHECK_EQ(frame_check(true), 0);
}

static void test_init_rejects(void)
{
	frame_range_t overlap[2] = {{BASE, 8 * PAGE_SIZE}, {BASE + 4 * PAGE_SIZE, PAGE_SIZE}};
	frame_range_t many[FRAME_MAX_RANGES + 1] = {{0, 0}};
	char buf[16 * 16];
	CHECK_EQ(frame_init(buf, overlap, 2), E_INVAL);
	CHECK_EQ(frame_init(buf, many, FRAME_MAX_RANGES + 1), E_NOSPC);
	/* Unaligned range: rounded inward. */
	frame_range_t odd = {BASE + 1, 3 * PAGE_SIZE};
	CHECK_EQ(frame_table_bytes(&odd, 1), 2 * 16);
}

static void test_alloc_all(void)
{
	setup();
	frame_seal();
	size_t free0 = frame_free_count();
	paddr_t got[NPAGES], pa;
	size_t n = 0;
	CHECK_EQ(free0, 96);
	while (frame_alloc(FRAME_USER, &pa) == 0) {
		CHECK(n < NPAGES);
		got[n++] = pa;
		CHECK_EQ(pa & PAGE_MASK, 0);
		CHECK(frame_is_ram(pa));
		const uint8_t *p = fake_pa2kva(pa);
		for (size_t i = 0; i < PAGE_SIZE; i++)
			CHECK_EQ(p[i], 0);
		memset(fake_pa2kva(pa), 0x11, PAGE_SIZE);
	}
	CHECK_EQ(n, 96);
	CHECK_EQ(frame_free_count(), 0);
	CHECK_EQ(frame_alloc(FRAME_USER, &pa), E_NOMEM);
	/* All distinct, lowest address first. */
	CHECK_EQ(got[0], BASE);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			CHECK(got[i] != got[j]);
	CHECK_EQ(frame_check(true), 0);
	for (size_t i = 0; i < n; i++)
		frame_unref(got[i]);
	CHECK_EQ(frame_free_count(), 96);
	CHECK_EQ(frame_check(true), 0);
	/* Frames come back zeroed after poisoning. */
	CHECK_EQ(frame_alloc(FRAME_KOBJ, &pa), 0);
	CHECK_EQ(*(uint64_t *)fake_pa2kva(pa), 0);
	CHECK_EQ(frame_kind(pa), FRAME_KOBJ);
}

static void test_refs(void)
{
	setup();
	frame_seal();
	paddr_t pa;
	CHECK_EQ(frame_alloc(FRAME_USER, &pa), 0);
	frame_ref(pa);
	frame_ref(pa);
	CHECK_EQ(frame_refs(pa), 3);
	frame_unref(pa);
	frame_unref(pa);
	CHECK_EQ(frame_refs(pa), 1);
	CHECK_EQ(frame_kind(pa), FRAME_USER);
	CHECK_EQ(frame_free_count(), 95);
	frame_unref(pa);
	CHECK_EQ(frame_refs(pa), 0);
	CHECK_EQ(frame_kind(pa), FRAME_FREE);
	CHECK_EQ(frame_free_count(), 96);
	/* Poisoned on free. */
	CHECK_EQ(*(uint64_t *)fake_pa2kva(pa), 0xdeadbeefdeadbeefULL);
	CHECK_EQ(frame_check(true), 0);
}

static void test_double_free_detected(void)
{
	setup();
	frame_seal();
	paddr_t pa;
	CHECK_EQ(frame_alloc(FRAME_USER, &pa), 0);
	frame_unref(pa);
	panics = 0;
	panic_armed = 1;
	if (setjmp(panic_jmp) == 0)
		frame_unref(pa);
	panic_armed = 0;
	CHECK_EQ(panics, 1);
	CHECK_EQ(frame_free_count(), 96);
	CHECK_EQ(frame_check(true), 0);
}

static void test_ref_of_free_detected(void)
{
	setup();
	frame_seal();
	panics = 0;
	panic_armed = 1;
	if (setjmp(panic_jmp) == 0)
		frame_ref(BASE);
	panic_armed = 0;
	CHECK_EQ(panics, 1);
}

static void test_use_after_free_detected(void)
{
	setup();
	frame_seal();
	paddr_t pa, again;
	CHECK_EQ(frame_alloc(FRAME_USER, &pa), 0);
	frame_unref(pa);
	((uint8_t *)fake_pa2kva(pa))[123] = 7; /* write after free */
	CHECK_EQ(frame_check(false), 0);       /* shallow check does not read pages */
	CHECK_EQ(frame_check(true), E_CORRUPT);
	panics = 0;
	panic_armed = 1;
	if (setjmp(panic_jmp) == 0)
		frame_alloc(FRAME_USER, &again); /* LIFO: gets pa back, sees it */
	panic_armed = 0;
	CHECK_EQ(panics, 1);
}

/* frame_check notices a corrupted free list. */
static void test_check_detects_corruption(void)
{
	setup();
	frame_seal();
	paddr_t pa;
	CHECK_EQ(frame_alloc(FRAME_USER, &pa), 0);
	CHECK_EQ(frame_check(false), 0);
	/* Make the allocated frame look free without listing it. */
	struct {
		uint32_t refs;
		uint8_t kind;
	} *raw = storage;
	raw = (void *)((char *)storage + 16 * ((pa - BASE) >> PAGE_SHIFT));
	raw->refs = 0;
	CHECK_EQ(frame_check(false), E_CORRUPT);
	raw->refs = 1;
	CHECK_EQ(frame_check(false), 0);
	/* A cycle in the free list. */
	uint32_t *next = (uint32_t *)((char *)storage + 16 * 1 + 8);
	uint32_t saved = *next;
	*next = 1;
	CHECK_EQ(frame_check(false), E_CORRUPT);
	*next = saved;
	CHECK_EQ(frame_check(false), 0);
}

static void test_kind_names(void)
{
	CHECK(strcmp(frame_kind_name(FRAME_PAGETABLE), "pagetable") == 0);
	CHECK(strcmp(frame_kind_name((frame_kind_t)99), "?") == 0);
}

int main(void)
{
	RUN(test_init_counts);
	RUN(test_init_rejects);
	RUN(test_alloc_all);
	RUN(test_refs);
	RUN(test_double_free_detected);
	RUN(test_ref_of_free_detected);
	RUN(test_use_after_free_detected);
	RUN(test_check_detects_corruption);
	RUN(test_kind_names);
	free(fake_ram);
	free(storage);
	UNIT_EXIT();
}
