/*
 * Read-only flattened device tree walker.
 *
 * The blob comes from firmware (or, in the unit tests, from a fuzzer), so
 * nothing in it is trusted.  Every read goes through fdt_token(), which
 * checks that a token, a node name or a property value lies inside the
 * structure block and that a property name lies NUL-terminated inside the
 * strings block.  Each token's successor is strictly past it, so every
 * walk advances and ends at the end of the block at the latest.
 *
 * fdt_init() additionally walks the whole tree once: nesting is balanced
 * and at most FDT_MAX_DEPTH deep, there is exactly one root, the block
 * ends in FDT_END, and the reservation map has its terminator.  There is
 * no mutable global state and no recursion; an fdt_t is read-only after
 * fdt_init(), so any number of harts may walk one concurrently.
 */
#include <abi/error.h>
#include <lib/fdt.h>
#include <string.h>

enum {
	FDT_BEGIN_NODE = 1,
	FDT_END_NODE = 2,
	FDT_PROP = 3,
	FDT_NOP = 4,
	FDT_END = 9,
};

/* Header field offsets; version 16 headers lack size_dt_struct. */
enum {
	HDR_MAGIC = 0,
	HDR_TOTALSIZE = 4,
	HDR_OFF_STRUCT = 8,
	HDR_OFF_STRINGS = 12,
	HDR_OFF_RSV = 16,
	HDR_VERSION = 20,
	HDR_LAST_COMP = 24,
	HDR_BOOT_CPUID = 28,
	HDR_SIZE_STRINGS = 32,
	HDR_SIZE_STRUCT = 36,
	HDR_V16_LEN = 36,
	HDR_V17_LEN = 40,
};

#define RSV_ENTRY_LEN 16u

/* One decoded token of the structure block. */
typedef struct fdt_tok {
	uint32_t type;
	int next;	     /* offset of the following token */
	const char *name;    /* node or property name */
	const uint8_t *data; /* property value */
	uint32_t len;
} fdt_tok_t;

static uint32_t align4(uint32_t x)
{
	return (x + 3u) & ~3u;
}

/* Is strings-block offset nameoff the start of a NUL-terminated string? */
static const char *fdt_string_at(const fdt_t *fdt, uint32_t nameoff)
{
	const uint8_t *strs = fdt->blob + fdt->strings_off;

	if (nameoff >= fdt->strings_size)
		return NULL;
	if (!memchr(strs + nameoff, 0, fdt->strings_size - nameoff))
		return NULL;
	return (const char *)strs + nameoff;
}

/* Decode the token at struct offset off; E_BADFMT if anything of it lies
 * outside the blocks.  On success t->next > off. */
static int fdt_token(const fdt_t *fdt, int off, fdt_tok_t *t)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	uint32_t size = fdt->struct_size, o = (uint32_t)off, end;
	const uint8_t *nul;

	if (off < 0 || o % 4 || size < 4 || o > size - 4)
		return E_BADFMT;
	t->type = fdt_be32(s + o);
	t->next = (int)(o + 4);
	switch (t->type) {
	case FDT_BEGIN_NODE:
		nul = memchr(s + o + 4, 0, size - (o + 4));
		if (!nul)
			return E_BADFMT;
		t->name = (const char *)s + o + 4;
		end = align4((uint32_t)(nul - s) + 1);
		if (end > size)
			return E_BADFMT;
		t->next = (int)end;
		return 0;
	case FDT_PROP:
		if (size - (o + 4) < 8)
			return E_BADFMT;
		t->len = fdt_be32(s + o + 4);
		t->name = fdt_string_at(fdt, fdt_be32(s + o + 8));
		if (!t->name || t->len > size - (o + 12))
			return E_BADFMT;
		t->data = s + o + 12;
		end = align4(o + 12 + t->len);
		if (end > size)
			return E_BADFMT;
		t->next = (int)end;
		return 0;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END: return 0;
	}
	return E_BADFMT;
}

/* Walk the whole structure block once; record the root. */
static int fdt_check_struct(fdt_t *fdt)
{
	fdt_tok_t t;
	int off = 0, depth = 0;
	bool seen_root = false;

	for (;;) {
		if (fdt_token(fdt, off, &t))
			return E_BADFMT;
		switch (t.type) {
		case FDT_BEGIN_NODE:
			if (depth == 0) {
				if (seen_root)
					return E_BADFMT;
				seen_root = true;
				fdt->root = off;
			}
			if (++depth > FDT_MAX_DEPTH)
				return E_BADFMT;
			break;
		case FDT_END_NODE:
			if (depth-- == 0)
				return E_BADFMT;
			break;
		case FDT_PROP:
			if (depth == 0)
				return E_BADFMT;
			break;
		case FDT_END: return seen_root && depth == 0 ? 0 : E_BADFMT;
		}
		off = t.next;
	}
}

