/*
 * Unit tests for lib/cpio.c: the reader on an archive made by GNU cpio
 * (test/fixtures/initrd-sample.cpio) and on archives written here, and its
 * refusal of hostile ones (bad headers, truncation at every length, random
 * corruption).  Every read goes through an exactly-sized heap copy, so ASan
 * aborts the binary on any read past the end.  Run from the repository root.
 *
 * initrd-sample.cpio was made with:
 *     printf 'hello\n' > a.txt && mkdir d && printf 'xyz' > d/b &&
 *     (echo a.txt; echo d; echo d/b) | cpio -o -H newc
 */
#include <abi/error.h>
#include <lib/cpio.h>
#include <string.h>

#include "unit.h"

UNIT_MAIN("test_cpio");

#define ARC_CAP	   8192
#define SAMPLE_END 480 /* end of the fixture's trailer record */
#define MODE_REG   0100644u
#define MODE_DIR   0040755u

/* An archive under construction. */
typedef struct arc {
	uint8_t buf[ARC_CAP];
	size_t len;
} arc_t;

/* Append one record with explicit header values; namesize and filesize
 * may disagree with the bytes actually written (name_bytes, data_len). */
static void arc_raw(arc_t *a, const char *name, size_t name_bytes, uint32_t namesize, uint32_t mode,
		    const void *data, size_t data_len, uint32_t filesize)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 0x1234u, mode, 0u, 0u, 1u, 0x5f000000u, filesize, 0u, 0u, 0u, 0u, namesize, 0u);
	memcpy(a->buf + a->len, hdr, 110);
	a->len += 110;
	memcpy(a->buf + a->len, name, name_bytes);
	a->len += name_bytes;
	while (a->len % 4)
		a->buf[a->len++] = 0xee; /* padding may be anything */
	memcpy(a->buf + a->len, data, data_len);
	a->len += data_len;
	while (a->len % 4)
		a->buf[a->len++] = 0xdd;
}

static void arc_add(arc_t *a, const char *name, uint32_t mode, const char *data)
{
	size_t n = strlen(name) + 1, d = strlen(data);

	arc_raw(a, name, n, (uint32_t)n, mode, data, d, (uint32_t)d);
}

static void arc_trailer(arc_t *a)
{
	arc_add(a, "TRAILER!!!", 0, "");
}

/* init, a directory, a nested file, in the "./" style of `find .`. */
static void arc_sample(arc_t *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, ".", MODE_DIR, "");
	arc_add(a, "./init", MODE_REG | 0111, "\177ELF-ish");
	arc_add(a, "./etc", MODE_DIR, "");
	arc_add(a, "./etc/motd", MODE_REG, "welcome\n");
	arc_add(a, "./link", 0120777u, "init");
	arc_trailer(a);
}

static uint8_t *copy_of(const void *data, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	if (len)
		memcpy(c, data, len);
	return c;
}

/* cpio_find on a copy that is freed on return: only out's scalars remain
 * meaningful, its pointers dangle. */
static int find_copy(const void *data, size_t len, const char *name, cpio_entry_t *out)
{
	uint8_t *c = copy_of(data, len);
	int r = cpio_find(c, len, name, out);

	free(c);
	return r;
}

/* Walk a copy to the end; returns the last cpio_next result and the
 * number of entries before it.  Checks each entry lies inside. */
