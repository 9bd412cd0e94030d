/*
 * Unit tests for lib/platform.c: the facts platform_parse() must extract
 * from QEMU (virt, sifive_u) and HiFive (Unleashed, Unmatched) device
 * trees and from the hand-written custom-a/custom-b fixtures, and the
 * documented error for each hostile tree.  Built with ASan; run from the
 * repository root.  Longer than most files because it pins the facts of
 * eight fixtures and about forty hostile trees, and the Makefile builds
 * each test binary from a single source.
 */
#include <abi/error.h>
#include <lib/fdt.h>
#include <lib/platform.h>
#include <string.h>

#include "fdt_build.h"
#include "unit.h"

UNIT_MAIN("test_platform");

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

/* One platform_t for all cases: it is large, keep it off the stack. */
static platform_t plat;

/* Parse fixture name into plat; returns platform_parse()'s result. */
static int parse_fixture(const char *name)
{
	size_t len;
	uint8_t *blob = fixture_load(name, &len);
	int err;

	if (!blob)
		return 1;
	err = platform_parse(&plat, blob, len);
	free(blob);
	return err;
}

/* Parse an exactly-sized copy of the builder's blob into plat. */
static int parse_built(fdtb_t *b)
{
	size_t len = fdtb_finish(b);
	uint8_t *p = fdtb_dup(b->out, len);
	int err = platform_parse(&plat, p, len);

	free(p);
	return err;
}

static void test_qemu_virt(void)
{
	const plat_hart_t *h = &plat.harts[0];

	CHECK_EQ(parse_fixture("qemu-virt.dtb"), 0);
	CHECK(strcmp(plat.model, "riscv-virtio,qemu") == 0);
	CHECK_EQ(plat.boot_cpuid, 0);
	CHECK_EQ(plat.timebase_hz, 10000000);
	CHECK_EQ(plat.nmem, 1);
	CHECK_EQ(plat.mem[0].base, 0x80000000);
	CHECK_EQ(plat.mem[0].size, 128u << 20);
	CHECK(strcmp(plat.mem[0].name, "memory@80000000") == 0);
	CHECK_EQ(platform_ram_bytes(&plat), 128u << 20);
	CHECK_EQ(plat.nrsv, 0);
	CHECK_EQ(plat.nharts, 1);
	CHECK_EQ(h->hartid, 0);
	CHECK(h->okay && h->mmu && h->usable);
	CHECK(strcmp(h->mmu_type, "riscv,sv48") == 0);
	CHECK(strncmp(h->isa, "rv64imafdch_zicsr", 17) == 0);
	CHECK_EQ(h->intc_phandle, 2);
	CHECK_EQ(h->plic_sctx, 1);
	CHECK_EQ(plat.uart.kind, UART_NS16550A);
	CHECK_EQ(plat.uart.base, 0x10000000);
	CHECK_EQ(plat.uart.size, 0x100);
	CHECK_EQ(plat.uart.irq, 10);
	CHECK_EQ(plat.uart.reg_shift, 0);
	CHECK_EQ(plat.uart.clock_hz, 3686400);
	CHECK(strcmp(plat.uart.path, "/soc/serial@10000000") == 0);
	CHECK(plat.plic.present);
	CHECK_EQ(plat.plic.base, 0xc000000);
	CHECK_EQ(plat.plic.size, 0x600000);
	CHECK_EQ(plat.plic.ndev, 96);
	CHECK_EQ(plat.plic.ncontexts, 2);
	CHECK_EQ(plat.test_base, 0x100000);
	CHECK(!plat.has_initrd);
	CHECK_EQ(plat.bootargs[0], '\0');
	CHECK_EQ(platform_hart_index(&plat, 0), 0);
	CHECK_EQ(platform_hart_index(&plat, 1), -1);
}

static void test_qemu_virt_smp4(void)
{
	size_t i;

	CHECK_EQ(parse_fixture("qemu-virt-smp4-2g.dtb"), 0);
	CHECK_EQ(platform_ram_bytes(&plat), 2ull << 30);
	CHECK_EQ(plat.nharts, 4);
	CHECK_EQ(plat.plic.ncontexts, 8);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(plat.harts[i].hartid, i);
		CHECK(plat.harts[i].usable);
		CHECK_EQ(plat.harts[i].plic_sctx, 2 * (int)i + 1);
		CHECK_EQ(platform_hart_index(&plat, (uint32_t)i), (int)i);
	}
	CHECK_EQ(plat.uart.base, 0x10000000);
}

static void test_qemu_sifive_u(void)
{
	CHECK_EQ(parse_fixture("qemu-sifive_u.dtb"), 0);
	CHECK(strcmp(plat.model, "SiFive HiFive Unleashed A00") == 0);
	CHECK_EQ(plat.timebase_hz, 1000000);
	CHECK_EQ(platform_ram_bytes(&plat), 128u << 20);
	CHECK_EQ(plat.nharts, 2);
	CHECK(plat.harts[0].okay && !plat.harts[0].mmu);
	CHECK(!plat.harts[0].usable);
	CHECK_EQ(plat.harts[0].mmu_type[0], '\0');
	CHECK_EQ(plat.harts[0].plic_sctx, -1);
	CHECK(plat.harts[1].usable);
	CHECK_EQ(plat.harts[1].plic_sctx, 2);
	CHECK_EQ(plat.uart.kind, UART_SIFIVE);
	CHECK_EQ(plat.uart.base, 0x10010000);
	CHECK_EQ(plat.uart.size, 0x1000);
	CHECK_EQ(plat.uart.irq, 4);
	CHECK_EQ(plat.uart.clock_hz, 0);
	CHECK_EQ(plat.plic.ndev, 53);
	CHECK_EQ(plat.plic.ncontexts, 3);
	CHECK_EQ(plat.test_base, 0);
}