/* The reservation map must reach its all-zero terminator inside the blob. */
static int fdt_check_rsv(const fdt_t *fdt)
{
	uint32_t cursor = 0;
	uint64_t addr, size;
	int err;

	while ((err = fdt_rsv_next(fdt, &cursor, &addr, &size)) == 0)
		;
	return err == E_NOENT ? 0 : err;
}

/* Is [off, off + len) inside the blob and clear of the header? */
static bool fdt_block_ok(uint32_t off, uint32_t len, uint32_t hdr, uint32_t total)
{
	return off >= hdr && (uint64_t)off + len <= total;
}

/* Check the header fields and fill the block bounds of *f. */
static int fdt_check_header(fdt_t *f, const uint8_t *b, size_t max_len)
{
	uint32_t last, hdr;

	if (fdt_be32(b + HDR_MAGIC) != FDT_MAGIC)
		return E_BADFMT;
	f->blob = b;
	f->totalsize = fdt_be32(b + HDR_TOTALSIZE);
	f->version = fdt_be32(b + HDR_VERSION);
	last = fdt_be32(b + HDR_LAST_COMP);
	if (f->version < 16 || last > 17)
		return E_BADFMT;
	hdr = f->version >= 17 ? HDR_V17_LEN : HDR_V16_LEN;
	if (f->totalsize < hdr || f->totalsize > max_len || f->totalsize > INT32_MAX)
		return E_BADFMT;
	f->boot_cpuid = fdt_be32(b + HDR_BOOT_CPUID);
	f->rsv_off = fdt_be32(b + HDR_OFF_RSV);
	f->struct_off = fdt_be32(b + HDR_OFF_STRUCT);
	f->strings_off = fdt_be32(b + HDR_OFF_STRINGS);
	f->strings_size = fdt_be32(b + HDR_SIZE_STRINGS);
	if (f->version >= 17)
		f->struct_size = fdt_be32(b + HDR_SIZE_STRUCT);
	else if (f->strings_off > f->struct_off)
		f->struct_size = f->strings_off - f->struct_off;
	else
		f->struct_size = f->totalsize - f->struct_off;
	if (f->rsv_off % 8 || f->struct_off % 4)
		return E_BADFMT;
	if (!fdt_block_ok(f->rsv_off, RSV_ENTRY_LEN, hdr, f->totalsize) ||
	    !fdt_block_ok(f->struct_off, f->struct_size, hdr, f->totalsize) ||
	    !fdt_block_ok(f->strings_off, f->strings_size, hdr, f->totalsize))
		return E_BADFMT;
	return 0;
}

int fdt_init(fdt_t *fdt, const void *blob, size_t max_len)
{
	fdt_t f;
	int err;

	if (!blob || max_len < HDR_V17_LEN)
		return E_BADFMT;
	memset(&f, 0, sizeof(f));
	err = fdt_check_header(&f, blob, max_len);
	if (!err)
		err = fdt_check_rsv(&f);
	if (!err)
		err = fdt_check_struct(&f);
	if (err)
		return err;
	*fdt = f;
	return 0;
}

int fdt_rsv_next(const fdt_t *fdt, uint32_t *cursor, uint64_t *addr, uint64_t *size)
{
	uint64_t off = fdt->rsv_off + (uint64_t)*cursor * RSV_ENTRY_LEN;

	if (off + RSV_ENTRY_LEN > fdt->totalsize)
		return E_BADFMT;
	*addr = fdt_be64(fdt->blob + off);
	*size = fdt_be64(fdt->blob + off + 8);
	if (*addr == 0 && *size == 0)
		return E_NOENT;
	(*cursor)++;
	return 0;
}

