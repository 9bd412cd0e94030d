/*
 * A tiny DTB writer for the FDT and platform unit tests.
 *
 * Tests build small trees token by token, then patch bytes to make them
 * hostile.  The layout is fixed: 40-byte header, reservation map at 40,
 * structure block, strings block; fdtb_finish() returns the total size.
 * Offsets recorded with fdtb_here() are relative to the structure block
 * (add b->struct_off after finishing for a blob offset).  Host-only.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FDTB_STRUCT_MAX	 16384
#define FDTB_STRINGS_MAX 4096
#define FDTB_RSV_MAX	 64
#define FDTB_OUT_MAX	 (40 + FDTB_RSV_MAX * 16 + 16 + FDTB_STRUCT_MAX + FDTB_STRINGS_MAX)

typedef struct fdtb {
	uint8_t st[FDTB_STRUCT_MAX];
	size_t slen;
	char str[FDTB_STRINGS_MAX];
	size_t strsize;
	uint64_t rsv[FDTB_RSV_MAX][2];
	size_t nrsv;
	uint8_t out[FDTB_OUT_MAX];
	size_t struct_off, strings_off, total;
} fdtb_t;

static inline void fdtb_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void fdtb_init(fdtb_t *b)
{
	memset(b, 0, sizeof(*b));
}

static inline size_t fdtb_here(const fdtb_t *b)
{
	return b->slen;
}

static inline void fdtb_u32(fdtb_t *b, uint32_t v)
{
	if (b->slen + 4 <= FDTB_STRUCT_MAX)
		fdtb_put32(b->st + b->slen, v);
	b->slen += 4;
}

static inline void fdtb_bytes(fdtb_t *b, const void *p, size_t len)
{
	if (b->slen + len + 3 <= FDTB_STRUCT_MAX) {
		memcpy(b->st + b->slen, p, len);
		memset(b->st + b->slen + len, 0, (4 - len % 4) % 4);
	}
	b->slen += (len + 3) & ~(size_t)3;
}

static inline void fdtb_begin(fdtb_t *b, const char *name)
{
	fdtb_u32(b, 1);
	fdtb_bytes(b, name, strlen(name) + 1);
}

static inline void fdtb_end(fdtb_t *b)
{
	fdtb_u32(b, 2);
}

static inline uint32_t fdtb_string(fdtb_t *b, const char *name)
{
	size_t off = b->strsize, len = strlen(name) + 1;

	if (off + len <= FDTB_STRINGS_MAX)
		memcpy(b->str + off, name, len);
	b->strsize += len;
	return (uint32_t)off;
}

static inline void fdtb_prop(fdtb_t *b, const char *name, const void *data, size_t len)
{
	fdtb_u32(b, 3);
	fdtb_u32(b, (uint32_t)len);
	fdtb_u32(b, fdtb_string(b, name));
	fdtb_bytes(b, data, len);
}

static inline void fdtb_prop_str(fdtb_t *b, const char *name, const char *s)
{
	fdtb_prop(b, name, s, strlen(s) + 1);
}

/* Property of n big-endian cells. */
static inline void fdtb_prop_cells(fdtb_t *b, const char *name, const uint32_t *cells, size_t n)
{
	uint8_t buf[256];
	size_t i;

	for (i = 0; i < n && i < 64; i++)
		fdtb_put32(buf + 4 * i, cells[i]);
	fdtb_prop(b, name, buf, 4 * i);
}

static inline void fdtb_prop_u32(fdtb_t *b, const char *name, uint32_t v)
{
	fdtb_prop_cells(b, name, &v, 1);
}

static inline void fdtb_rsv(fdtb_t *b, uint64_t addr, uint64_t size)
{
	if (b->nrsv < FDTB_RSV_MAX) {
		b->rsv[b->nrsv][0] = addr;
		b->rsv[b->nrsv][1] = size;
		b->nrsv++;
	}
}

/* Append FDT_END and lay the blob out in b->out; returns its size. */
static inline size_t fdtb_finish(fdtb_t *b)
{
	uint8_t *o = b->out;
	size_t i, off = 40;

	fdtb_u32(b, 9);
	memset(o, 0, sizeof(b->out));
	for (i = 0; i < b->nrsv; i++, off += 16) {
		fdtb_put32(o + off, (uint32_t)(b->rsv[i][0] >> 32));
		fdtb_put32(o + off + 4, (uint32_t)b->rsv[i][0]);
		fdtb_put32(o + off + 8, (uint32_t)(b->rsv[i][1] >> 32));
		fdtb_put32(o + off + 12, (uint32_t)b->rsv[i][1]);
	}
	off += 16;
	b->struct_off = off;
	memcpy(o + off, b->st, b->slen);
	b->strings_off = off + b->slen;
	memcpy(o + b->strings_off, b->str, b->strsize);
	b->total = b->strings_off + b->strsize;
	fdtb_put32(o + 0, 0xd00dfeed);
	fdtb_put32(o + 4, (uint32_t)b->total);
	fdtb_put32(o + 8, (uint32_t)b->struct_off);
	fdtb_put32(o + 12, (uint32_t)b->strings_off);
	fdtb_put32(o + 16, 40);
	fdtb_put32(o + 20, 17);
	fdtb_put32(o + 24, 16);
	fdtb_put32(o + 28, 0);
	fdtb_put32(o + 32, (uint32_t)b->strsize);
	fdtb_put32(o + 36, (uint32_t)b->slen);
	return b->total;
}

/* Read test/fixtures/name into an exactly-sized malloc'd buffer (so ASan
 * catches any overread); NULL if missing.  The caller frees it. */
static inline uint8_t *fixture_load(const char *name, size_t *len)
{
	char path[256];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "test/fixtures/%s", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A copy of blob[0..len) in an exactly-sized buffer (1 byte if len 0). */
static inline uint8_t *fdtb_dup(const void *blob, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, blob, len);
	return p;
}

/* xorshift64*: a seeded, reproducible PRNG for the corruption tests. */
static inline uint64_t fdtb_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Corrupt a copy: flip bytes, or overwrite an aligned word with a value a
 * parser is likely to mishandle.  Returns nothing; blob[len] is edited. */
static inline void fdtb_corrupt(uint8_t *blob, size_t len, uint64_t *rng)
{
	static const uint32_t evil[] = {
	    0,		1,	    2,	  3,	4,    9,	  0xffffffff, 0x7fffffff,
	    0x80000000, 0xfffffffc, 0x10, 0x28, 0x38, 0xd00dfeed, 0x100,      0x3,
	};
	uint64_t r = fdtb_rand(rng);
	size_t i, n = 1 + r % 4, pos;

	for (i = 0; i < n && len >= 4; i++) {
		r = fdtb_rand(rng);
		pos = (size_t)(r >> 8) % len;
		if (r & 1) {
			blob[pos] ^= (uint8_t)(1u << ((r >> 1) % 8));
		} else if (r & 2) {
			blob[pos] = (uint8_t)(r >> 40);
		} else {
			pos &= ~(size_t)3;
			if (pos + 4 <= len)
				fdtb_put32(blob + pos,
					   evil[(r >> 2) % (sizeof(evil) / sizeof(evil[0]))]);
		}
	}
}
