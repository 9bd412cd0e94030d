/*
 * Unit tests for lib/fdt.c: the walker on real QEMU and HiFive blobs, and
 * its refusal of hostile ones (handcrafted, truncated at every length,
 * randomly corrupted).  Built with ASan, so any out-of-bounds read in the
 * walker aborts the binary.  Run from the repository root.
 */
#include <abi/error.h>
#include <lib/fdt.h>
#include <string.h>

#include "fdt_build.h"
#include "unit.h"

UNIT_MAIN("test_fdt");

static const char *const fixtures[] = {
    "qemu-virt.dtb",
    "qemu-virt-smp4-2g.dtb",
    "qemu-sifive_u.dtb",
    "qemu-sifive_u-smp5.dtb",
    "hifive-unleashed-a00.dtb",
    "hifive-unmatched-a00.dtb",
    "custom-a.dtb",
    "custom-b.dtb",
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* Touch everything reachable through the API; returns a checksum so the
 * reads cannot be optimised away.  Must never crash on any blob. */
static unsigned long exercise(const fdt_t *fdt)
{
	unsigned long sum = 0;
	uint64_t v, a, s;
	uint32_t ph, cur = 0, u;
	const char *str;
	fdt_prop_t prop;
	int node, depth = 0, n = 0, err;

	for (node = fdt->root; node >= 0 && n < 4096;
	     node = fdt_next_node(fdt, node, &depth), n++) {
		str = fdt_node_name(fdt, node);
		sum += str ? strlen(str) : 0;
		sum += fdt_node_okay(fdt, node) + (unsigned)depth;
		sum += fdt_node_compatible(fdt, node, "riscv,cpu-intc");
		if (fdt_node_cells(fdt, node, &u, &ph) == 0)
			sum += u + ph;
		for (err = fdt_first_prop(fdt, node, &prop); err == 0;
		     err = fdt_next_prop(fdt, &prop)) {
			sum += prop.len + strlen(prop.name);
			if (fdt_prop_string(&prop, 1, &str) == 0)
				sum += strlen(str);
			if (fdt_prop_cells(&prop, 1, 2, &v) == 0)
				sum += v;
			if (fdt_prop_uint(&prop, &v) == 0)
				sum += v;
		}
		if (fdt_node_phandle(fdt, node, &ph) == 0 && n < 16)
			sum += (unsigned)fdt_lookup_phandle(fdt, ph);
		if (n < 4)
			sum += (unsigned)fdt_parent(fdt, node);
		sum += (unsigned)fdt_first_child(fdt, node);
	}
	sum += (unsigned)fdt_lookup_path(fdt, "/soc/serial@10010000", 20);
	sum += (unsigned)fdt_lookup_path(fdt, "/cpus/cpu@1", 11);
	while (fdt_rsv_next(fdt, &cur, &a, &s) == 0)
		sum += a + s;
	return sum;
}

static void test_init_fixtures(void)
{
	size_t i, len;
	uint8_t *blob;
	fdt_t fdt;

	for (i = 0; i < NFIXTURES; i++) {
		blob = fixture_load(fixtures[i], &len);
		CHECK(blob != NULL);
		CHECK_EQ(fdt_init(&fdt, blob, len), 0);
		CHECK_EQ(fdt.totalsize, len);
		CHECK_EQ(fdt.version, 17);
		CHECK_EQ(fdt.rsv_off, 40);
		CHECK(fdt_node_name(&fdt, fdt.root) != NULL);
		CHECK_EQ(fdt_node_name(&fdt, fdt.root)[0], '\0');
		CHECK_EQ(fdt_init(&fdt, blob, len - 1), E_BADFMT);
		free(blob);
	}
}

static void test_paths(void)
{
	size_t len;
	uint8_t *blob = fixture_load("hifive-unleashed-a00.dtb", &len);
	fdt_t fdt;
	int n;

	CHECK(blob && fdt_init(&fdt, blob, len) == 0);
	CHECK_EQ(fdt_lookup_path(&fdt, "/", 1), fdt.root);
	n = fdt_lookup_path(&fdt, "/cpus", 5);
	CHECK(n > 0);
	CHECK(strcmp(fdt_node_name(&fdt, n), "cpus") == 0);
	CHECK_EQ(fdt_lookup_path(&fdt, "/cpus/", 6), n);
	CHECK_EQ(fdt_parent(&fdt, n), fdt.root);
	CHECK_EQ(fdt_parent(&fdt, fdt.root), E_NOENT);
	n = fdt_lookup_path(&fdt, "/soc/serial@10010000", 20);
	CHECK(n > 0);
	CHECK(strcmp(fdt_node_name(&fdt, n), "serial@10010000") == 0);
	CHECK(strcmp(fdt_node_name(&fdt, fdt_parent(&fdt, n)), "soc") == 0);
	/* Without a unit address the first match wins. */
	CHECK_EQ(fdt_lookup_path(&fdt, "/soc/serial", 11), n);
	n = fdt_lookup_path(&fdt, "/memory", 7);
	CHECK(n > 0);
	CHECK(strcmp(fdt_node_name(&fdt, n), "memory@80000000") == 0);
	CHECK(fdt_lookup_path(&fdt, "/cpus/cpu@3/interrupt-controller", 32) > 0);
	/* The length bounds the path, not a NUL. */
	CHECK_EQ(fdt_lookup_path(&fdt, "/cpusXYZ", 5), fdt_lookup_path(&fdt, "/cpus", 5));
	CHECK_EQ(fdt_lookup_path(&fdt, "/nope", 5), E_NOENT);
	CHECK_EQ(fdt_lookup_path(&fdt, "/soc/serial@1", 13), E_NOENT);
	CHECK_EQ(fdt_lookup_path(&fdt, "/memory@80000000/x", 18), E_NOENT);
	CHECK_EQ(fdt_lookup_path(&fdt, "cpus", 4), E_BADFMT);
	CHECK_EQ(fdt_lookup_path(&fdt, "", 0), E_BADFMT);
	CHECK(fdt_name_match("memory@80000000", "memory", 6));
	CHECK(!fdt_name_match("memory@80000000", "memory@8", 8));
	CHECK(!fdt_name_match("memory-ctl", "memory", 6));
	CHECK(!fdt_name_match("mem", "memory", 6));
	free(blob);
}

/* next_node, first_child/next_sibling and parent agree with each other. */
static void test_iteration(void)
{
	size_t len;
	uint8_t *blob = fixture_load("hifive-unleashed-a00.dtb", &len);
	int node, child, depth = 0, nodes = 0, maxd = 0, cpus, kids = 0;
	fdt_t fdt;

	CHECK(blob && fdt_init(&fdt, blob, len) == 0);
	for (node = fdt.root; node >= 0; node = fdt_next_node(&fdt, node, &depth)) {
		nodes++;
		maxd = depth > maxd ? depth : maxd;
		if (node == fdt.root)
			continue;
		child = fdt_parent(&fdt, node);
		CHECK(child >= 0);
		/* The parent lists node among its children. */
		for (child = fdt_first_child(&fdt, child); child >= 0 && child != node;
		     child = fdt_next_sibling(&fdt, child))
			;
		CHECK_EQ(child, node);
	}
	CHECK_EQ(node, E_NOENT);
	CHECK_EQ(nodes, 48); /* "{" lines in the dtc decompilation */
	CHECK_EQ(maxd, 4);   /* /cpus/cpu-map/cluster0/core0 */
	cpus = fdt_lookup_path(&fdt, "/cpus", 5);
	for (child = fdt_first_child(&fdt, cpus); child >= 0; child = fdt_next_sibling(&fdt, child))
		kids++;
	CHECK_EQ(kids, 6); /* cpu@0..4, cpu-map */
	child = fdt_lookup_path(&fdt, "/cpus/cpu-map/cluster0/core4", 28);
	CHECK(child > 0);
	CHECK_EQ(fdt_first_child(&fdt, child), E_NOENT);
	CHECK_EQ(fdt_next_sibling(&fdt, child), E_NOENT);
	/* Offsets that are not nodes are refused, never dereferenced. */
	CHECK_EQ(fdt_next_node(&fdt, -4, NULL), E_BADFMT);
	CHECK_EQ(fdt_next_node(&fdt, 2, NULL), E_BADFMT);
	CHECK_EQ(fdt_next_node(&fdt, 1 << 30, NULL), E_BADFMT);
	CHECK_EQ(fdt_first_child(&fdt, (int)fdt.struct_size), E_BADFMT);
	CHECK(fdt_node_name(&fdt, 7) == NULL);
	free(blob);
}

static void test_props(void)
{
	size_t len;
	uint8_t *blob = fixture_load("hifive-unleashed-a00.dtb", &len);
	const char *s;
	fdt_prop_t prop;
	uint64_t v;
	uint32_t u, ac, sc;
	int n;
	fdt_t fdt;

	CHECK(blob && fdt_init(&fdt, blob, len) == 0);
	CHECK_EQ(fdt_read_string(&fdt, fdt.root, "model", &s), 0);
	CHECK(strcmp(s, "SiFive HiFive Unleashed A00") == 0);
	CHECK_EQ(fdt_get_prop(&fdt, fdt.root, "compatible", &prop), 0);
	CHECK_EQ(fdt_prop_string(&prop, 2, &s), 0);
	CHECK(strcmp(s, "sifive,fu540") == 0);
	CHECK_EQ(fdt_prop_string(&prop, 3, &s), E_NOENT);
	CHECK(fdt_prop_has_string(&prop, "sifive,fu540-c000"));
	CHECK(!fdt_prop_has_string(&prop, "sifive"));
	CHECK_EQ(fdt_get_prop(&fdt, fdt.root, "nope", &prop), E_NOENT);
	CHECK_EQ(fdt_node_cells(&fdt, fdt.root, &ac, &sc), 0);
	CHECK_EQ(ac, 2);
	CHECK_EQ(sc, 2);
	n = fdt_lookup_path(&fdt, "/memory", 7);
	CHECK_EQ(fdt_get_prop(&fdt, n, "reg", &prop), 0);
	CHECK_EQ(prop.len, 16);
	CHECK_EQ(fdt_prop_cells(&prop, 0, 2, &v), 0);
	CHECK_EQ(v, 0x80000000);
	CHECK_EQ(fdt_prop_cells(&prop, 2, 2, &v), 0);
	CHECK_EQ(v, 0x200000000ull);
	CHECK_EQ(fdt_prop_cells(&prop, 3, 2, &v), E_RANGE);
	CHECK_EQ(fdt_prop_cells(&prop, 0, 3, &v), E_RANGE);
	CHECK_EQ(fdt_prop_cells(&prop, 0xffffffff, 1, &v), E_RANGE);
	CHECK_EQ(fdt_prop_cells(&prop, 1, 0, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(fdt_prop_u32(&prop, &u), E_BADFMT);
	CHECK_EQ(fdt_prop_uint(&prop, &v), E_BADFMT);
	/* Defaults 2/1 where #address-cells/#size-cells are absent. */
	CHECK_EQ(fdt_node_cells(&fdt, n, &ac, &sc), 0);
	CHECK_EQ(ac, 2);
	CHECK_EQ(sc, 1);
	n = fdt_lookup_path(&fdt, "/cpus", 5);
	CHECK_EQ(fdt_read_u32(&fdt, n, "timebase-frequency", &u), 0);
	CHECK_EQ(u, 1000000);
	CHECK(!fdt_node_okay(&fdt, fdt_lookup_path(&fdt, "/cpus/cpu@0", 11)));
	CHECK(fdt_node_okay(&fdt, fdt_lookup_path(&fdt, "/cpus/cpu@1", 11)));
	CHECK(fdt_node_okay(&fdt, fdt_lookup_path(&fdt, "/soc/serial@10010000", 20)));
	/* Property iteration sees each property once, in order. */
	n = fdt_lookup_path(&fdt, "/chosen", 7);
	CHECK_EQ(fdt_first_prop(&fdt, n, &prop), 0);
	CHECK(strcmp(prop.name, "stdout-path") == 0);
	CHECK_EQ(fdt_next_prop(&fdt, &prop), E_NOENT);
	free(blob);
}

static void test_phandles(void)
{
	size_t len;
	uint8_t *blob = fixture_load("hifive-unleashed-a00.dtb", &len);
	uint32_t ph;
	int n;
	fdt_t fdt;

	CHECK(blob && fdt_init(&fdt, blob, len) == 0);
	n = fdt_lookup_phandle(&fdt, 0x0e);
	CHECK(n > 0);
	CHECK(strcmp(fdt_node_name(&fdt, n), "interrupt-controller@c000000") == 0);
	CHECK(fdt_node_compatible(&fdt, n, "sifive,plic-1.0.0"));
	CHECK_EQ(fdt_node_phandle(&fdt, n, &ph), 0);
	CHECK_EQ(ph, 0x0e);
	n = fdt_lookup_phandle(&fdt, 0x0b);
	CHECK_EQ(fdt_parent(&fdt, n), fdt_lookup_path(&fdt, "/cpus/cpu@4", 11));
	CHECK_EQ(fdt_lookup_phandle(&fdt, 0), E_NOENT);
	CHECK_EQ(fdt_lookup_phandle(&fdt, 0xffffffff), E_NOENT);
	CHECK_EQ(fdt_lookup_phandle(&fdt, 0x1234), E_NOENT);
	CHECK_EQ(fdt_node_phandle(&fdt, fdt.root, &ph), E_NOENT);
	free(blob);

	/* Legacy linux,phandle counts too (custom-a's cpu@0 intc). */
	blob = fixture_load("custom-a.dtb", &len);
	CHECK(blob && fdt_init(&fdt, blob, len) == 0);
	n = fdt_lookup_phandle(&fdt, 0x20);
	CHECK_EQ(n, fdt_lookup_path(&fdt, "/cpus/cpu@0/interrupt-controller", 32));
	free(blob);
}

static void test_memreserve(void)
{
	size_t len;
	uint8_t *blob = fixture_load("custom-a.dtb", &len);
	uint64_t a, s;
	uint32_t cur = 0;
	fdt_t fdt;

	CHECK(blob && fdt_init(&fdt, blob, len) == 0);
	CHECK_EQ(fdt_rsv_next(&fdt, &cur, &a, &s), 0);
	CHECK_EQ(a, 0x87e00000);
	CHECK_EQ(s, 0x10000);
	CHECK_EQ(fdt_rsv_next(&fdt, &cur, &a, &s), 0);
	CHECK_EQ(a, 0x88000000);
	CHECK_EQ(s, 0x2000);
	CHECK_EQ(fdt_rsv_next(&fdt, &cur, &a, &s), E_NOENT);
	CHECK_EQ(cur, 2);
	free(blob);
	blob = fixture_load("qemu-virt.dtb", &len);
	cur = 0;
	CHECK(blob && fdt_init(&fdt, blob, len) == 0);
	CHECK_EQ(fdt_rsv_next(&fdt, &cur, &a, &s), E_NOENT);
	free(blob);
}

/* A small valid tree; *name_off/ *prop_off get struct offsets of the "a"
 * node token and of the "p" property token for later patching. */
static size_t build_small(fdtb_t *b, size_t *node_off, size_t *prop_off)
{
	fdtb_init(b);
	fdtb_rsv(b, 0x1000, 0x2000);
	fdtb_begin(b, "");
	fdtb_prop_u32(b, "#address-cells", 1);
	*node_off = fdtb_here(b);
	fdtb_begin(b, "a@1");
	*prop_off = fdtb_here(b);
	fdtb_prop_str(b, "p", "hello");
	fdtb_prop(b, "list", "x\0yz\0", 6);
	fdtb_end(b);
	fdtb_end(b);
	return fdtb_finish(b);
}

/* fdt_init on a fresh exactly-sized copy of b's blob. */
static int init_copy(const fdtb_t *b, size_t len)
{
	uint8_t *p = fdtb_dup(b->out, len);
	fdt_t fdt;
	int err = fdt_init(&fdt, p, len);

	if (!err)
		exercise(&fdt);
	free(p);
	return err;
}

static void test_builder_sane(void)
{
	fdtb_t b;
	size_t n, pn, len = build_small(&b, &n, &pn);
	fdt_prop_t prop;
	const char *s;
	fdt_t fdt;
	int node;

	CHECK_EQ(init_copy(&b, len), 0);
	CHECK_EQ(fdt_init(&fdt, b.out, len), 0);
	node = fdt_lookup_path(&fdt, "/a", 2);
	CHECK_EQ(node, (int)n);
	CHECK_EQ(fdt_get_prop(&fdt, node, "list", &prop), 0);
	CHECK_EQ(prop.offset, (int)pn + 20);
	CHECK_EQ(fdt_prop_string(&prop, 1, &s), 0);
	CHECK(strcmp(s, "yz") == 0);
	CHECK_EQ(fdt_read_string(&fdt, node, "p", &s), 0);
	CHECK(strcmp(s, "hello") == 0);
}

static void test_hostile_header(void)
{
	fdtb_t b;
	size_t n, pn, len = build_small(&b, &n, &pn);
	uint8_t save[40];
	fdt_t fdt;

	memcpy(save, b.out, 40);
	CHECK_EQ(fdt_init(&fdt, NULL, 100), E_BADFMT);
	CHECK_EQ(init_copy(&b, 39), E_BADFMT);
	b.out[0] ^= 1; /* bad magic */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 4, (uint32_t)len + 1); /* totalsize > max_len */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	fdtb_put32(b.out + 4, 20); /* totalsize < header */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 8, (uint32_t)len + 4); /* off_dt_struct past end */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	fdtb_put32(b.out + 8, (uint32_t)b.struct_off + 2); /* misaligned */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 36, 0xfffffffc); /* size_dt_struct huge */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 12, 0xfffffff0); /* strings offset + size wraps */
	fdtb_put32(b.out + 32, 0x20);
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	fdtb_put32(b.out + 12, (uint32_t)b.strings_off);
	fdtb_put32(b.out + 32, 0xffffffff); /* size_dt_strings overflow */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 16, 44); /* misaligned rsvmap */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	fdtb_put32(b.out + 16, 8); /* rsvmap inside the header */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 20, 15); /* too old */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 24, 18); /* incompatible */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, 40);
	fdtb_put32(b.out + 20, 16); /* version 16 has no size_dt_struct */
	fdtb_put32(b.out + 36, 0);
	CHECK_EQ(init_copy(&b, len), 0);
	memcpy(b.out, save, 40);
	CHECK_EQ(init_copy(&b, len), 0);
}

