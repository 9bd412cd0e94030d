/*
 * A small read-only walker for flattened device trees (DTB, spec v0.4).
 *
 * fdt_init() validates the header and walks the whole structure block once,
 * so a tree it accepts is well nested, ends in FDT_END and has every name
 * and length inside its block.  The accessors still bounds-check every read:
 * they are safe even on a node offset the caller made up.  Nodes are named
 * by the offset of their FDT_BEGIN_NODE token inside the structure block.
 * The blob may sit at any alignment; all loads are byte by byte.  Errors
 * are negative values from <abi/error.h>: E_BADFMT for a malformed blob,
 * E_NOENT for something absent, E_RANGE for a read past a property.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 32 /* open nodes at once, root included */

typedef struct fdt {
	const uint8_t *blob; /* the validated blob, any alignment */
	uint32_t totalsize;  /* header totalsize, <= max_len given to init */
	uint32_t version;
	uint32_t boot_cpuid; /* header boot_cpuid_phys */
	uint32_t rsv_off;    /* memory reservation block, from blob */
	uint32_t struct_off; /* structure block, from blob */
	uint32_t struct_size;
	uint32_t strings_off; /* strings block, from blob */
	uint32_t strings_size;
	int root; /* offset of the root node */
} fdt_t;

/* One property, as returned by the property accessors. */
typedef struct fdt_prop {
	const char *name;    /* NUL-terminated inside the strings block */
	const uint8_t *data; /* len bytes inside the structure block */
	uint32_t len;
	int offset; /* its FDT_PROP token, for fdt_next_prop */
} fdt_prop_t;

/* Big-endian loads that work at any alignment. */
static inline uint32_t fdt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t fdt_be64(const uint8_t *p)
{
	return (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4);
}

/*
 * Validate the blob at blob (max_len readable bytes) and fill *fdt.
 * Returns 0 or E_BADFMT; on success every later read stays inside
 * [blob, blob + totalsize).  The blob must outlive *fdt.
 */
int fdt_init(fdt_t *fdt, const void *blob, size_t max_len);

/* Next node after node in document order, or E_NOENT at the end.
 * *depth (may be NULL) goes up by one for a child and down by one for
 * every node closed on the way, so a sibling keeps the same depth. */
int fdt_next_node(const fdt_t *fdt, int node, int *depth);

/* First child / next sibling of node, or E_NOENT. */
int fdt_first_child(const fdt_t *fdt, int node);
int fdt_next_sibling(const fdt_t *fdt, int node);

/* Parent of node (an O(tree) walk), or E_NOENT for the root. */
int fdt_parent(const fdt_t *fdt, int node);

/* Name of node ("" for the root, "cpu@0"), or NULL for a bad offset. */
const char *fdt_node_name(const fdt_t *fdt, int node);

/* True if node name matches want[0..len): exactly, or as the part before
 * '@' when want has no unit address ("memory" ~ "memory@80000000"). */
bool fdt_name_match(const char *name, const char *want, size_t len);

/* Child of parent named name[0..len) (see fdt_name_match), or E_NOENT. */
int fdt_subnode(const fdt_t *fdt, int parent, const char *name, size_t len);

/* Node at absolute path path[0..len) ("/", "/cpus", "/soc/serial@1000"),
 * or E_NOENT; E_BADFMT if path does not start with '/'. */
int fdt_lookup_path(const fdt_t *fdt, const char *path, size_t len);

/* Phandle of node from "phandle" or "linux,phandle"; E_NOENT if none. */
int fdt_node_phandle(const fdt_t *fdt, int node, uint32_t *phandle);

/* Node whose phandle is phandle, or E_NOENT. */
int fdt_lookup_phandle(const fdt_t *fdt, uint32_t phandle);

/* First property of node / the one after *prop; E_NOENT when none left. */
int fdt_first_prop(const fdt_t *fdt, int node, fdt_prop_t *prop);
int fdt_next_prop(const fdt_t *fdt, fdt_prop_t *prop);

/* Property name of node into *prop; E_NOENT if absent. */
int fdt_get_prop(const fdt_t *fdt, int node, const char *name, fdt_prop_t *prop);

/* ncells (0..2) big-endian cells starting at cell index of prop, as one
 * number.  E_RANGE if they do not lie inside the value or ncells > 2. */
int fdt_prop_cells(const fdt_prop_t *prop, uint32_t index, uint32_t ncells, uint64_t *out);

/* The value as a u32 (length exactly 4) / a u32 or u64 (length 4 or 8);
 * E_BADFMT for any other length. */
int fdt_prop_u32(const fdt_prop_t *prop, uint32_t *out);
int fdt_prop_uint(const fdt_prop_t *prop, uint64_t *out);

/* String number index of a string list; E_BADFMT unless the value ends in
 * NUL, E_NOENT if the list is shorter.  *out points into the blob. */
int fdt_prop_string(const fdt_prop_t *prop, uint32_t index, const char **out);

/* True if the string list prop contains s (false if malformed). */
bool fdt_prop_has_string(const fdt_prop_t *prop, const char *s);

/* Shortcuts: property name of node read as above. */
int fdt_read_u32(const fdt_t *fdt, int node, const char *name, uint32_t *out);
int fdt_read_string(const fdt_t *fdt, int node, const char *name, const char **out);

/* True if node's compatible list contains compat. */
bool fdt_node_compatible(const fdt_t *fdt, int node, const char *compat);

/* True if node's status is absent, "okay" or "ok". */
bool fdt_node_okay(const fdt_t *fdt, int node);

/* node's own #address-cells / #size-cells (defaults 2 and 1), unchecked
 * in range; E_BADFMT if present with a length other than 4. */
int fdt_node_cells(const fdt_t *fdt, int node, uint32_t *acells, uint32_t *scells);

/* Memory reservation entry at *cursor (start at 0), advancing *cursor;
 * E_NOENT at the terminating entry. */
int fdt_rsv_next(const fdt_t *fdt, uint32_t *cursor, uint64_t *addr, uint64_t *size);
