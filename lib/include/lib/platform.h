/*
 * Platform description extracted from a flattened device tree.
 *
 * platform_parse() turns a DTB into this plain structure once at boot, so
 * the rest of the kernel never walks the tree.  Nothing platform-specific
 * (RAM, UART, PLIC, harts, timebase) is hard-coded anywhere else.  The
 * parser is pure C with no kernel dependencies: it is unit-tested on the
 * host against QEMU and HiFive device trees and against hostile blobs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLAT_MAX_MEM	  8  /* /memory ranges */
#define PLAT_MAX_RSV	  16 /* /memreserve/ entries + /reserved-memory children */
#define PLAT_MAX_HARTS	  32 /* /cpus/cpu@N nodes, usable or not */
#define PLAT_NAME_LEN	  64
#define PLAT_PATH_LEN	  96
#define PLAT_BOOTARGS_LEN 256

typedef struct plat_range {
	uint64_t base;
	uint64_t size;
	bool no_map;		  /* /reserved-memory child with no-map */
	char name[PLAT_NAME_LEN]; /* node name, or "memreserve" */
} plat_range_t;

typedef struct plat_hart {
	uint32_t hartid;	 /* the cpu node's reg */
	bool okay;		 /* status absent, "okay" or "ok" */
	bool mmu;		 /* has an mmu-type property */
	bool usable;		 /* okay && mmu: the kernel may run here */
	uint32_t intc_phandle;	 /* phandle of its riscv,cpu-intc child, 0 if none */
	int plic_sctx;		 /* PLIC context for S-mode external irq, -1 if none */
	char isa[PLAT_NAME_LEN]; /* riscv,isa, or built from riscv,isa-base */
	char mmu_type[24];	 /* e.g. "riscv,sv39" */
} plat_hart_t;

typedef enum plat_uart_kind {
	UART_NONE = 0,
	UART_NS16550A, /* compatible "ns16550a" or "ns16550" */
	UART_SIFIVE,   /* compatible "sifive,uart0" */
} plat_uart_kind_t;

typedef struct plat_uart {
	plat_uart_kind_t kind;
	uint64_t base;
	uint64_t size;
	uint32_t irq;		  /* first cell of interrupts, 0 if none */
	uint32_t reg_shift;	  /* ns16550 reg-shift, default 0 */
	uint32_t clock_hz;	  /* clock-frequency if present as a u32, else 0 */
	char path[PLAT_PATH_LEN]; /* resolved node path */
} plat_uart_t;

typedef struct plat_plic {
	bool present; /* compatible riscv,plic0 or sifive,plic-1.0.0 */
	uint64_t base;
	uint64_t size;
	uint32_t ndev;	    /* riscv,ndev */
	uint32_t ncontexts; /* number of interrupts-extended pairs */
} plat_plic_t;

typedef struct platform {
	char model[PLAT_NAME_LEN]; /* /model, or root compatible */
	uint32_t boot_cpuid;	   /* header boot_cpuid_phys */
	uint64_t timebase_hz;	   /* /cpus timebase-frequency (or cpu's) */

	size_t nmem;
	plat_range_t mem[PLAT_MAX_MEM]; /* every /memory node's reg entries */
	size_t nrsv;
	plat_range_t rsv[PLAT_MAX_RSV]; /* /memreserve/ + /reserved-memory children */

	size_t nharts;
	plat_hart_t harts[PLAT_MAX_HARTS];

	bool has_initrd;
	uint64_t initrd_start, initrd_end; /* /chosen linux,initrd-start/end */
	char bootargs[PLAT_BOOTARGS_LEN];  /* /chosen bootargs, "" if absent */

	plat_uart_t uart; /* from /chosen stdout-path */
	plat_plic_t plic;

	uint64_t test_base; /* sifive,test0 finisher, 0 if none */
} platform_t;

/*
 * Parse the DTB at blob (at most max_len readable bytes) into *p.
 * Returns 0, or E_BADFMT for a malformed blob, E_NOSPC if a fixed table
 * above overflows, E_NOENT if there is no /memory or no /cpus.  Never reads
 * outside [blob, blob + min(totalsize, max_len)).  *p is fully written on
 * success and unspecified on failure.
 */
int platform_parse(platform_t *p, const void *blob, size_t max_len);

/* Total size in bytes of the DTB at blob (its header totalsize), or a
 * negative error if the header is not valid within max_len bytes. */
long platform_dtb_size(const void *blob, size_t max_len);

/* Index in p->harts of hartid, or -1. */
int platform_hart_index(const platform_t *p, uint32_t hartid);

/* Total bytes of RAM over all /memory ranges. */
uint64_t platform_ram_bytes(const platform_t *p);
