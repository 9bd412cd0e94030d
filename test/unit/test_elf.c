/*
 * Unit tests for lib/elf.c: acceptance of images built here and of a real
 * linker output (test/fixtures/hello.elf), one case per rejection rule with
 * its exact error code, truncation at every length and random corruption.
 * Every parse reads from an exactly-sized heap copy, so ASan aborts the
 * binary on any read past the end.  Run from the repository root.
 *
 * hello.elf was made from this program (x.c):
 *     static volatile int counter = 1;
 *     static volatile char buf[256];
 *     void _start(void) { for (;;) { counter++; buf[counter & 255] = 1; } }
 * with riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -static
 * -O2 -Wl,-Ttext=0x10000 -o hello.elf x.c; riscv64-unknown-elf-strip.
 */
#include <abi/error.h>
#include <lib/elf.h>
#include <string.h>

#include "unit.h"

UNIT_MAIN("test_elf");

#define LO		    0x1000ull	    /* user window used by most cases */
#define HI		    0x4000000000ull /* Sv39 user half */
#define PF_R		    ELF_SEG_R
#define PF_W		    ELF_SEG_W
#define PF_X		    ELF_SEG_X
#define PT_LOAD		    1
#define PT_NOTE		    4
#define PT_GNU_STACK	    0x6474e551u
#define PT_RISCV_ATTRIBUTES 0x70000003u
#define MAXPH		    20
#define BUFCAP		    0x4000

/* A program header to build; the builder fills the payload it covers. */
typedef struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
} ph_t;

/* An image under construction: program headers at 64, payload after. */
typedef struct img {
	uint64_t entry;
	int nph;
	ph_t ph[MAXPH];
	uint8_t buf[BUFCAP];
	size_t len;
} img_t;

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Lay out img->buf from entry and ph[]; len covers headers and file data. */
static void build(img_t *m)
{
	uint8_t *b = m->buf;
	size_t end = 64 + (size_t)m->nph * 56;

	memset(b, 0, BUFCAP);
	memcpy(b, "\177ELF\2\1\1", 7);
	put(b + 16, 2, 2);   /* ET_EXEC */
	put(b + 18, 243, 2); /* EM_RISCV */
	put(b + 20, 1, 4);
	put(b + 24, m->entry, 8);
	put(b + 32, 64, 8);
	put(b + 52, 64, 2);
	put(b + 54, 56, 2);
	put(b + 56, (uint64_t)m->nph, 2);
	for (int i = 0; i < m->nph; i++) {
		const ph_t *h = &m->ph[i];
		uint8_t *p = b + 64 + 56 * i;

		put(p, h->type, 4);
		put(p + 4, h->flags, 4);
		put(p + 8, h->offset, 8);
		put(p + 16, h->vaddr, 8);
		put(p + 24, h->vaddr, 8);
		put(p + 32, h->filesz, 8);
		put(p + 40, h->memsz, 8);
		put(p + 48, 0x1000, 8);
		if (h->type == PT_LOAD && h->offset + h->filesz <= BUFCAP &&
		    h->offset + h->filesz > end)
			end = h->offset + h->filesz;
	}
	for (size_t i = 64 + (size_t)m->nph * 56; i < end; i++)
		b[i] = (uint8_t)(i * 7 + 1);
	m->len = end;
}

/* The reference image: a note, data (listed first), text, a stack marker. */
static void make_valid(img_t *m)
{
	memset(m, 0, sizeof(*m));
	m->entry = 0x10100;
	m->nph = 4;
	m->ph[0] = (ph_t){PT_NOTE, PF_R, 0x180, 0, 0x20, 0x20};
	m->ph[1] = (ph_t){PT_LOAD, PF_R | PF_W, 0x1000, 0x11000, 0x10, 0x2000};
	m->ph[2] = (ph_t){PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x200, 0x200};
	m->ph[3] = (ph_t){PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0};
	build(m);
}

/* Parse an exactly-sized heap copy of data[0..len). */
static int parse_copy(const void *data, size_t len, uint64_t lo, uint64_t hi, elf_image_t *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, data, len);
	r = elf_parse(copy, len, lo, hi, out);
	free(copy);
	return r;
}