static int walk_copy(const void *data, size_t len, int *entries)
{
	uint8_t *c = copy_of(data, len);
	size_t off = 0, prev;
	cpio_entry_t e;
	int r;

	*entries = 0;
	for (;;) {
		prev = off;
		r = cpio_next(c, len, &off, &e);
		if (r <= 0)
			break;
		++*entries;
		if (off <= prev || off > len || (const uint8_t *)e.name < c ||
		    (const uint8_t *)e.name + e.namelen >= c + len || e.name[e.namelen] != '\0' ||
		    (const uint8_t *)e.data < c || e.size > len ||
		    (const uint8_t *)e.data + e.size > c + len) {
			r = -100; /* a broken invariant */
			break;
		}
	}
	free(c);
	return r;
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

static int entry_is(const cpio_entry_t *e, const char *name, const char *data, size_t size)
{
	return e->namelen == strlen(name) && strcmp(e->name, name) == 0 && e->size == size &&
	       memcmp(e->data, data, size) == 0;
}

/* ------------------------------------------------------------ accept -- */

static void test_fixture_iterate(void)
{
	size_t len = 0, off = 0;
	uint8_t *f = fixture_read("initrd-sample.cpio", &len);
	uint8_t *c;
	cpio_entry_t e;

	CHECK(f != NULL);
	CHECK_EQ(len, 512);
	c = copy_of(f, len);
	free(f);
	CHECK_EQ(cpio_next(c, len, &off, &e), 1);
	CHECK(entry_is(&e, "a.txt", "hello\n", 6));
	CHECK_EQ(e.mode & CPIO_MODE_TYPE, CPIO_MODE_REG);
	CHECK_EQ(cpio_next(c, len, &off, &e), 1);
	CHECK(entry_is(&e, "d", "", 0));
	CHECK_EQ(e.mode & CPIO_MODE_TYPE, CPIO_MODE_DIR);
	CHECK_EQ(cpio_next(c, len, &off, &e), 1);
	CHECK(entry_is(&e, "d/b", "xyz", 3));
	CHECK_EQ(e.mode & CPIO_MODE_TYPE, CPIO_MODE_REG);
	CHECK_EQ(off % 4, 0);
	CHECK_EQ(cpio_next(c, len, &off, &e), 0);
	CHECK_EQ(off, SAMPLE_END);
	CHECK(entry_is(&e, "TRAILER!!!", "", 0));
	free(c);
}

static void test_fixture_find(void)
{
	size_t len = 0;
	uint8_t *f = fixture_read("initrd-sample.cpio", &len);
	cpio_entry_t e;

	CHECK(f != NULL);
	CHECK_EQ(find_copy(f, len, "a.txt", &e), 0);
	CHECK_EQ(e.size, 6);
	CHECK_EQ(find_copy(f, len, "./a.txt", &e), 0);
	CHECK_EQ(find_copy(f, len, "/a.txt", &e), 0);
	CHECK_EQ(find_copy(f, len, "d/b", &e), 0);
	CHECK_EQ(e.size, 3);
	CHECK_EQ(find_copy(f, len, "./d/b", &e), 0);
	CHECK_EQ(find_copy(f, len, "d", &e), E_NOENT); /* a directory */
	CHECK_EQ(find_copy(f, len, "b", &e), E_NOENT);
	CHECK_EQ(find_copy(f, len, "a.tx", &e), E_NOENT);
	CHECK_EQ(find_copy(f, len, "a.txt/", &e), E_NOENT);
	CHECK_EQ(find_copy(f, len, "missing", &e), E_NOENT);
	CHECK_EQ(find_copy(f, len, "TRAILER!!!", &e), E_NOENT);
	CHECK_EQ(find_copy(f, len, "", &e), E_NOENT);
	CHECK_EQ(find_copy(f, len, "./", &e), E_NOENT);
	free(f);
}

static void test_built_find(void)
{
	static arc_t a;
	cpio_entry_t e;
	int n;

	arc_sample(&a);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(cpio_find(a.buf, a.len, "init", &e), 0); /* e points into a.buf */
	CHECK(entry_is(&e, "./init", "\177ELF-ish", 8));
	CHECK_EQ(e.mode, MODE_REG | 0111);
	CHECK_EQ(find_copy(a.buf, a.len, "/init", &e), 0);
	CHECK_EQ(find_copy(a.buf, a.len, "./init", &e), 0);
	CHECK_EQ(find_copy(a.buf, a.len, ".//./init", &e), 0);
	CHECK_EQ(cpio_find(a.buf, a.len, "etc/motd", &e), 0);
	CHECK(entry_is(&e, "./etc/motd", "welcome\n", 8));
	CHECK_EQ(find_copy(a.buf, a.len, "etc", &e), E_NOENT);
	CHECK_EQ(find_copy(a.buf, a.len, "link", &e), E_NOENT); /* a symlink */
	CHECK_EQ(find_copy(a.buf, a.len, ".", &e), E_NOENT);
	CHECK_EQ(find_copy(a.buf, a.len, "../init", &e), E_NOENT);
	CHECK_EQ(cpio_find(a.buf, a.len, NULL, &e), E_INVAL);
	CHECK_EQ(cpio_find(a.buf, a.len, "init", NULL), E_INVAL);
}

/* The data pointer is zero copy and any alignment works. */
static void test_misaligned(void)
{
	static arc_t a;
	uint8_t *buf;
	cpio_entry_t e;

	arc_sample(&a);
	buf = malloc(a.len + 3);
	CHECK(buf != NULL);
	for (int shift = 1; shift < 4; shift++) {
		memcpy(buf + shift, a.buf, a.len);
		CHECK_EQ(cpio_find(buf + shift, a.len, "etc/motd", &e), 0);
		/* Records of 112, 120 + 8, 116 bytes, then a 124-byte header. */
		CHECK((const uint8_t *)e.data == buf + shift + 480);
		CHECK(memcmp(e.data, "welcome\n", 8) == 0);
	}
	free(buf);
}

/* Later duplicates win, as when extracting; entries after the trailer are
 * not part of the archive; an empty name matches nothing. */
static void test_duplicates_and_trailer(void)
{
	static arc_t a;
	cpio_entry_t e;

	memset(&a, 0, sizeof(a));
	arc_add(&a, "x", MODE_REG, "one");
	arc_add(&a, "./x", MODE_REG, "two!");
	arc_add(&a, "x", MODE_DIR, "");
	arc_add(&a, "./", MODE_REG, "no name"); /* strips to "" */
	arc_trailer(&a);
	arc_add(&a, "x", MODE_REG, "after");
	arc_add(&a, "y", MODE_REG, "after");
	CHECK_EQ(find_copy(a.buf, a.len, "x", &e), 0);
	CHECK_EQ(e.size, 4);
	CHECK_EQ(find_copy(a.buf, a.len, "y", &e), E_NOENT);
	CHECK_EQ(find_copy(a.buf, a.len, "", &e), E_NOENT);
	CHECK_EQ(find_copy(a.buf, a.len, "./", &e), E_NOENT);
	CHECK_EQ(find_copy(a.buf, a.len, "/", &e), E_NOENT);
}

/* Hex digits in either case; names may end before namesize. */
static void test_lenient(void)
{
	static arc_t a;
	cpio_entry_t e;
	size_t off = 0;

	memset(&a, 0, sizeof(a));
	arc_raw(&a, "ab\0zz\0", 6, 6, 0x81a4, "0123456789", 10, 10);
	arc_trailer(&a);
	a.buf[6 + 8 * 1 + 6] = 'a'; /* mode 000081A4 -> 000081a4 */
	CHECK_EQ(cpio_next(a.buf, a.len, &off, &e), 1);
	CHECK_EQ(e.mode, 0x81a4);
	CHECK_EQ(e.namelen, 2);
	CHECK(strcmp(e.name, "ab") == 0);
	CHECK_EQ(e.size, 10);
	CHECK_EQ(find_copy(a.buf, a.len, "ab", &e), 0);
}

/* ------------------------------------------------------------ reject -- */

/* The sample archive with byte at off replaced by c, walked to the end. */
static int walk_patched(size_t off, char c)
{
	static arc_t a;
	int n;

	arc_sample(&a);
	a.buf[off] = (uint8_t)c;
	return walk_copy(a.buf, a.len, &n);
}

static void test_reject_magic(void)
{
	CHECK_EQ(walk_patched(5, '2'), E_BADFMT); /* 070702: crc format */
	CHECK_EQ(walk_patched(5, '7'), E_BADFMT); /* 070707: odc format */
	CHECK_EQ(walk_patched(0, 'x'), E_BADFMT);
	CHECK_EQ(walk_patched(112 + 3, '1'), E_BADFMT); /* second record */
}

/* A bad digit in any of the 13 fields, first or last position. */
static void test_reject_nonhex(void)
{
	static const char bad[] = {'g', 'G', ' ', 'x', '\0', '-', '+', ':', '@', '`'};

	for (int field = 0; field < 13; field++) {
		for (size_t i = 0; i < sizeof(bad); i++) {
			CHECK_EQ(walk_patched(6 + 8 * (size_t)field, bad[i]), E_BADFMT);
			CHECK_EQ(walk_patched(6 + 8 * (size_t)field + 7, bad[i]), E_BADFMT);
		}
	}
}

static void test_reject_namesize_zero(void)
{
	static arc_t a;
	int n;

	memset(&a, 0, sizeof(a));
	arc_raw(&a, "", 0, 0, MODE_REG, "abcd", 4, 4);
	arc_trailer(&a);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
	CHECK_EQ(n, 0);
}

static void test_reject_name_unterminated(void)
{
	static arc_t a;
	cpio_entry_t e;
	int n;

	memset(&a, 0, sizeof(a));
	arc_raw(&a, "abcdefgh", 8, 8, MODE_REG, "abcd", 4, 4); /* no NUL */
	arc_trailer(&a);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
	CHECK_EQ(find_copy(a.buf, a.len, "abcdefgh", &e), E_BADFMT);
	/* A trailer whose name runs to the very end of the buffer. */
	memset(&a, 0, sizeof(a));
	arc_raw(&a, "TRAILER!!!xx", 12, 12, 0, "", 0, 0);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
}

static void test_reject_name_past_end(void)
{
	static arc_t a;
	int n;

	memset(&a, 0, sizeof(a));
	arc_raw(&a, "ab", 3, 0x1000, MODE_REG, "", 0, 0);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
	memset(&a, 0, sizeof(a));
	arc_raw(&a, "ab", 3, 0xffffffffu, MODE_REG, "", 0, 0);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
}

static void test_reject_filesize(void)
{
	static arc_t a;
	cpio_entry_t e;
	int n;

	memset(&a, 0, sizeof(a));
	arc_raw(&a, "f", 2, 2, MODE_REG, "abcd", 4, 0x1000); /* past the end */
	arc_trailer(&a);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
	CHECK_EQ(find_copy(a.buf, a.len, "f", &e), E_BADFMT);
	memset(&a, 0, sizeof(a));
	arc_raw(&a, "f", 2, 2, MODE_REG, "abcd", 4, 0xffffffffu); /* overflow */
	arc_trailer(&a);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
	CHECK_EQ(find_copy(a.buf, a.len, "f", &e), E_BADFMT);
	/* One byte too many: the data would end inside the next header. */
	memset(&a, 0, sizeof(a));
	arc_raw(&a, "f", 2, 2, MODE_REG, "abcd", 4, 5);
	arc_trailer(&a);
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
}

static void test_reject_no_trailer(void)
{
	static arc_t a;
	cpio_entry_t e;
	int n;

	memset(&a, 0, sizeof(a));
	arc_add(&a, "a", MODE_REG, "1");
	arc_add(&a, "b", MODE_REG, "22");
	CHECK_EQ(walk_copy(a.buf, a.len, &n), E_BADFMT);
	CHECK_EQ(n, 2);
	CHECK_EQ(find_copy(a.buf, a.len, "a", &e), E_BADFMT);
	CHECK_EQ(find_copy(a.buf, 0, "a", &e), E_BADFMT); /* empty buffer */
	CHECK_EQ(find_copy(NULL, 0, "a", &e), E_BADFMT);
}

/* Bad offsets and arguments; a failed call changes neither output. */
static void test_reject_args(void)
{
	static arc_t a;
	cpio_entry_t e, before;
	size_t off;

	arc_sample(&a);
	off = a.len + 1;
	CHECK_EQ(cpio_next(a.buf, a.len, &off, &e), E_BADFMT);
	off = (size_t)-1;
	CHECK_EQ(cpio_next(a.buf, a.len, &off, &e), E_BADFMT);
	off = 1;
	memset(&e, 0x5a, sizeof(e));
	before = e;
	CHECK_EQ(cpio_next(a.buf, a.len, &off, &e), E_BADFMT);
	CHECK_EQ(off, 1);
	CHECK(memcmp(&e, &before, sizeof(e)) == 0);
	CHECK_EQ(cpio_next(a.buf, a.len, NULL, &e), E_INVAL);
	CHECK_EQ(cpio_next(a.buf, a.len, &off, NULL), E_INVAL);
	CHECK_EQ(cpio_next(NULL, 4, &off, &e), E_INVAL);
	CHECK_EQ(find_copy(a.buf, a.len, "nope", &e), E_NOENT);
	CHECK(memcmp(&e, &before, sizeof(e)) == 0);
}

/* -------------------------------------------------- hostile inputs -- */

/* Every prefix: reads stay inside, prefixes cutting the trailer fail. */
static void truncate_all(const uint8_t *data, size_t len, size_t end, const char *name)
{
	cpio_entry_t e;
	int n;

	for (size_t l = 0; l <= len; l++) {
		if (l < end) {
			CHECK_EQ(walk_copy(data, l, &n), E_BADFMT);
			CHECK_EQ(find_copy(data, l, name, &e), E_BADFMT);
		} else {
			CHECK_EQ(walk_copy(data, l, &n), 0);
			CHECK_EQ(find_copy(data, l, name, &e), 0);
		}
	}
}

static void test_truncate_fixture(void)
{
	size_t len = 0;
	uint8_t *f = fixture_read("initrd-sample.cpio", &len);

	CHECK(f != NULL);
	truncate_all(f, len, SAMPLE_END, "d/b");
	free(f);
}

static void test_truncate_built(void)
{
	static arc_t a;

	arc_sample(&a);
	truncate_all(a.buf, a.len, a.len, "etc/motd");
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random damage, mostly plausible hex digits so that parsing goes deep. */
static void corrupt(uint8_t *buf, size_t len)
{
	static const char digits[] = "0123456789abcdefABCDEFFFF0000g ";
	int n = 1 + (int)(rng() % 4);

	while (n-- > 0) {
		size_t at = rng() % len;

		if (rng() % 4)
			buf[at] = (uint8_t)digits[rng() % (sizeof(digits) - 1)];
		else
			buf[at] = (uint8_t)rng();
	}
}

static void fuzz(const uint8_t *data, size_t len, int iters, int *ok, int *bad)
{
	uint8_t *buf = malloc(len);
	cpio_entry_t e;
	int n, r;

	for (int i = 0; i < iters; i++) {
		memcpy(buf, data, len);
		corrupt(buf, len);
		r = walk_copy(buf, len, &n);
		CHECK(r == 0 || r == E_BADFMT);
		*(r == 0 ? ok : bad) += 1;
		r = find_copy(buf, len, (i & 1) ? "d/b" : "etc/motd", &e);
		CHECK(r == 0 || r == E_BADFMT || r == E_NOENT);
	}
	free(buf);
}

static void test_fuzz(void)
{
	static arc_t a;
	size_t len = 0;
	uint8_t *f = fixture_read("initrd-sample.cpio", &len);
	int ok = 0, bad = 0;

	CHECK(f != NULL);
	rng_state = 0x2545f4914f6cdd1dull;
	arc_sample(&a);
	fuzz(a.buf, a.len, 4000, &ok, &bad);
	fuzz(f, len, 4000, &ok, &bad);
	free(f);
	CHECK(ok > 100 && bad > 100);
}

int main(void)
{
	RUN(test_fixture_iterate);
	RUN(test_fixture_find);
	RUN(test_built_find);
	RUN(test_misaligned);
	RUN(test_duplicates_and_trailer);
	RUN(test_lenient);
	RUN(test_reject_magic);
	RUN(test_reject_nonhex);
	RUN(test_reject_namesize_zero);
	RUN(test_reject_name_unterminated);
	RUN(test_reject_name_past_end);
	RUN(test_reject_filesize);
	RUN(test_reject_no_trailer);
	RUN(test_reject_args);
	RUN(test_truncate_fixture);
	RUN(test_truncate_built);
	RUN(test_fuzz);
	UNIT_EXIT();
}