static void test_qemu_sifive_u_smp5(void)
{
	size_t i, usable = 0;

	CHECK_EQ(parse_fixture("qemu-sifive_u-smp5.dtb"), 0);
	CHECK_EQ(plat.nharts, 5);
	for (i = 0; i < 5; i++) {
		usable += plat.harts[i].usable;
		CHECK_EQ(plat.harts[i].hartid, i);
		CHECK_EQ(plat.harts[i].plic_sctx, i ? 2 * (int)i : -1);
	}
	CHECK_EQ(usable, 4);
	CHECK_EQ(plat.plic.ncontexts, 9);
	CHECK_EQ(plat.uart.kind, UART_SIFIVE);
}

/* Facts shared by both HiFive boards (see test/fixtures/README.md). */
static void check_hifive(uint64_t ram, uint32_t uart_irq, uint32_t ndev)
{
	size_t i;

	CHECK_EQ(plat.boot_cpuid, 0);
	CHECK_EQ(plat.timebase_hz, 1000000);
	CHECK_EQ(plat.nmem, 1);
	CHECK_EQ(plat.mem[0].base, 0x80000000);
	CHECK_EQ(plat.mem[0].size, ram);
	CHECK_EQ(plat.nrsv, 0);
	CHECK_EQ(plat.nharts, 5);
	CHECK(!plat.harts[0].okay && !plat.harts[0].mmu);
	CHECK(!plat.harts[0].usable);
	CHECK(strcmp(plat.harts[0].isa, "rv64imac") == 0);
	CHECK_EQ(plat.harts[0].plic_sctx, -1);
	for (i = 1; i < 5; i++) {
		CHECK_EQ(plat.harts[i].hartid, i);
		CHECK(plat.harts[i].okay && plat.harts[i].usable);
		CHECK(strcmp(plat.harts[i].mmu_type, "riscv,sv39") == 0);
		CHECK(strcmp(plat.harts[i].isa, "rv64imafdc") == 0);
		CHECK_EQ(plat.harts[i].plic_sctx, 2 * (int)i);
	}
	for (i = 0; i < 5; i++)
		CHECK_EQ(plat.harts[i].intc_phandle, 7 + i);
	CHECK_EQ(plat.uart.kind, UART_SIFIVE);
	CHECK(strcmp(plat.uart.path, "/soc/serial@10010000") == 0);
	CHECK_EQ(plat.uart.base, 0x10010000);
	CHECK_EQ(plat.uart.size, 0x1000);
	CHECK_EQ(plat.uart.irq, uart_irq);
	CHECK(plat.plic.present);
	CHECK_EQ(plat.plic.base, 0x0c000000);
	CHECK_EQ(plat.plic.size, 0x04000000);
	CHECK_EQ(plat.plic.ndev, ndev);
	CHECK_EQ(plat.plic.ncontexts, 9);
	CHECK_EQ(plat.test_base, 0);
	CHECK(!plat.has_initrd);
}

static void test_hifive_unleashed(void)
{
	CHECK_EQ(parse_fixture("hifive-unleashed-a00.dtb"), 0);
	CHECK(strcmp(plat.model, "SiFive HiFive Unleashed A00") == 0);
	check_hifive(8ull << 30, 4, 53);
}

static void test_hifive_unmatched(void)
{
	CHECK_EQ(parse_fixture("hifive-unmatched-a00.dtb"), 0);
	CHECK(strcmp(plat.model, "SiFive HiFive Unmatched A00") == 0);
	check_hifive(16ull << 30, 39, 69);
}