int fdt_next_node(const fdt_t *fdt, int node, int *depth)
{
	fdt_tok_t t;
	int d = depth ? *depth : 0, off = node, err;

	if ((err = fdt_token(fdt, off, &t)) || t.type != FDT_BEGIN_NODE)
		return err ? err : E_BADFMT;
	for (;;) {
		off = t.next;
		if ((err = fdt_token(fdt, off, &t)))
			return err;
		if (t.type == FDT_BEGIN_NODE) {
			d++;
			break;
		}
		if (t.type == FDT_END_NODE)
			d--;
		if (t.type == FDT_END) {
			off = E_NOENT;
			break;
		}
	}
	if (depth)
		*depth = d;
	return off;
}

int fdt_first_child(const fdt_t *fdt, int node)
{
	fdt_tok_t t;
	int off = node, err;

	if ((err = fdt_token(fdt, off, &t)) || t.type != FDT_BEGIN_NODE)
		return err ? err : E_BADFMT;
	for (;;) {
		off = t.next;
		if ((err = fdt_token(fdt, off, &t)))
			return err;
		if (t.type == FDT_BEGIN_NODE)
			return off;
		if (t.type == FDT_END_NODE || t.type == FDT_END)
			return E_NOENT;
	}
}

int fdt_next_sibling(const fdt_t *fdt, int node)
{
	int depth = 0;

	/* Each call moves strictly forward, so this ends. */
	while ((node = fdt_next_node(fdt, node, &depth)) >= 0) {
		if (depth == 0)
			return node;
		if (depth < 0)
			return E_NOENT;
	}
	return node;
}

int fdt_parent(const fdt_t *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int cur = fdt->root, depth = 0;

	stack[0] = cur;
	while ((cur = fdt_next_node(fdt, cur, &depth)) >= 0) {
		if (depth < 1 || depth >= FDT_MAX_DEPTH)
			return E_BADFMT;
		stack[depth] = cur;
		if (cur == node)
			return stack[depth - 1];
	}
	return E_NOENT;
}

const char *fdt_node_name(const fdt_t *fdt, int node)
{
	fdt_tok_t t;

	if (fdt_token(fdt, node, &t) || t.type != FDT_BEGIN_NODE)
		return NULL;
	return t.name;
}