static int parse_img(img_t *m, elf_image_t *out)
{
	return parse_copy(m->buf, m->len, LO, HI, out);
}

/* Rebuild m after a change to its program headers and parse it. */
static int rebuild_parse(img_t *m)
{
	elf_image_t out;

	build(m);
	return parse_img(m, &out);
}

static uint8_t *fixture_read(const char *name, size_t *len)
{
	char path[256];
	uint8_t *buf = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "test/fixtures/%s", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Properties every accepted image must have, whatever the input was. */
static int image_sane(const elf_image_t *im, size_t len, uint64_t lo, uint64_t hi)
{
	int entry_ok = 0;

	if (im->nsegments < 1 || im->nsegments > ELF_MAX_SEGMENTS)
		return 0;
	for (size_t i = 0; i < im->nsegments; i++) {
		const elf_segment_t *s = &im->seg[i];
		uint64_t last = s->vaddr + s->memsz - 1;

		if (s->memsz == 0 || s->filesz > s->memsz || s->offset > len ||
		    s->filesz > len - s->offset || last < s->vaddr)
			return 0;
		if ((s->vaddr & ~0xfffull) < lo || (last | 0xfff) > hi - 1)
			return 0;
		if ((s->flags & ~7u) || (s->flags & 3) == 3 || (s->vaddr ^ s->offset) & 0xfff)
			return 0;
		if (i > 0 &&
		    (im->seg[i - 1].vaddr + im->seg[i - 1].memsz - 1) >> 12 >= s->vaddr >> 12)
			return 0;
		if ((s->flags & PF_X) && im->entry >= s->vaddr && im->entry <= last)
			entry_ok = 1;
	}
	return entry_ok;
}

/* ------------------------------------------------------------ accept -- */

static void test_accept_built(void)
{
	img_t m;
	elf_image_t out;

	make_valid(&m);
	CHECK_EQ(m.len, 0x1010);
	CHECK_EQ(parse_img(&m, &out), 0);
	CHECK_EQ(out.entry, 0x10100);
	CHECK_EQ(out.nsegments, 2);
	CHECK_EQ(out.seg[0].vaddr, 0x10000);
	CHECK_EQ(out.seg[0].offset, 0);
	CHECK_EQ(out.seg[0].filesz, 0x200);
	CHECK_EQ(out.seg[0].memsz, 0x200);
	CHECK_EQ(out.seg[0].flags, ELF_SEG_R | ELF_SEG_X);
	CHECK_EQ(out.seg[1].vaddr, 0x11000);
	CHECK_EQ(out.seg[1].offset, 0x1000);
	CHECK_EQ(out.seg[1].filesz, 0x10);
	CHECK_EQ(out.seg[1].memsz, 0x2000);
	CHECK_EQ(out.seg[1].flags, ELF_SEG_R | ELF_SEG_W);
	CHECK(image_sane(&out, m.len, LO, HI));
}

/* Misaligned buffers work: all loads are byte-wise. */
static void test_accept_misaligned(void)
{
	static img_t m;
	elf_image_t out;
	uint8_t *buf;

	make_valid(&m);
	buf = malloc(m.len + 8);
	CHECK(buf != NULL);
	for (int shift = 1; shift < 8; shift++) {
		memcpy(buf + shift, m.buf, m.len);
		CHECK_EQ(elf_parse(buf + shift, m.len, LO, HI, &out), 0);
		CHECK_EQ(out.nsegments, 2);
		CHECK_EQ(out.seg[1].memsz, 0x2000);
	}
	free(buf);
}

static void test_accept_fixture(void)
{
	size_t len = 0;
	uint8_t *f = fixture_read("hello.elf", &len);
	elf_image_t out;

	CHECK(f != NULL);
	CHECK_EQ(parse_copy(f, len, LO, HI, &out), 0);
	CHECK_EQ(out.entry, 0x10000);
	CHECK_EQ(out.nsegments, 2);
	CHECK_EQ(out.seg[0].vaddr & 0xfff, 0);
	CHECK(out.seg[0].vaddr <= 0x10000);
	CHECK_EQ(out.seg[0].flags, ELF_SEG_R | ELF_SEG_X);
	CHECK_EQ(out.seg[1].flags, ELF_SEG_R | ELF_SEG_W);
	CHECK(out.seg[1].memsz > out.seg[1].filesz); /* has .bss */
	CHECK(image_sane(&out, len, LO, HI));
	/* The window is page-granular: the text page must be inside it. */
	CHECK_EQ(parse_copy(f, len, out.seg[0].vaddr + 1, HI, &out), E_RANGE);
	free(f);
}

/* Other program header types are ignored, however odd their fields. */
static void test_ignore_other_types(void)
{
	img_t m;

	make_valid(&m);
	m.ph[0] = (ph_t){PT_RISCV_ATTRIBUTES, PF_R, 0xffffffffffff0000ull, 0, 0x53, 0};
	m.ph[3] = (ph_t){PT_GNU_STACK, PF_R | PF_W | PF_X, ~0ull, ~0ull, ~0ull, 1};
	CHECK_EQ(rebuild_parse(&m), 0);
}

/* A PT_LOAD with memsz 0 is skipped, not checked, not counted. */
static void test_skip_empty(void)
{
	img_t m;
	elf_image_t out;

	make_valid(&m);
	m.ph[0] = (ph_t){PT_LOAD, PF_R | PF_W | PF_X, 0x123457, ~0ull, 0, 0};
	build(&m);
	CHECK_EQ(parse_img(&m, &out), 0);
	CHECK_EQ(out.nsegments, 2);
	CHECK_EQ(out.seg[0].vaddr, 0x10000);
}

/* Segments in adjacent pages are fine; ELF_MAX_SEGMENTS of them too. */
static void test_max_segments(void)
{
	static img_t m;
	elf_image_t out;

	memset(&m, 0, sizeof(m));
	m.entry = 0x10000;
	m.nph = ELF_MAX_SEGMENTS + 1;
	for (int i = 0; i < ELF_MAX_SEGMENTS; i++) {
		uint64_t va = 0x10000 + 0x1000ull * (uint64_t)i;

		m.ph[i] = (ph_t){PT_LOAD, i ? PF_R : PF_R | PF_X, 0, va, 0x10, 0x1000};
	}
	m.ph[ELF_MAX_SEGMENTS] = (ph_t){PT_LOAD, PF_R, 0, 0x90000, 0, 0}; /* empty */
	build(&m);
	CHECK_EQ(parse_img(&m, &out), 0);
	CHECK_EQ(out.nsegments, ELF_MAX_SEGMENTS);
	for (int i = 0; i < ELF_MAX_SEGMENTS; i++)
		CHECK_EQ(out.seg[i].vaddr, 0x10000 + 0x1000 * i);
	CHECK(image_sane(&out, m.len, LO, HI));
	m.ph[ELF_MAX_SEGMENTS].memsz = 1; /* now a 17th real segment */
	CHECK_EQ(rebuild_parse(&m), E_NOSPC);
}

/* ------------------------------------------------------------ header -- */

/* Parse the reference image with n bytes at off replaced by v. */
static int parse_patched(size_t off, uint64_t v, int n)
{
	static img_t m;
	elf_image_t out;

	make_valid(&m);
	put(m.buf + off, v, n);
	return parse_img(&m, &out);
}

static void test_reject_short(void)
{
	img_t m;
	elf_image_t out;

	make_valid(&m);
	CHECK_EQ(parse_copy(m.buf, 0, LO, HI, &out), E_BADFMT);
	CHECK_EQ(parse_copy(m.buf, 63, LO, HI, &out), E_BADFMT);
	CHECK_EQ(elf_parse(NULL, 0, LO, HI, &out), E_BADFMT);
}

static void test_reject_magic(void)
{
	CHECK_EQ(parse_patched(0, 0x7e, 1), E_BADFMT);
	CHECK_EQ(parse_patched(1, 'e', 1), E_BADFMT);
	CHECK_EQ(parse_patched(2, 'l', 1), E_BADFMT);
	CHECK_EQ(parse_patched(3, 'f', 1), E_BADFMT);
}

static void test_reject_class(void)
{
	CHECK_EQ(parse_patched(4, 1, 1), E_BADFMT); /* ELFCLASS32 */
	CHECK_EQ(parse_patched(4, 0, 1), E_BADFMT);
}

static void test_reject_endian(void)
{
	CHECK_EQ(parse_patched(5, 2, 1), E_BADFMT); /* ELFDATA2MSB */
	CHECK_EQ(parse_patched(5, 0, 1), E_BADFMT);
}

static void test_reject_version(void)
{
	CHECK_EQ(parse_patched(6, 0, 1), E_BADFMT); /* EI_VERSION */
	CHECK_EQ(parse_patched(6, 2, 1), E_BADFMT);
	CHECK_EQ(parse_patched(20, 0, 4), E_BADFMT); /* e_version */
	CHECK_EQ(parse_patched(20, 0x101, 4), E_BADFMT);
}

static void test_reject_machine(void)
{
	CHECK_EQ(parse_patched(18, 62, 2), E_BADFMT); /* EM_X86_64 */
	CHECK_EQ(parse_patched(18, 243 + 0x100, 2), E_BADFMT);
}

static void test_reject_type(void)
{
	CHECK_EQ(parse_patched(16, 3, 2), E_BADFMT); /* ET_DYN */
	CHECK_EQ(parse_patched(16, 1, 2), E_BADFMT); /* ET_REL */
	CHECK_EQ(parse_patched(16, 4, 2), E_BADFMT); /* ET_CORE */
}

static void test_reject_sizes(void)
{
	CHECK_EQ(parse_patched(52, 63, 2), E_BADFMT); /* e_ehsize */
	CHECK_EQ(parse_patched(52, 52, 2), E_BADFMT);
	CHECK_EQ(parse_patched(54, 32, 2), E_BADFMT); /* e_phentsize */
	CHECK_EQ(parse_patched(54, 64, 2), E_BADFMT);
	CHECK_EQ(parse_patched(54, 0, 2), E_BADFMT);
}

static void test_reject_phdr_table(void)
{
	/* Table starting past the end, ending past the end, overflowing. */
	CHECK_EQ(parse_patched(32, 0x1011, 8), E_BADFMT);
	CHECK_EQ(parse_patched(32, 0x1010 - 4 * 56 + 1, 8), E_BADFMT);
	CHECK_EQ(parse_patched(32, ~0ull - 100, 8), E_BADFMT);
	CHECK_EQ(parse_patched(32, ~0ull, 8), E_BADFMT);
	CHECK_EQ(parse_patched(56, 0xfffe, 2), E_BADFMT); /* count past end */
	CHECK_EQ(parse_patched(56, 0xffff, 2), E_BADFMT); /* PN_XNUM */
	CHECK_EQ(parse_patched(32, 64, 8), 0);
}

/* PN_XNUM (the real count lives in section 0) is refused even when the
 * table of 0xffff entries would fit in the file. */
static void test_reject_xnum(void)
{
	static img_t m;
	size_t len = 64 + 0xffff * 56;
	uint8_t *buf = calloc(1, len);
	elf_image_t out;

	CHECK(buf != NULL);
	make_valid(&m);
	memcpy(buf, m.buf, 64 + 4 * 56); /* headers; the rest is PT_NULL */
	put(buf + 56, 0xffff, 2);
	CHECK_EQ(elf_parse(buf, len, LO, HI, &out), E_BADFMT);
	put(buf + 56, 0xfffe, 2); /* the same table without the marker is fine */
	CHECK_EQ(elf_parse(buf, len, LO, HI, &out), 0);
	free(buf);
}

static void test_reject_no_load(void)
{
	img_t m;

	make_valid(&m);
	m.ph[1].type = PT_NOTE;
	m.ph[2].type = PT_GNU_STACK;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.nph = 0;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	make_valid(&m);
	m.ph[1].memsz = m.ph[1].filesz = 0; /* only empty loads left */
	m.ph[2].memsz = m.ph[2].filesz = 0;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
}

static void test_reject_bad_args(void)
{
	img_t m;
	elf_image_t out;

	make_valid(&m);
	CHECK_EQ(elf_parse(m.buf, m.len, LO, HI, NULL), E_INVAL);
	CHECK_EQ(elf_parse(NULL, m.len, LO, HI, &out), E_INVAL);
	CHECK_EQ(elf_parse(m.buf, m.len, HI, HI, &out), E_INVAL);
	CHECK_EQ(elf_parse(m.buf, m.len, HI, LO, &out), E_INVAL);
}

/* ---------------------------------------------------------- segments -- */

static void test_reject_filesz_gt_memsz(void)
{
	img_t m;

	make_valid(&m);
	m.ph[1].memsz = 0xf;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	make_valid(&m);
	m.ph[1].memsz = 0; /* an "empty" segment with file data */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
}

static void test_reject_file_range(void)
{
	img_t m;
	elf_image_t out;

	make_valid(&m);
	m.ph[1].filesz = 0x11; /* one byte past the end */
	build(&m);
	CHECK_EQ(parse_copy(m.buf, 0x1010, LO, HI, &out), E_BADFMT);
	make_valid(&m);
	m.ph[1].offset = 0x2000; /* starts past the end */
	m.ph[1].vaddr = 0x12000;
	m.ph[1].filesz = 0;
	build(&m);
	CHECK_EQ(parse_copy(m.buf, 0x1010, LO, HI, &out), E_BADFMT);
	make_valid(&m);
	m.ph[1].offset = 0xfffffffffffff000ull; /* offset past the end */
	m.ph[1].filesz = 0x1010;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	make_valid(&m);
	m.ph[1].offset = 0x1000; /* offset + filesz wraps to 0 */
	m.ph[1].vaddr = 0;
	m.ph[1].filesz = m.ph[1].memsz = 0ull - 0x1000;
	build(&m);
	CHECK_EQ(parse_copy(m.buf, 0x1010, LO, HI, &out), E_BADFMT); /* not E_RANGE */
}

static void test_reject_vaddr_overflow(void)
{
	img_t m;

	make_valid(&m);
	m.ph[1].vaddr = 0xfffffffffffff000ull;
	m.ph[1].memsz = 0x1000; /* ends exactly at 2^64 */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].memsz = 0x2000;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].memsz = 0xfff; /* no overflow, but far outside the window */
	CHECK_EQ(rebuild_parse(&m), E_RANGE);
}