static void test_custom_a(void)
{
	const plat_range_t *r = plat.rsv;
	const plat_hart_t *h = plat.harts;

	CHECK_EQ(parse_fixture("custom-a.dtb"), 0);
	CHECK(strcmp(plat.model, "test,board-a") == 0);
	/* Zero-size entry and disabled node skipped; "ram" found by type. */
	CHECK_EQ(plat.nmem, 2);
	CHECK_EQ(plat.mem[0].base, 0x80000000);
	CHECK_EQ(plat.mem[0].size, 0x10000000);
	CHECK_EQ(plat.mem[1].base, 0x100000000ull);
	CHECK_EQ(plat.mem[1].size, 0x100000000ull);
	CHECK(strcmp(plat.mem[1].name, "ram@100000000") == 0);
	CHECK_EQ(platform_ram_bytes(&plat), 0x110000000ull);
	CHECK_EQ(plat.nrsv, 4);
	CHECK(strcmp(r[0].name, "memreserve") == 0 && !r[0].no_map);
	CHECK_EQ(r[0].base, 0x87e00000);
	CHECK_EQ(r[0].size, 0x10000);
	CHECK(strcmp(r[1].name, "memreserve") == 0);
	CHECK_EQ(r[1].base, 0x88000000);
	CHECK(strcmp(r[2].name, "mmode_resv0@80000000") == 0 && r[2].no_map);
	CHECK_EQ(r[2].base, 0x80000000);
	CHECK_EQ(r[2].size, 0x40000);
	CHECK(strcmp(r[3].name, "shm@81000000") == 0 && !r[3].no_map);
	CHECK_EQ(r[3].size, 0x100000);
	CHECK_EQ(plat.timebase_hz, 25000000); /* cpu@0's own, as a u64 */
	CHECK_EQ(plat.nharts, 3);
	CHECK(h[0].okay && !h[0].mmu && !h[0].usable); /* riscv,none */
	CHECK(strcmp(h[0].mmu_type, "riscv,none") == 0);
	CHECK(strcmp(h[0].isa, "rv64i") == 0); /* isa-base */
	CHECK_EQ(h[0].intc_phandle, 0x20);     /* linux,phandle */
	CHECK_EQ(h[0].plic_sctx, -1);
	CHECK(h[1].usable);
	CHECK_EQ(h[1].hartid, 1);
	CHECK_EQ(h[1].plic_sctx, 2);
	CHECK(!h[2].okay && h[2].mmu && !h[2].usable); /* status "fail" */
	CHECK_EQ(h[2].plic_sctx, 3);
	CHECK(plat.has_initrd);
	CHECK_EQ(plat.initrd_start, 0x84000000);
	CHECK_EQ(plat.initrd_end, 0x84100000);
	CHECK(strcmp(plat.bootargs, "console=ttyS0 root=/dev/ram") == 0);
	/* stdout-path "serial0:115200n8", translated through bus ranges. */
	CHECK(strcmp(plat.uart.path, "/soc/bus@20000000/serial@1000") == 0);
	CHECK_EQ(plat.uart.kind, UART_NS16550A);
	CHECK_EQ(plat.uart.base, 0x20001000);
	CHECK_EQ(plat.uart.size, 0x100);
	CHECK_EQ(plat.uart.irq, 7);
	CHECK_EQ(plat.uart.reg_shift, 2);
	CHECK_EQ(plat.uart.clock_hz, 0); /* a u64 clock-frequency is ignored */
	CHECK_EQ(plat.plic.ndev, 31);
	CHECK_EQ(plat.plic.ncontexts, 4);
	CHECK_EQ(plat.test_base, 0x100000);
}

static void test_custom_b(void)
{
	CHECK_EQ(parse_fixture("custom-b.dtb"), 0);
	CHECK(strcmp(plat.model, "Test Board B") == 0);
	CHECK_EQ(plat.boot_cpuid, 3);
	CHECK_EQ(plat.nmem, 1);
	CHECK_EQ(plat.mem[0].base, 0x40000000);
	CHECK_EQ(plat.mem[0].size, 0x20000000);
	CHECK_EQ(plat.nharts, 1);
	CHECK_EQ(plat.harts[0].hartid, 3);
	CHECK_EQ(platform_hart_index(&plat, 3), 0);
	CHECK_EQ(platform_hart_index(&plat, 0), -1);
	/* Context 1 names a controller with two interrupt cells. */
	CHECK_EQ(plat.plic.ncontexts, 3);
	CHECK_EQ(plat.harts[0].plic_sctx, 2);
	CHECK(plat.has_initrd);
	CHECK_EQ(plat.initrd_start, 0x100000000ull);
	CHECK_EQ(plat.initrd_end, 0x100200000ull);
	CHECK(strcmp(plat.uart.path, "/serial@10010000") == 0);
	CHECK_EQ(plat.uart.kind, UART_SIFIVE);
	CHECK_EQ(plat.uart.base, 0x10010000);
	CHECK_EQ(plat.uart.irq, 4);
	CHECK_EQ(plat.uart.clock_hz, 33333333);
	CHECK_EQ(plat.timebase_hz, 1000000);
}

static void test_dtb_size(void)
{
	size_t len;
	uint8_t *blob = fixture_load("hifive-unmatched-a00.dtb", &len);

	CHECK(blob != NULL);
	CHECK_EQ(platform_dtb_size(blob, len), 11056);
	CHECK_EQ(platform_dtb_size(blob, 1 << 20), 11056);
	CHECK_EQ(platform_dtb_size(blob, len - 1), E_BADFMT);
	CHECK_EQ(platform_dtb_size(blob, 3), E_BADFMT);
	free(blob);
}

/* ----------------------------------------------------- built trees -- */

/* Open the root with 2/2 cells and one 256 MiB memory node. */
static void tree_open(fdtb_t *b)
{
	static const uint32_t reg[] = {0, 0x80000000, 0, 0x10000000};

	fdtb_init(b);
	fdtb_begin(b, "");
	fdtb_prop_u32(b, "#address-cells", 2);
	fdtb_prop_u32(b, "#size-cells", 2);
	fdtb_begin(b, "memory@80000000");
	fdtb_prop_str(b, "device_type", "memory");
	fdtb_prop_cells(b, "reg", reg, 4);
	fdtb_end(b);
}

