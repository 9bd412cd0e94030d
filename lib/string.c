/*
 * The freestanding <string.h> subset the kernel links against.
 *
 * The kernel has no C library, and gcc may emit calls to memcpy, memmove
 * and memset on its own (struct copies, zeroed locals), so these must exist
 * and must never call themselves.  At -O2 gcc's loop-distribution pass
 * recognises a byte-copy or byte-fill loop and replaces it with a call to
 * memcpy/memset; inside memcpy that is infinite recursion.  Every function
 * here with such a loop is therefore marked STRING_NO_LIBCALL, which turns
 * that pass off for the function alone.
 *
 * The copy and fill routines move 8-byte words when source and destination
 * can both be brought to 8-byte alignment by the same head of single bytes;
 * otherwise they go byte by byte.  They never issue a misaligned load or
 * store: U54 cores trap on those, and the kernel has no emulation for them.
 * Word accesses go through a may_alias type so the kernel stays correct even
 * if built with strict aliasing.
 *
 * No locks, no state: every function only touches the memory it is given.
 */
#include <stdint.h>
#include <string.h>

#define STRING_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

typedef uint64_t __attribute__((may_alias)) string_word_t;

#define WORD_SIZE sizeof(string_word_t)
#define WORD_MASK (WORD_SIZE - 1)

/* True when both addresses sit at the same offset within a word. */
static inline int string_coaligned(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & WORD_MASK) == 0;
}

/* Copy n bytes upwards, lowest address first; safe when dst <= src. */
STRING_NO_LIBCALL
static void string_copy_up(unsigned char *d, const unsigned char *s, size_t n)
{
	if (string_coaligned(d, s)) {
		while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
			*d++ = *s++;
			n--;
		}
		while (n >= WORD_SIZE) {
			*(string_word_t *)d = *(const string_word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
			n -= WORD_SIZE;
		}
	}
	while (n > 0) {
		*d++ = *s++;
		n--;
	}
}

/* Copy n bytes downwards, highest address first; safe when dst >= src. */
STRING_NO_LIBCALL
static void string_copy_down(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (string_coaligned(d, s)) {
		while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
			*--d = *--s;
			n--;
		}
		while (n >= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(string_word_t *)d = *(const string_word_t *)s;
			n -= WORD_SIZE;
		}
	}
	while (n > 0) {
		*--d = *--s;
		n--;
	}
}

/* Copy n bytes from src to dst; the ranges must not overlap.  Returns dst. */
STRING_NO_LIBCALL
void *memcpy(void *dst, const void *src, size_t n)
{
	string_copy_up(dst, src, n);
	return dst;
}

/* Copy n bytes from src to dst; the ranges may overlap.  Returns dst. */
STRING_NO_LIBCALL
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* Compare as integers: the two pointers may be into different objects. */
	if ((uintptr_t)d < (uintptr_t)s)
		string_copy_up(d, s, n);
	else
		string_copy_down(d, s, n);
	return dst;
}

/* Set n bytes at dst to (unsigned char)c.  Returns dst. */
STRING_NO_LIBCALL
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;
	string_word_t word = byte * (uint64_t)0x0101010101010101ull;

	while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
		*d++ = byte;
		n--;
	}
	/* Eight words per iteration (kernel objects and page-sized blocks). */
	while (n >= 8 * WORD_SIZE) {
		string_word_t *w = (string_word_t *)d;
		w[0] = word;
		w[1] = word;
		w[2] = word;
		w[3] = word;
		w[4] = word;
		w[5] = word;
		w[6] = word;
		w[7] = word;
		d += 8 * WORD_SIZE;
		n -= 8 * WORD_SIZE;
	}
	while (n >= WORD_SIZE) {
		*(string_word_t *)d = word;
		d += WORD_SIZE;
		n -= WORD_SIZE;
	}
	while (n > 0) {
		*d++ = byte;
		n--;
	}
	return dst;
}

/*
 * Compare n bytes as unsigned char.  Returns <0, 0 or >0 as a sorts
 * before, equal to or after b.
 */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] - q[i];
	}
	return 0;
}

/* The first of the n bytes at s equal to (unsigned char)c, or NULL. */
void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char want = (unsigned char)c;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == want)
			return (void *)(p + i);
	}
	return NULL;
}

/* The number of bytes before the terminating NUL of s. */
STRING_NO_LIBCALL
size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Like strlen, but reads at most max bytes and returns at most max. */
STRING_NO_LIBCALL
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Compare NUL-terminated strings as unsigned char; result as for memcmp. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

/* Like strcmp, but compares at most n bytes. */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] - q[i];
		if (p[i] == '\0')
			break;
	}
	return 0;
}

/*
 * The first occurrence of (char)c in s, or NULL.  The terminator counts as
 * part of the string, so strchr(s, '\0') points at it.
 */
char *strchr(const char *s, int c)
{
	char want = (char)c;

	for (;; s++) {
		if (*s == want)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

/*
 * The first occurrence of needle in hay, or NULL.  An empty needle matches
 * at hay.  Quadratic in the worst case, which is fine for kernel strings.
 */
char *strstr(const char *hay, const char *needle)
{
	size_t len = strlen(needle);

	if (len == 0)
		return (char *)hay;
	for (; *hay != '\0'; hay++) {
		if (*hay == *needle && strncmp(hay, needle, len) == 0)
			return (char *)hay;
	}
	return NULL;
}