static void test_reject_range(void)
{
	img_t m;
	elf_image_t out;

	make_valid(&m);
	CHECK_EQ(parse_copy(m.buf, m.len, 0x10000, 0x13000, &out), 0); /* exact fit */
	CHECK_EQ(parse_copy(m.buf, m.len, 0x11000, HI, &out), E_RANGE);
	CHECK_EQ(parse_copy(m.buf, m.len, 0x10001, HI, &out), E_RANGE);
	CHECK_EQ(parse_copy(m.buf, m.len, LO, 0x12fff, &out), E_RANGE);
	CHECK_EQ(parse_copy(m.buf, m.len, LO, 0x11000, &out), E_RANGE);
	CHECK_EQ(parse_copy(m.buf, m.len, 0x20000, HI, &out), E_RANGE);
	/* Whole pages count: a window edge inside a segment's page. */
	make_valid(&m);
	m.ph[2] = (ph_t){PT_LOAD, PF_R | PF_X, 0x100, 0x10100, 0x100, 0x100};
	m.ph[1].memsz = 0x1800;
	build(&m);
	CHECK_EQ(parse_copy(m.buf, m.len, 0x10000, 0x13000, &out), 0);
	CHECK_EQ(parse_copy(m.buf, m.len, 0x10080, 0x13000, &out), E_RANGE);
	CHECK_EQ(parse_copy(m.buf, m.len, 0x10000, 0x12900, &out), E_RANGE);
	make_valid(&m);
	m.ph[1].vaddr = HI; /* above the window */
	m.ph[1].offset = 0x1000;
	CHECK_EQ(rebuild_parse(&m), E_RANGE);
	m.ph[1].vaddr = HI - 0x1000; /* straddles hi */
	m.ph[1].memsz = 0x1001;
	CHECK_EQ(rebuild_parse(&m), E_RANGE);
	m.ph[1].vaddr = 0; /* below lo */
	m.ph[1].memsz = 0x10;
	CHECK_EQ(rebuild_parse(&m), E_RANGE);
}