/* /cpus with n usable harts; hart i's intc has phandle 0x100 + i. */
static void tree_cpus(fdtb_t *b, uint32_t n)
{
	char name[16];
	uint32_t i;

	fdtb_begin(b, "cpus");
	fdtb_prop_u32(b, "#address-cells", 1);
	fdtb_prop_u32(b, "#size-cells", 0);
	fdtb_prop_u32(b, "timebase-frequency", 1000);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		fdtb_begin(b, name);
		fdtb_prop_str(b, "device_type", "cpu");
		fdtb_prop_u32(b, "reg", i);
		fdtb_prop_str(b, "mmu-type", "riscv,sv39");
		fdtb_begin(b, "interrupt-controller");
		fdtb_prop_str(b, "compatible", "riscv,cpu-intc");
		fdtb_prop_u32(b, "#interrupt-cells", 1);
		fdtb_prop_u32(b, "phandle", 0x100 + i);
		fdtb_end(b);
		fdtb_end(b);
	}
	fdtb_end(b);
}

/* A sifive,uart0 node at the root. */
static void tree_uart(fdtb_t *b, const char *name)
{
	static const uint32_t reg[] = {0, 0x10010000, 0, 0x1000};

	fdtb_begin(b, name);
	fdtb_prop_str(b, "compatible", "sifive,uart0");
	fdtb_prop_cells(b, "reg", reg, 4);
	fdtb_end(b);
}

/* Root, memory and one cpu: the smallest tree platform_parse accepts. */
static int parse_minimal_with(void (*extra)(fdtb_t *))
{
	static fdtb_t b;

	tree_open(&b);
	tree_cpus(&b, 1);
	if (extra)
		extra(&b);
	fdtb_end(&b);
	return parse_built(&b);
}

static void test_built_minimal(void)
{
	CHECK_EQ(parse_minimal_with(NULL), 0);
	CHECK_EQ(plat.nharts, 1);
	CHECK(plat.harts[0].usable);
	CHECK_EQ(plat.harts[0].intc_phandle, 0x100);
	CHECK_EQ(plat.uart.kind, UART_NONE); /* no stdout-path, no alias */
	CHECK(!plat.plic.present);
	CHECK_EQ(plat.model[0], '\0');
}

static void extra_alias_loop(fdtb_t *b)
{
	fdtb_begin(b, "chosen");
	fdtb_prop_str(b, "stdout-path", "serial0:115200n8");
	fdtb_end(b);
	fdtb_begin(b, "aliases");
	fdtb_prop_str(b, "serial0", "serial1");
	fdtb_prop_str(b, "serial1", "serial0");
	fdtb_end(b);
}

static void extra_alias_self(fdtb_t *b)
{
	fdtb_begin(b, "aliases");
	fdtb_prop_str(b, "serial0", "serial0");
	fdtb_end(b);
}

static void extra_alias_missing_node(fdtb_t *b)
{
	fdtb_begin(b, "chosen");
	fdtb_prop_str(b, "stdout-path", "serial0");
	fdtb_end(b);
	fdtb_begin(b, "aliases");
	fdtb_prop_str(b, "serial0", "/soc/serial@10010000");
	fdtb_end(b);
}

static void extra_stdout_missing_alias(fdtb_t *b)
{
	fdtb_begin(b, "chosen");
	fdtb_prop_str(b, "stdout-path", "serial3");
	fdtb_end(b);
	fdtb_begin(b, "aliases");
	fdtb_prop_str(b, "serial0", "/uart@10010000");
	fdtb_end(b);
	tree_uart(b, "uart@10010000");
}

static void extra_stdout_missing_path(fdtb_t *b)
{
	fdtb_begin(b, "chosen");
	fdtb_prop_str(b, "stdout-path", "/nowhere:115200");
	fdtb_end(b);
}

static void extra_alias_chain(fdtb_t *b)
{
	/* Not spec-conforming, but a short chain is resolved. */
	fdtb_begin(b, "chosen");
	fdtb_prop_str(b, "stdout-path", "console:9600");
	fdtb_end(b);
	fdtb_begin(b, "aliases");
	fdtb_prop_str(b, "console", "serial0");
	fdtb_prop_str(b, "serial0", "/uart@10010000");
	fdtb_end(b);
	tree_uart(b, "uart@10010000");
}

static void extra_serial0_fallback(fdtb_t *b)
{
	fdtb_begin(b, "aliases");
	fdtb_prop_str(b, "serial0", "/uart@10010000");
	fdtb_end(b);
	tree_uart(b, "uart@10010000");
}

static void test_stdout_paths(void)
{
	CHECK_EQ(parse_minimal_with(extra_alias_loop), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_alias_self), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_alias_missing_node), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_stdout_missing_alias), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_stdout_missing_path), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_alias_chain), 0);
	CHECK_EQ(plat.uart.kind, UART_SIFIVE);
	CHECK(strcmp(plat.uart.path, "/uart@10010000") == 0);
	CHECK_EQ(parse_minimal_with(extra_serial0_fallback), 0);
	CHECK_EQ(plat.uart.base, 0x10010000);
}

/* A PLIC whose interrupts-extended is cells[n]. */
static void tree_plic(fdtb_t *b, const uint32_t *cells, size_t n)
{
	fdtb_begin(b, "plic@c000000");
	fdtb_prop_str(b, "compatible", "riscv,plic0");
	fdtb_prop_u32(b, "riscv,ndev", 5);
	fdtb_prop_cells(b, "interrupts-extended", cells, n);
	fdtb_end(b);
}

