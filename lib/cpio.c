/*
 * Reader of "newc" cpio archives (the initrd format).
 *
 * A record is a 110-byte ASCII header ("070701" and 13 fields of 8 hex
 * digits), the name with its NUL (namesize bytes), padding to a multiple of
 * 4 counted from the start of the archive, filesize bytes of data and
 * padding again.  The archive ends with the record named "TRAILER!!!".
 *
 * Invariants kept by cpio_next(): every byte it reads lies in
 * archive[0..len), checked before the read with overflow-free comparisons
 * ("n > len - off" with off <= len known); a returned record lies wholly in
 * the buffer, its padding included; and each record is at least 112 bytes,
 * so a walk always advances and ends at the trailer or with E_BADFMT.
 * Padding bytes are never examined.  The name is the bytes before the
 * first NUL among the namesize name bytes; a name without a NUL is refused.
 *
 * No state outside the call; safe to run concurrently on shared data.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <abi/error.h>
#include <lib/cpio.h>

enum {
	HDR_MAGIC_LEN = 6,
	HDR_FIELD_LEN = 8,
	HDR_NFIELDS = 13,
	HDR_LEN = HDR_MAGIC_LEN + HDR_NFIELDS * HDR_FIELD_LEN,
};

/* Field indices, in header order. */
enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
};

_Static_assert(HDR_LEN == 110, "newc header length");

static const char cpio_magic[HDR_MAGIC_LEN] = {'0', '7', '0', '7', '0', '1'};
static const char cpio_trailer[] = "TRAILER!!!";

/* Parse 8 hex digits (either case) at p into *v; false on a non-digit. */
static bool cpio_hex8(const char *p, uint32_t *v)
{
	uint32_t x = 0, d;
	int i;

	for (i = 0; i < HDR_FIELD_LEN; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = (uint32_t)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = (uint32_t)(p[i] - 'a' + 10);
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = (uint32_t)(p[i] - 'A' + 10);
		else
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

/*
 * Advance *pos past n bytes and the padding to a multiple of 4 that
 * follows, if all of that fits in len; *pos <= len on entry.
 */
static bool cpio_skip(size_t *pos, uint64_t n, size_t len)
{
	size_t end, pad;

	if (n > len - *pos)
		return false;
	end = *pos + (size_t)n;
	pad = (4 - (end & 3)) & 3;
	if (pad > len - end)
		return false;
	*pos = end + pad;
	return true;
}

int cpio_next(const void *archive, size_t len, size_t *offset, cpio_entry_t *out)
{
	const char *a = archive;
	const char *name, *nul, *data;
	uint32_t f[HDR_NFIELDS];
	size_t pos;
	int i;

	if (!offset || !out || (!archive && len > 0))
		return E_INVAL;
	pos = *offset;
	if (pos > len || len - pos < HDR_LEN)
		return E_BADFMT;
	if (memcmp(a + pos, cpio_magic, HDR_MAGIC_LEN) != 0)
		return E_BADFMT;
	for (i = 0; i < HDR_NFIELDS; i++)
		if (!cpio_hex8(a + pos + HDR_MAGIC_LEN + i * HDR_FIELD_LEN, &f[i]))
			return E_BADFMT;
	pos += HDR_LEN;
	name = a + pos;
	if (f[F_NAMESIZE] == 0 || !cpio_skip(&pos, f[F_NAMESIZE], len))
		return E_BADFMT;
	nul = memchr(name, '\0', f[F_NAMESIZE]);
	if (!nul)
		return E_BADFMT;
	data = a + pos;
	if (!cpio_skip(&pos, f[F_FILESIZE], len))
		return E_BADFMT;
	out->data = data;
	out->name = name;
	out->namelen = (size_t)(nul - name);
	out->size = f[F_FILESIZE];
	out->mode = f[F_MODE];
	*offset = pos;
	if (out->namelen == sizeof(cpio_trailer) - 1 &&
	    memcmp(name, cpio_trailer, sizeof(cpio_trailer) - 1) == 0)
		return 0;
	return 1;
}

void cpio_strip(const char **s, size_t *n)
{
	for (;;) {
		if (*n >= 2 && (*s)[0] == '.' && (*s)[1] == '/') {
			*s += 2;
			*n -= 2;
		} else if (*n >= 1 && (*s)[0] == '/') {
			*s += 1;
			*n -= 1;
		} else {
			return;
		}
	}
}

int cpio_find(const void *archive, size_t len, const char *name, cpio_entry_t *out)
{
	cpio_entry_t e, found;
	const char *en;
	size_t off = 0, n, en_len;
	bool have = false;
	int r;

	if (!name || !out)
		return E_INVAL;
	n = strlen(name);
	cpio_strip(&name, &n);
	while ((r = cpio_next(archive, len, &off, &e)) == 1) {
		en = e.name;
		en_len = e.namelen;
		cpio_strip(&en, &en_len);
		if (n > 0 && en_len == n && memcmp(en, name, n) == 0 &&
		    (e.mode & CPIO_MODE_TYPE) == CPIO_MODE_REG) {
			found = e;
			have = true;
		}
	}
	if (r < 0)
		return r;
	if (!have)
		return E_NOENT;
	*out = found;
	return 0;
}