bool fdt_name_match(const char *name, const char *want, size_t len)
{
	size_t nlen = strlen(name);

	if (nlen < len || memcmp(name, want, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	return name[len] == '@' && !memchr(want, '@', len);
}

int fdt_subnode(const fdt_t *fdt, int parent, const char *name, size_t len)
{
	const char *cname;
	int child;

	for (child = fdt_first_child(fdt, parent); child >= 0;
	     child = fdt_next_sibling(fdt, child)) {
		cname = fdt_node_name(fdt, child);
		if (cname && fdt_name_match(cname, name, len))
			return child;
	}
	return child;
}

int fdt_lookup_path(const fdt_t *fdt, const char *path, size_t len)
{
	int node = fdt->root;
	size_t i = 1, end;

	if (len == 0 || path[0] != '/')
		return E_BADFMT;
	while (i < len && node >= 0) {
		for (end = i; end < len && path[end] != '/'; end++)
			;
		if (end > i)
			node = fdt_subnode(fdt, node, path + i, end - i);
		i = end + 1;
	}
	return node;
}

/* The first property at or after struct offset off, before any node. */
static int fdt_prop_from(const fdt_t *fdt, int off, fdt_prop_t *prop)
{
	fdt_tok_t t;
	int err;

	for (;;) {
		if ((err = fdt_token(fdt, off, &t)))
			return err;
		if (t.type == FDT_PROP)
			break;
		if (t.type != FDT_NOP)
			return E_NOENT;
		off = t.next;
	}
	prop->name = t.name;
	prop->data = t.data;
	prop->len = t.len;
	prop->offset = off;
	return 0;
}

int fdt_first_prop(const fdt_t *fdt, int node, fdt_prop_t *prop)
{
	fdt_tok_t t;
	int err;

	if ((err = fdt_token(fdt, node, &t)) || t.type != FDT_BEGIN_NODE)
		return err ? err : E_BADFMT;
	return fdt_prop_from(fdt, t.next, prop);
}

int fdt_next_prop(const fdt_t *fdt, fdt_prop_t *prop)
{
	fdt_tok_t t;
	int err;

	if ((err = fdt_token(fdt, prop->offset, &t)) || t.type != FDT_PROP)
		return err ? err : E_BADFMT;
	return fdt_prop_from(fdt, t.next, prop);
}

int fdt_get_prop(const fdt_t *fdt, int node, const char *name, fdt_prop_t *prop)
{
	int err;

	for (err = fdt_first_prop(fdt, node, prop); err == 0; err = fdt_next_prop(fdt, prop))
		if (strcmp(prop->name, name) == 0)
			return 0;
	return err;
}

int fdt_node_phandle(const fdt_t *fdt, int node, uint32_t *phandle)
{
	fdt_prop_t prop;
	int err;

	err = fdt_get_prop(fdt, node, "phandle", &prop);
	if (err == E_NOENT)
		err = fdt_get_prop(fdt, node, "linux,phandle", &prop);
	if (err)
		return err;
	return fdt_prop_u32(&prop, phandle);
}

int fdt_lookup_phandle(const fdt_t *fdt, uint32_t phandle)
{
	uint32_t ph;
	int node;

	if (phandle == 0 || phandle == 0xffffffffu)
		return E_NOENT;
	for (node = fdt->root; node >= 0; node = fdt_next_node(fdt, node, NULL))
		if (fdt_node_phandle(fdt, node, &ph) == 0 && ph == phandle)
			return node;
	return node;
}

int fdt_prop_cells(const fdt_prop_t *prop, uint32_t index, uint32_t ncells, uint64_t *out)
{
	uint64_t v = 0;
	uint32_t i;

	if (ncells > 2 || ((uint64_t)index + ncells) * 4 > prop->len)
		return E_RANGE;
	for (i = 0; i < ncells; i++)
		v = v << 32 | fdt_be32(prop->data + ((size_t)index + i) * 4);
	*out = v;
	return 0;
}

int fdt_prop_u32(const fdt_prop_t *prop, uint32_t *out)
{
	if (prop->len != 4)
		return E_BADFMT;
	*out = fdt_be32(prop->data);
	return 0;
}

int fdt_prop_uint(const fdt_prop_t *prop, uint64_t *out)
{
	if (prop->len == 4)
		*out = fdt_be32(prop->data);
	else if (prop->len == 8)
		*out = fdt_be64(prop->data);
	else
		return E_BADFMT;
	return 0;
}

int fdt_prop_string(const fdt_prop_t *prop, uint32_t index, const char **out)
{
	const char *s = (const char *)prop->data;
	uint32_t pos = 0, i;

	if (prop->len == 0 || s[prop->len - 1] != '\0')
		return E_BADFMT;
	/* The value ends in NUL, so every strlen below stops inside it. */
	for (i = 0; pos < prop->len; i++) {
		if (i == index) {
			*out = s + pos;
			return 0;
		}
		pos += (uint32_t)strlen(s + pos) + 1;
	}
	return E_NOENT;
}

bool fdt_prop_has_string(const fdt_prop_t *prop, const char *str)
{
	const char *s;
	uint32_t i;

	for (i = 0; fdt_prop_string(prop, i, &s) == 0; i++)
		if (strcmp(s, str) == 0)
			return true;
	return false;
}

int fdt_read_u32(const fdt_t *fdt, int node, const char *name, uint32_t *out)
{
	fdt_prop_t prop;
	int err = fdt_get_prop(fdt, node, name, &prop);

	return err ? err : fdt_prop_u32(&prop, out);
}

int fdt_read_string(const fdt_t *fdt, int node, const char *name, const char **out)
{
	fdt_prop_t prop;
	int err = fdt_get_prop(fdt, node, name, &prop);

	return err ? err : fdt_prop_string(&prop, 0, out);
}

bool fdt_node_compatible(const fdt_t *fdt, int node, const char *compat)
{
	fdt_prop_t prop;

	if (fdt_get_prop(fdt, node, "compatible", &prop))
		return false;
	return fdt_prop_has_string(&prop, compat);
}

bool fdt_node_okay(const fdt_t *fdt, int node)
{
	const char *status;
	int err = fdt_read_string(fdt, node, "status", &status);

	if (err == E_NOENT)
		return true;
	if (err)
		return false;
	return strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

int fdt_node_cells(const fdt_t *fdt, int node, uint32_t *acells, uint32_t *scells)
{
	int err;

	err = fdt_read_u32(fdt, node, "#address-cells", acells);
	if (err == E_NOENT) {
		*acells = 2;
		err = 0;
	}
	if (err)
		return err;
	err = fdt_read_u32(fdt, node, "#size-cells", scells);
	if (err == E_NOENT) {
		*scells = 1;
		err = 0;
	}
	return err;
}