static void extra_plic_missing_phandle(fdtb_t *b)
{
	static const uint32_t ie[] = {0x100, 11, 0x999, 9};

	tree_plic(b, ie, 4);
}

static void extra_plic_short(fdtb_t *b)
{
	static const uint32_t ie[] = {0x100, 11, 0x100};

	tree_plic(b, ie, 3);
}

static void extra_plic_no_cells(fdtb_t *b)
{
	static const uint32_t ie[] = {0x100, 9, 0x200, 9};

	tree_plic(b, ie, 4);
	fdtb_begin(b, "mux"); /* no #interrupt-cells */
	fdtb_prop_u32(b, "phandle", 0x200);
	fdtb_end(b);
}

static void extra_plic_ok(fdtb_t *b)
{
	static const uint32_t ie[] = {0x100, 0xffffffff, 0x100, 9};

	tree_plic(b, ie, 4);
}

static void extra_plic_odd_bytes(fdtb_t *b)
{
	fdtb_begin(b, "plic@c000000");
	fdtb_prop_str(b, "compatible", "riscv,plic0");
	fdtb_prop(b, "interrupts-extended", "\0\0\1\0\0\0\0\x09\0", 9);
	fdtb_end(b);
}

static void test_plic_hostile(void)
{
	CHECK_EQ(parse_minimal_with(extra_plic_missing_phandle), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_plic_short), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_plic_no_cells), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_plic_odd_bytes), E_BADFMT);
	CHECK_EQ(parse_minimal_with(extra_plic_ok), 0);
	CHECK(plat.plic.present);
	CHECK_EQ(plat.plic.ncontexts, 2);
	CHECK_EQ(plat.plic.ndev, 5);
	CHECK_EQ(plat.harts[0].plic_sctx, 1);
}

/* Root cells as given, then the usual memory and cpus. */
static int parse_root_cells(const void *ac, size_t aclen, uint32_t sc)
{
	static fdtb_t b;
	static const uint32_t reg[] = {0, 0x80000000, 0, 0x10000000};

	fdtb_init(&b);
	fdtb_begin(&b, "");
	fdtb_prop(&b, "#address-cells", ac, aclen);
	fdtb_prop_u32(&b, "#size-cells", sc);
	fdtb_begin(&b, "memory@80000000");
	fdtb_prop_cells(&b, "reg", reg, 4);
	fdtb_end(&b);
	tree_cpus(&b, 1);
	fdtb_end(&b);
	return parse_built(&b);
}

static void test_cells_hostile(void)
{
	CHECK_EQ(parse_root_cells("\0\0\0\2", 4, 2), 0);
	CHECK_EQ(parse_root_cells("\0\0\0\3", 4, 2), E_BADFMT);
	CHECK_EQ(parse_root_cells("\x7f\xff\xff\xff", 4, 2), E_BADFMT);
	CHECK_EQ(parse_root_cells("\0\0\0\0", 4, 2), E_BADFMT);
	CHECK_EQ(parse_root_cells("\0\0\0\2", 4, 0x7fffffff), E_BADFMT);
	CHECK_EQ(parse_root_cells("\0\0\0\0\0\0\0\2", 8, 2), E_BADFMT);
	/* 2/1 makes the 16-byte reg a partial entry (12 + 4). */
	CHECK_EQ(parse_root_cells("\0\0\0\2", 4, 1), E_BADFMT);
	/* 1/1: two whole entries 0/0x80000000, 0/0x10000000. */
	CHECK_EQ(parse_root_cells("\0\0\0\1", 4, 1), 0);
	CHECK_EQ(plat.nmem, 2);
	CHECK_EQ(plat.mem[0].size, 0x80000000);
}

/* A memory node with reg = bytes[len]. */
static int parse_mem_reg(const void *bytes, size_t len)
{
	static fdtb_t b;

	fdtb_init(&b);
	fdtb_begin(&b, "");
	fdtb_prop_u32(&b, "#address-cells", 2);
	fdtb_prop_u32(&b, "#size-cells", 2);
	fdtb_begin(&b, "memory@0");
	fdtb_prop_str(&b, "device_type", "memory");
	fdtb_prop(&b, "reg", bytes, len);
	fdtb_end(&b);
	tree_cpus(&b, 1);
	fdtb_end(&b);
	return parse_built(&b);
}

static void test_reg_hostile(void)
{
	static const uint8_t wrap[20] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x00, 0, 0, 0, 0, 0, 0, 0x20, 0x00,
	};
	static const uint8_t top[16] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x00, 0, 0, 0, 0, 0, 0, 0x10, 0x00,
	};
	static const uint8_t zero[16];

	CHECK_EQ(parse_mem_reg(wrap, 12), E_BADFMT); /* partial entry */
	CHECK_EQ(parse_mem_reg(wrap, 17), E_BADFMT);
	CHECK_EQ(parse_mem_reg(wrap, 16), E_BADFMT); /* wraps past 2^64 */
	CHECK_EQ(parse_mem_reg(top, 16), 0);	     /* ends at 2^64 */
	CHECK_EQ(parse_mem_reg(zero, 16), E_NOENT);  /* only zero size */
	CHECK_EQ(parse_mem_reg(zero, 0), E_NOENT);
}