static void test_hostile_struct(void)
{
	fdtb_t b;
	size_t n, pn, len = build_small(&b, &n, &pn);
	size_t so = b.struct_off;
	uint8_t save[FDTB_OUT_MAX];

	memcpy(save, b.out, len);
	fdtb_put32(b.out + so + pn + 4, 0xffffffff); /* prop len */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	fdtb_put32(b.out + so + pn + 4, 0xfffffffd); /* len wraps the align */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	fdtb_put32(b.out + so + pn + 8, 0x1000); /* nameoff outside strings */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	fdtb_put32(b.out + so + pn + 8, 0xffffffff);
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	b.out[len - 1] = 'X'; /* last string unterminated */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	fdtb_put32(b.out + so + pn, 7); /* unknown token */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	fdtb_put32(b.out + so + b.slen - 4, 4); /* FDT_END -> NOP: no end */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	fdtb_put32(b.out + so + b.slen - 8, 4); /* root never closed */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	fdtb_put32(b.out + so + b.slen - 8, 2); /* END_NODE closes nothing */
	fdtb_put32(b.out + so + b.slen - 4, 2);
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	fdtb_put32(b.out + so, 3); /* property before the root */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	fdtb_put32(b.out + so, 9); /* FDT_END before any root */
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	memcpy(b.out, save, len);
	CHECK_EQ(init_copy(&b, len), 0);
}