static void test_reject_incongruent(void)
{
	img_t m;

	make_valid(&m);
	m.ph[1].offset = 0x1008;
	m.ph[1].filesz = 0x8;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	make_valid(&m);
	m.ph[1].vaddr = 0x11800; /* same page as before, different offset */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].offset = 0x800; /* congruent again */
	CHECK_EQ(rebuild_parse(&m), 0);
}

static void test_reject_overlap(void)
{
	img_t m;

	make_valid(&m);
	m.ph[1].vaddr = 0x10800; /* shares the text page 0x10000 */
	m.ph[1].offset = 0x800;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].vaddr = 0x10000; /* identical start */
	m.ph[1].offset = 0x1000;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	make_valid(&m);
	m.ph[1].vaddr = 0xf000; /* below text, its last page is text's first */
	m.ph[1].memsz = 0x1001;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].memsz = 0x1000; /* ends right where text starts */
	CHECK_EQ(rebuild_parse(&m), 0);
	m.ph[1].vaddr = 0x8000; /* a big segment covering text entirely */
	m.ph[1].memsz = 0x20000;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
}

/* A big segment that covers two later ones, which do not overlap. */
static void test_reject_overlap_far(void)
{
	img_t m;

	make_valid(&m);
	m.nph = 5;
	m.ph[3] = (ph_t){PT_LOAD, PF_R, 0x1000, 0x21000, 0x10, 0x10};
	m.ph[4] = (ph_t){PT_LOAD, PF_R, 0x1000, 0x23000, 0x10, 0x10};
	CHECK_EQ(rebuild_parse(&m), 0);
	m.ph[1].memsz = 0x20000; /* data now spans 0x11000..0x31000 */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].memsz = 0x10001; /* reaches into 0x21000 only */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].memsz = 0x10000;
	CHECK_EQ(rebuild_parse(&m), 0);
}