static void extra_nine_ranges(fdtb_t *b)
{
	uint32_t reg[4 * (PLAT_MAX_MEM + 1)];
	size_t i;

	for (i = 0; i < PLAT_MAX_MEM + 1; i++) {
		reg[4 * i] = 1;
		reg[4 * i + 1] = (uint32_t)i << 20;
		reg[4 * i + 2] = 0;
		reg[4 * i + 3] = 0x1000;
	}
	fdtb_begin(b, "memory@100000000");
	fdtb_prop_str(b, "device_type", "memory");
	fdtb_prop_cells(b, "reg", reg, 4 * (PLAT_MAX_MEM + 1));
	fdtb_end(b);
}

static void extra_many_reserved(fdtb_t *b)
{
	char name[32];
	uint32_t reg[4] = {0, 0, 0, 0x1000};
	int i;

	fdtb_begin(b, "reserved-memory");
	fdtb_prop_u32(b, "#address-cells", 2);
	fdtb_prop_u32(b, "#size-cells", 2);
	for (i = 0; i < PLAT_MAX_RSV + 1; i++) {
		snprintf(name, sizeof(name), "r@%x", i << 12);
		reg[1] = (uint32_t)i << 12;
		fdtb_begin(b, name);
		fdtb_prop_cells(b, "reg", reg, 4);
		fdtb_end(b);
	}
	fdtb_end(b);
}

static void test_table_overflow(void)
{
	static fdtb_t b;

	CHECK_EQ(parse_minimal_with(extra_nine_ranges), E_NOSPC);
	CHECK_EQ(parse_minimal_with(extra_many_reserved), E_NOSPC);
	tree_open(&b);
	tree_cpus(&b, PLAT_MAX_HARTS + 1);
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), E_NOSPC);
	tree_open(&b);
	tree_cpus(&b, PLAT_MAX_HARTS);
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), 0);
	CHECK_EQ(plat.nharts, PLAT_MAX_HARTS);
	CHECK_EQ(platform_hart_index(&plat, PLAT_MAX_HARTS - 1), PLAT_MAX_HARTS - 1);
}

static void test_missing_nodes(void)
{
	static fdtb_t b;

	tree_open(&b); /* memory, no /cpus */
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), E_NOENT);
	tree_open(&b); /* /cpus without a cpu */
	tree_cpus(&b, 0);
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), E_NOENT);
	fdtb_init(&b); /* no memory */
	fdtb_begin(&b, "");
	tree_cpus(&b, 1);
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), E_NOENT);
	fdtb_init(&b); /* only a disabled memory node */
	fdtb_begin(&b, "");
	fdtb_begin(&b, "memory@0");
	fdtb_prop_str(&b, "status", "disabled");
	fdtb_prop(&b, "reg", "\0\0\0\0\0\0\0\0\0\0\0\1", 12);
	fdtb_end(&b);
	tree_cpus(&b, 1);
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), E_NOENT);
	/* The same node enabled: default root cells 2/1 fit its 12 bytes. */
	fdtb_init(&b);
	fdtb_begin(&b, "");
	fdtb_begin(&b, "memory@0");
	fdtb_prop(&b, "reg", "\0\0\0\0\0\0\0\0\0\0\0\1", 12);
	fdtb_end(&b);
	tree_cpus(&b, 1);
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), 0);
	CHECK_EQ(plat.mem[0].size, 1);
}

/* One cpu node whose props are given by fn, under /cpus with ac cells. */
static int parse_cpu(uint32_t ac, void (*fn)(fdtb_t *))
{
	static fdtb_t b;

	tree_open(&b);
	fdtb_begin(&b, "cpus");
	fdtb_prop_u32(&b, "#address-cells", ac);
	fdtb_prop_u32(&b, "#size-cells", 0);
	fdtb_begin(&b, "cpu@0");
	fdtb_prop_str(&b, "device_type", "cpu");
	fn(&b);
	fdtb_end(&b);
	fdtb_end(&b);
	fdtb_end(&b);
	return parse_built(&b);
}

static void cpu_big_id(fdtb_t *b)
{
	static const uint32_t reg[] = {1, 0};

	fdtb_prop_cells(b, "reg", reg, 2);
}

static void cpu_id_2cells(fdtb_t *b)
{
	static const uint32_t reg[] = {0, 7};

	fdtb_prop_cells(b, "reg", reg, 2);
	fdtb_prop_u32(b, "timebase-frequency", 12345);
}

static void cpu_no_reg(fdtb_t *b)
{
	fdtb_prop_str(b, "mmu-type", "riscv,sv39");
}

static void cpu_bad_mmu(fdtb_t *b)
{
	fdtb_prop_u32(b, "reg", 0);
	fdtb_prop(b, "mmu-type", "riscv,sv39", 10); /* no NUL */
}

static void cpu_bad_timebase(fdtb_t *b)
{
	fdtb_prop_u32(b, "reg", 0);
	fdtb_prop(b, "timebase-frequency", "\0\0\1", 3);
}