static void test_hostile_shapes(void)
{
	fdtb_t b;
	size_t i;

	/* END_NODE with no BEGIN_NODE at all. */
	fdtb_init(&b);
	fdtb_end(&b);
	CHECK_EQ(init_copy(&b, fdtb_finish(&b)), E_BADFMT);
	/* Two roots. */
	fdtb_init(&b);
	fdtb_begin(&b, "");
	fdtb_end(&b);
	fdtb_begin(&b, "");
	fdtb_end(&b);
	CHECK_EQ(init_copy(&b, fdtb_finish(&b)), E_BADFMT);
	/* Nesting: FDT_MAX_DEPTH open nodes pass, one more fails. */
	for (int extra = 0; extra < 2; extra++) {
		fdtb_init(&b);
		for (i = 0; i < FDT_MAX_DEPTH + (size_t)extra; i++)
			fdtb_begin(&b, i ? "n" : "");
		for (i = 0; i < FDT_MAX_DEPTH + (size_t)extra; i++)
			fdtb_end(&b);
		CHECK_EQ(init_copy(&b, fdtb_finish(&b)), extra ? E_BADFMT : 0);
	}
}

static void test_hostile_bounds(void)
{
	fdtb_t b;
	size_t len, i, nameoff;

	/* A node name running to the end of the structure block. */
	fdtb_init(&b);
	fdtb_begin(&b, "");
	nameoff = fdtb_here(&b);
	fdtb_begin(&b, "abcdefg");
	len = fdtb_finish(&b);
	fdtb_put32(b.out + 36, (uint32_t)(nameoff + 12));
	memset(b.out + b.struct_off + nameoff + 4, 'a', 8);
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	/* A property header cut by the block end. */
	fdtb_init(&b);
	fdtb_begin(&b, "");
	nameoff = fdtb_here(&b);
	fdtb_prop_u32(&b, "x", 1);
	fdtb_end(&b);
	len = fdtb_finish(&b);
	fdtb_put32(b.out + 36, (uint32_t)(nameoff + 8));
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	/* A reservation map with no terminator before the end of the blob. */
	fdtb_init(&b);
	fdtb_begin(&b, "");
	fdtb_end(&b);
	len = fdtb_finish(&b);
	for (i = 40; i + 8 <= len; i += 8)
		fdtb_put32(b.out + i, 0x01010101);
	fdtb_put32(b.out + 8, 40); /* struct and strings are inside the map */
	fdtb_put32(b.out + 12, 40);
	fdtb_put32(b.out + 32, 0);
	fdtb_put32(b.out + 36, 0);
	CHECK_EQ(init_copy(&b, len), E_BADFMT);
	/* An unterminated string property is not a string. */
	fdtb_init(&b);
	fdtb_begin(&b, "");
	fdtb_prop(&b, "status", "okay", 4);
	fdtb_prop(&b, "model", "", 0);
	fdtb_end(&b);
	len = fdtb_finish(&b);
	{
		fdt_t fdt;
		const char *s;

		CHECK_EQ(fdt_init(&fdt, b.out, len), 0);
		CHECK_EQ(fdt_read_string(&fdt, fdt.root, "status", &s), E_BADFMT);
		CHECK_EQ(fdt_read_string(&fdt, fdt.root, "model", &s), E_BADFMT);
		CHECK(!fdt_node_okay(&fdt, fdt.root));
	}
}