static void test_reject_wx(void)
{
	img_t m;
	elf_image_t out;

	make_valid(&m);
	m.ph[1].flags = PF_R | PF_W | PF_X;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].flags = PF_W | PF_X;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.ph[1].flags = PF_R | PF_W | 0xf0000000u; /* OS/processor bits dropped */
	build(&m);
	CHECK_EQ(parse_img(&m, &out), 0);
	CHECK_EQ(out.seg[1].flags, ELF_SEG_R | ELF_SEG_W);
}

static void test_reject_entry(void)
{
	img_t m;

	make_valid(&m);
	m.entry = 0x11000; /* in data, which is not executable */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.entry = 0x10200; /* one past the end of text */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.entry = 0xffff; /* just below text */
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.entry = 0;
	CHECK_EQ(rebuild_parse(&m), E_BADFMT);
	m.entry = 0x101ff; /* last byte of text */
	CHECK_EQ(rebuild_parse(&m), 0);
	m.entry = 0x10000;
	CHECK_EQ(rebuild_parse(&m), 0);
}

/* A rejected image leaves *out untouched. */
static void test_out_untouched(void)
{
	img_t m;
	elf_image_t out, before;

	make_valid(&m);
	m.entry = 0x11000;
	build(&m);
	memset(&out, 0xa5, sizeof(out));
	before = out;
	CHECK_EQ(parse_img(&m, &out), E_BADFMT);
	CHECK(memcmp(&out, &before, sizeof(out)) == 0);
}