static void test_cpu_hostile(void)
{
	CHECK_EQ(parse_cpu(2, cpu_big_id), E_BADFMT);
	CHECK_EQ(parse_cpu(1, cpu_big_id), 0); /* two 1-cell ids: first wins */
	CHECK_EQ(plat.harts[0].hartid, 1);
	CHECK_EQ(parse_cpu(2, cpu_id_2cells), 0);
	CHECK_EQ(plat.harts[0].hartid, 7);
	CHECK_EQ(plat.timebase_hz, 12345);
	CHECK(!plat.harts[0].usable); /* no mmu-type */
	CHECK_EQ(parse_cpu(3, cpu_id_2cells), E_BADFMT);
	CHECK_EQ(parse_cpu(0, cpu_id_2cells), E_BADFMT);
	CHECK_EQ(parse_cpu(1, cpu_no_reg), E_BADFMT);
	CHECK_EQ(parse_cpu(1, cpu_bad_mmu), E_BADFMT);
	CHECK_EQ(parse_cpu(1, cpu_bad_timebase), E_BADFMT);
}

/* /chosen with the given initrd property bytes. */
static int parse_initrd(const void *s, size_t slen, const void *e, size_t elen)
{
	static fdtb_t b;

	tree_open(&b);
	tree_cpus(&b, 1);
	fdtb_begin(&b, "chosen");
	fdtb_prop(&b, "linux,initrd-start", s, slen);
	fdtb_prop(&b, "linux,initrd-end", e, elen);
	fdtb_end(&b);
	fdtb_end(&b);
	return parse_built(&b);
}

static void test_chosen(void)
{
	static fdtb_t b;
	char longargs[400];

	CHECK_EQ(parse_initrd("\0\0\0\1", 4, "\0\0\0\0\0\0\0\2", 8), 0);
	CHECK(plat.has_initrd);
	CHECK_EQ(plat.initrd_start, 1);
	CHECK_EQ(plat.initrd_end, 2);
	CHECK_EQ(parse_initrd("\0\0\1", 3, "\0\0\0\2", 4), E_BADFMT);
	CHECK_EQ(parse_initrd("\0\0\0\1", 4, "\0\0\0\0\2", 5), E_BADFMT);
	CHECK_EQ(parse_initrd("\0\0\0\3", 4, "\0\0\0\2", 4), E_BADFMT);
	/* Over-long bootargs are cut, still NUL-terminated. */
	memset(longargs, 'x', sizeof(longargs) - 1);
	longargs[sizeof(longargs) - 1] = '\0';
	tree_open(&b);
	tree_cpus(&b, 1);
	fdtb_begin(&b, "chosen");
	fdtb_prop_str(&b, "bootargs", longargs);
	fdtb_end(&b);
	fdtb_end(&b);
	CHECK_EQ(parse_built(&b), 0);
	CHECK_EQ(strlen(plat.bootargs), PLAT_BOOTARGS_LEN - 1);
	CHECK(!plat.has_initrd);
}

/* UART under a bus: ranges as given (NULL: no ranges property). */
static int parse_bus_uart(const uint32_t *ranges, size_t n)
{
	static fdtb_t b;
	static const uint32_t reg[] = {0x1000, 0x100};

	tree_open(&b);
	tree_cpus(&b, 1);
	fdtb_begin(&b, "chosen");
	fdtb_prop_str(&b, "stdout-path", "/bus/uart@1000");
	fdtb_end(&b);
	fdtb_begin(&b, "bus");
	fdtb_prop_u32(&b, "#address-cells", 1);
	fdtb_prop_u32(&b, "#size-cells", 1);
	if (ranges)
		fdtb_prop_cells(&b, "ranges", ranges, n);
	fdtb_begin(&b, "uart@1000");
	fdtb_prop_str(&b, "compatible", "ns16550a");
	fdtb_prop_cells(&b, "reg", reg, 2);
	fdtb_prop(&b, "interrupts", "\0\0", 2); /* too short: irq 0 */
	fdtb_end(&b);
	fdtb_end(&b);
	fdtb_end(&b);
	return parse_built(&b);
}

static void test_translation(void)
{
	static const uint32_t hit[] = {0, 0, 0x30000000, 0x2000};
	static const uint32_t miss[] = {0x8000, 0, 0x30000000, 0x2000};
	static const uint32_t two[] = {0x8000, 0, 0x50000000, 0x2000,
				       0x1000, 0, 0x40000000, 0x1000};

	CHECK_EQ(parse_bus_uart(hit, 4), 0);
	CHECK_EQ(plat.uart.base, 0x30001000);
	CHECK_EQ(plat.uart.irq, 0);
	CHECK_EQ(parse_bus_uart(two, 8), 0);
	CHECK_EQ(plat.uart.base, 0x40000000);
	/* Documented: an unmatched or missing ranges leaves the address. */
	CHECK_EQ(parse_bus_uart(miss, 4), 0);
	CHECK_EQ(plat.uart.base, 0x1000);
	CHECK_EQ(parse_bus_uart(NULL, 0), 0);
	CHECK_EQ(plat.uart.base, 0x1000);
	CHECK_EQ(parse_bus_uart(hit, 0), 0); /* empty ranges: identity */
	CHECK_EQ(plat.uart.base, 0x1000);
	CHECK_EQ(parse_bus_uart(hit, 3), E_BADFMT); /* partial entry */
}

