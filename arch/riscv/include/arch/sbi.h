/*
 * SBI calls (RISC-V Supervisor Binary Interface, spec 1.0 and legacy 0.1).
 * Every extension is probed once in sbi_init(); callers check the
 * sbi_has_* flags or use the wrappers, which fall back to legacy calls.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR	 0x01
#define SBI_EXT_LEGACY_SHUTDOWN	 0x08
#define SBI_EXT_BASE		 0x10
#define SBI_EXT_TIME		 0x54494D45
#define SBI_EXT_IPI		 0x735049
#define SBI_EXT_RFENCE		 0x52464E43
#define SBI_EXT_HSM		 0x48534D
#define SBI_EXT_SRST		 0x53525354
#define SBI_EXT_DBCN		 0x4442434E

#define SBI_SUCCESS	      0
#define SBI_ERR_NOT_SUPPORTED (-2)

typedef struct sbi_ret {
	long error;
	long value;
} sbi_ret_t;

typedef struct sbi_info {
	long spec_version; /* major << 24 | minor, 0 for a legacy-only SBI */
	long impl_id, impl_version;
	bool has_time, has_ipi, has_rfence, has_hsm, has_srst, has_dbcn;
} sbi_info_t;

extern sbi_info_t sbi_info;

sbi_ret_t sbi_call(long eid, long fid, long a0, long a1, long a2);
sbi_ret_t sbi_call4(long eid, long fid, long a0, long a1, long a2, long a3);

/* Probe BASE and every extension the kernel uses; fill sbi_info. */
void sbi_init(void);

/* Early console output: DBCN when probed, else legacy putchar. */
void sbi_putc(char c);

/* Program the next timer interrupt (absolute time); TIME or legacy. */
void sbi_set_timer(uint64_t when);

/* Power off through SRST (or legacy shutdown); returns if unsupported. */
void sbi_shutdown(bool failure);

/* HSM hart_get_status, or a negative SBI error. */
long sbi_hart_status(unsigned long hartid);

/* HSM hart_start: hartid enters start_pa (physical, MMU off, S-mode) with
 * a0 = hartid, a1 = opaque.  0 or a negative SBI error. */
long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque);

/* IPI send_ipi to one hart (a supervisor software interrupt there).
 * 0 or a negative SBI error. */
long sbi_send_ipi(unsigned long hartid);

/* RFENCE remote_sfence_vma: every hart in hart_mask (bit i = hart id i)
 * runs sfence.vma over [start, start + size) (size -1: everything) before
 * the call returns (OpenSBI waits for them).  0 or a negative SBI error. */
long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long start, unsigned long size);
