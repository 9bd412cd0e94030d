/*
 * What boot learned: the platform, where everything was put, and what the
 * frame table reserved for it.  Filled once by kmain; read-only afterwards.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <arch/arch.h>
#include <lib/platform.h>

typedef enum boot_rsv {
	RSV_FIRMWARE, /* /memreserve/ and /reserved-memory */
	RSV_KERNEL,   /* the kernel image with .bss */
	RSV_DTB,
	RSV_INITRD,
	RSV_BOOTMEM, /* page tables and the frame table */
	RSV_COUNT
} boot_rsv_t;

typedef struct boot_info {
	platform_t plat;
	uint32_t boot_hart;
	paddr_t dtb_pa;
	size_t dtb_size;
	kernel_layout_t kernel;
	size_t rsv_pages[RSV_COUNT]; /* frames newly reserved per category */
	size_t free_at_boot;
	/* bootargs */
	bool opt_selftest;   /* "selftest": run in-kernel tests, exit */
	bool opt_panic_test; /* "selftest=panic": fault on purpose */
	bool opt_quick;	     /* "selftest=quick": skip whole-RAM tests */
	bool opt_semihost;   /* "semihost": exit through semihosting */
	uint64_t tick_hz;    /* "tick_hz=N", default TICK_HZ_DEFAULT */
} boot_info_t;

#define TICK_HZ_DEFAULT 100

extern boot_info_t boot_info;

/* The value of "key=value" (or "" for a bare "key") in the bootargs args,
 * with its length in *vlen; NULL if key is absent. */
const char *boot_arg(const char *args, const char *key, size_t *vlen);

/* In-kernel self-tests (bootarg "selftest"); returns the failure count. */
int selftest_run(const boot_info_t *bi);

/* Deliberately touch a user address from the kernel ("selftest=panic"). */
void selftest_user_access_panic(void);