/* Reservation map that runs to the end of the blob with no terminator. */
static void test_memreserve_unterminated(void)
{
	static fdtb_t b;
	size_t len, rsv, total, i;
	uint8_t *p;

	tree_open(&b);
	tree_cpus(&b, 1);
	fdtb_end(&b);
	len = fdtb_finish(&b);
	rsv = (len + 7) & ~(size_t)7;
	total = rsv + 1000 * 16;
	p = calloc(1, total);
	CHECK(p != NULL);
	memcpy(p, b.out, len);
	for (i = rsv; i < total; i++)
		p[i] = 0x11;
	fdtb_put32(p + 4, (uint32_t)total);
	fdtb_put32(p + 16, (uint32_t)rsv);
	CHECK_EQ(platform_parse(&plat, p, total), E_BADFMT);
	p[total - 1] = 0; /* still no all-zero entry */
	CHECK_EQ(platform_parse(&plat, p, total), E_BADFMT);
	memset(p + total - 16, 0, 16); /* now terminated: 999 entries */
	CHECK_EQ(platform_parse(&plat, p, total), E_NOSPC);
	free(p);
}

/* ----------------------------------------------- truncation, fuzzing -- */

static void test_truncation(void)
{
	size_t i, cut, len;
	uint8_t *blob, *p;
	int err;

	for (i = 0; i < NFIXTURES; i++) {
		blob = fixture_load(fixtures[i], &len);
		CHECK(blob != NULL);
		for (cut = 0; cut <= len; cut++) {
			p = fdtb_dup(blob, cut);
			err = platform_parse(&plat, p, cut);
			CHECK_EQ(err, cut == len ? 0 : E_BADFMT);
			if (cut >= 8) {
				fdtb_put32(p + 4, (uint32_t)cut);
				err = platform_parse(&plat, p, cut);
				CHECK(err == 0 || err == E_BADFMT || err == E_NOENT ||
				      err == E_NOSPC);
			}
			free(p);
		}
		free(blob);
	}
}

static void test_corruption(void)
{
	uint64_t rng = 0xdeadbeefcafef00dULL;
	size_t i, len;
	int iter, err, ok = 0;
	uint8_t *blob, *p;

	for (i = 0; i < NFIXTURES; i++) {
		blob = fixture_load(fixtures[i], &len);
		CHECK(blob != NULL);
		for (iter = 0; iter < 1500; iter++) {
			p = fdtb_dup(blob, len);
			fdtb_corrupt(p, len, &rng);
			err = platform_parse(&plat, p, len);
			CHECK(err == 0 || err == E_BADFMT || err == E_NOENT || err == E_NOSPC);
			ok += err == 0;
			free(p);
		}
		free(blob);
	}
	CHECK(ok > 0);
}

/* Corrupt only property values, so the structure stays valid and the
 * semantic checks of platform_parse() see the damage. */
static void test_value_corruption(void)
{
	static const uint32_t evil[] = {
	    0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 0xffffffff, 0x7fffffff,
	};
	static uint32_t offs[2048], lens[2048];
	uint64_t rng = 0x0ddba11ULL, r;
	size_t i, len, pos;
	int node, n, iter, err, k;
	uint8_t *blob, *p;
	fdt_prop_t prop;
	fdt_t fdt;

	for (i = 0; i < NFIXTURES; i++) {
		blob = fixture_load(fixtures[i], &len);
		CHECK(blob && fdt_init(&fdt, blob, len) == 0);
		n = 0;
		for (node = fdt.root; node >= 0; node = fdt_next_node(&fdt, node, NULL))
			for (err = fdt_first_prop(&fdt, node, &prop); err == 0 && n < 2048;
			     err = fdt_next_prop(&fdt, &prop))
				if (prop.len) {
					offs[n] = (uint32_t)(prop.data - blob);
					lens[n++] = prop.len;
				}
		CHECK(n > 0);
		for (iter = 0; iter < 600; iter++) {
			p = fdtb_dup(blob, len);
			for (k = 0; k < 2; k++) {
				r = fdtb_rand(&rng);
				node = (int)(r % (uint64_t)n);
				pos = offs[node] + (r >> 16) % lens[node];
				if (r & (1ull << 40))
					p[pos] = (uint8_t)(r >> 48);
				else if ((pos & ~(size_t)3) + 4 <= offs[node] + lens[node])
					fdtb_put32(p + (pos & ~(size_t)3), evil[(r >> 41) % 12]);
			}
			err = platform_parse(&plat, p, len);
			CHECK(err == 0 || err == E_BADFMT || err == E_NOENT || err == E_NOSPC);
			free(p);
		}
		free(blob);
	}
}

int main(void)
{
	RUN(test_qemu_virt);
	RUN(test_qemu_virt_smp4);
	RUN(test_qemu_sifive_u);
	RUN(test_qemu_sifive_u_smp5);
	RUN(test_hifive_unleashed);
	RUN(test_hifive_unmatched);
	RUN(test_custom_a);
	RUN(test_custom_b);
	RUN(test_dtb_size);
	RUN(test_built_minimal);
	RUN(test_stdout_paths);
	RUN(test_plic_hostile);
	RUN(test_cells_hostile);
	RUN(test_reg_hostile);
	RUN(test_table_overflow);
	RUN(test_missing_nodes);
	RUN(test_cpu_hostile);
	RUN(test_chosen);
	RUN(test_translation);
	RUN(test_memreserve_unterminated);
	RUN(test_truncation);
	RUN(test_corruption);
	RUN(test_value_corruption);
	UNIT_EXIT();
}