/* Every prefix of every fixture, as-is and with totalsize rewritten. */
static void test_truncation(void)
{
	size_t i, cut, len;
	uint8_t *blob, *p;
	fdt_t fdt;
	int err;

	for (i = 0; i < NFIXTURES; i++) {
		blob = fixture_load(fixtures[i], &len);
		CHECK(blob != NULL);
		for (cut = 0; cut <= len; cut++) {
			p = fdtb_dup(blob, cut);
			err = fdt_init(&fdt, p, cut);
			CHECK_EQ(err, cut == len ? 0 : E_BADFMT);
			if (cut >= 8) {
				fdtb_put32(p + 4, (uint32_t)cut);
				err = fdt_init(&fdt, p, cut);
				if (err == 0)
					exercise(&fdt);
				else
					CHECK_EQ(err, E_BADFMT);
			}
			free(p);
		}
		free(blob);
	}
}

/* Random byte flips and evil words; only "no crash" is checked. */
static void test_corruption(void)
{
	uint64_t rng = 0x5eed0f00dULL;
	size_t i, len;
	int iter, ok = 0, bad = 0;
	uint8_t *blob, *p;
	fdt_t fdt;

	for (i = 0; i < NFIXTURES; i++) {
		blob = fixture_load(fixtures[i], &len);
		CHECK(blob != NULL);
		for (iter = 0; iter < 1500; iter++) {
			p = fdtb_dup(blob, len);
			fdtb_corrupt(p, len, &rng);
			if (fdt_init(&fdt, p, len) == 0) {
				exercise(&fdt);
				ok++;
			} else {
				bad++;
			}
			free(p);
		}
		free(blob);
	}
	CHECK(ok > 0 && bad > 0);
}

int main(void)
{
	RUN(test_init_fixtures);
	RUN(test_paths);
	RUN(test_iteration);
	RUN(test_props);
	RUN(test_phandles);
	RUN(test_memreserve);
	RUN(test_builder_sane);
	RUN(test_hostile_header);
	RUN(test_hostile_struct);
	RUN(test_hostile_shapes);
	RUN(test_hostile_bounds);
	RUN(test_truncation);
	RUN(test_corruption);
	UNIT_EXIT();
}