/* -------------------------------------------------- hostile inputs -- */

/* Every prefix parses without reading past it; prefixes that cut file
 * data fail, prefixes holding all headers and file data succeed. */
static void truncate_all(const uint8_t *data, size_t len)
{
	elf_image_t out;
	size_t need, phend, l;
	int r;

	CHECK_EQ(parse_copy(data, len, LO, HI, &out), 0);
	phend = 64 + 56 * (size_t)(data[56] | data[57] << 8);
	need = 0;
	for (size_t i = 0; i < out.nsegments; i++)
		if (out.seg[i].offset + out.seg[i].filesz > need)
			need = out.seg[i].offset + out.seg[i].filesz;
	for (l = 0; l <= len; l++) {
		r = parse_copy(data, l, LO, HI, &out);
		if (l < need || l < phend)
			CHECK(r < 0);
		else
			CHECK_EQ(r, 0);
	}
}

static void test_truncate_built(void)
{
	static img_t m;

	make_valid(&m);
	truncate_all(m.buf, m.len);
}

static void test_truncate_fixture(void)
{
	size_t len = 0;
	uint8_t *f = fixture_read("hello.elf", &len);

	CHECK(f != NULL);
	truncate_all(f, len);
	free(f);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Boundary values that corrupt() writes over 8-byte fields. */
static const uint64_t special[] = {
    0, 1, 0xfff, 0x1000, 0x10000, 0x7fffffff, 0xffffffffull, ~0ull, ~0ull - 0xfff, 1ull << 63,
};

/* Damage a copy of data in a few random places, mostly in the headers,
 * sometimes with boundary values, sometimes cutting it short. */
static size_t corrupt(uint8_t *buf, size_t len)
{
	size_t hot = len < 512 ? len : 512;
	int n = 1 + (int)(rng() % 6);

	while (n-- > 0) {
		size_t at = (rng() % 4) ? rng() % hot : rng() % len;

		if (rng() % 4 == 0 && at + 8 <= len)
			put(buf + at, special[rng() % (sizeof(special) / sizeof(special[0]))], 8);
		else
			buf[at] = (uint8_t)rng();
	}
	if (rng() % 8 == 0)
		len = rng() % (len + 1);
	return len;
}

static void fuzz(const uint8_t *data, size_t len, int iters, int *accepted)
{
	elf_image_t out;
	uint8_t *buf;
	size_t l;
	int r;

	for (int i = 0; i < iters; i++) {
		buf = malloc(len);
		memcpy(buf, data, len);
		l = corrupt(buf, len);
		r = parse_copy(buf, l, LO, HI, &out);
		free(buf);
		CHECK(r == 0 || r == E_BADFMT || r == E_RANGE || r == E_NOSPC);
		if (r == 0) {
			CHECK(image_sane(&out, l, LO, HI));
			++*accepted;
		}
	}
}

static void test_fuzz(void)
{
	static img_t m;
	size_t len = 0;
	uint8_t *f = fixture_read("hello.elf", &len);
	int accepted = 0;

	CHECK(f != NULL);
	rng_state = 0x9e3779b97f4a7c15ull;
	make_valid(&m);
	fuzz(m.buf, m.len, 5000, &accepted);
	fuzz(f, len, 5000, &accepted);
	free(f);
	/* Many corruptions hit harmless bytes; both outcomes must occur. */
	CHECK(accepted > 100 && accepted < 9900);
}

int main(void)
{
	RUN(test_accept_built);
	RUN(test_accept_misaligned);
	RUN(test_accept_fixture);
	RUN(test_ignore_other_types);
	RUN(test_skip_empty);
	RUN(test_max_segments);
	RUN(test_reject_short);
	RUN(test_reject_magic);
	RUN(test_reject_class);
	RUN(test_reject_endian);
	RUN(test_reject_version);
	RUN(test_reject_machine);
	RUN(test_reject_type);
	RUN(test_reject_sizes);
	RUN(test_reject_phdr_table);
	RUN(test_reject_xnum);
	RUN(test_reject_no_load);
	RUN(test_reject_bad_args);
	RUN(test_reject_filesz_gt_memsz);
	RUN(test_reject_file_range);
	RUN(test_reject_vaddr_overflow);
	RUN(test_reject_range);
	RUN(test_reject_incongruent);
	RUN(test_reject_overlap);
	RUN(test_reject_overlap_far);
	RUN(test_reject_wx);
	RUN(test_reject_entry);
	RUN(test_out_untouched);
	RUN(test_truncate_built);
	RUN(test_truncate_fixture);
	RUN(test_fuzz);
	UNIT_EXIT();
}
