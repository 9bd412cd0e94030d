/*
 * SBI calls: the kernel's only way to reach M-mode firmware.
 *
 * sbi_init probes the base extension and every extension used; wrappers
 * fall back to the legacy (v0.1) calls so that boards with old firmware
 * (OpenSBI 0.9, SBI 0.3) still boot.
 */
#include <arch/sbi.h>

sbi_info_t sbi_info;

sbi_ret_t sbi_call4(long eid, long fid, long a0, long a1, long a2, long a3)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a6 __asm__("a6") = fid;
	register long r_a7 __asm__("a7") = eid;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (sbi_ret_t){.error = r_a0, .value = r_a1};
}

sbi_ret_t sbi_call(long eid, long fid, long a0, long a1, long a2)
{
	return sbi_call4(eid, fid, a0, a1, a2, 0); /* a3 unused by these calls */
}

/* Legacy calls return only a0 and take the EID alone. */
static long sbi_legacy(long eid, long a0)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a7 __asm__("a7") = eid;
	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory", "a1");
	return r_a0;
}

static bool sbi_probe(long eid)
{
	sbi_ret_t r = sbi_call(SBI_EXT_BASE, 3, eid, 0, 0);
	return r.error == SBI_SUCCESS && r.value != 0;
}

void sbi_init(void)
{
	sbi_ret_t r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
	if (r.error != SBI_SUCCESS) {
		sbi_info.spec_version = 0; /* v0.1: legacy calls only */
		return;
	}
	sbi_info.spec_version = r.value;
	sbi_info.impl_id = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0).value;
	sbi_info.impl_version = sbi_call(SBI_EXT_BASE, 2, 0, 0, 0).value;
	sbi_info.has_time = sbi_probe(SBI_EXT_TIME);
	sbi_info.has_ipi = sbi_probe(SBI_EXT_IPI);
	sbi_info.has_rfence = sbi_probe(SBI_EXT_RFENCE);
	sbi_info.has_hsm = sbi_probe(SBI_EXT_HSM);
	sbi_info.has_srst = sbi_probe(SBI_EXT_SRST);
	sbi_info.has_dbcn = sbi_probe(SBI_EXT_DBCN);
}

void sbi_putc(char c)
{
	if (sbi_info.has_dbcn)
		sbi_call(SBI_EXT_DBCN, 2, (unsigned char)c, 0, 0); /* write_byte */
	else
		sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, (unsigned char)c);
}

void sbi_set_timer(uint64_t when)
{
	if (sbi_info.has_time)
		sbi_call(SBI_EXT_TIME, 0, (long)when, 0, 0);
	else
		sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, (long)when);
}

void sbi_shutdown(bool failure)
{
	if (sbi_info.has_srst)
		/* type 0 = shutdown; reason 1 = system failure */
		sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0, 0);
	else
		sbi_legacy(SBI_EXT_LEGACY_SHUTDOWN, 0);
}

long sbi_hart_status(unsigned long hartid)
{
	if (!sbi_info.has_hsm)
		return SBI_ERR_NOT_SUPPORTED;
	sbi_ret_t r = sbi_call(SBI_EXT_HSM, 2, (long)hartid, 0, 0);
	return r.error ? r.error : r.value;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque)
{
	if (!sbi_info.has_hsm)
		return SBI_ERR_NOT_SUPPORTED;
	return sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)start_pa, (long)opaque).error;
}

long sbi_send_ipi(unsigned long hartid)
{
	if (!sbi_info.has_ipi)
		return SBI_ERR_NOT_SUPPORTED;
	/* hart_mask bit 0 is hart_mask_base = hartid */
	return sbi_call(SBI_EXT_IPI, 0, 1, (long)hartid, 0).error;
}

long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long start, unsigned long size)
{
	if (sbi_info.has_rfence)
		return sbi_call4(SBI_EXT_RFENCE, 1, (long)hart_mask, 0, (long)start, (long)size)
		    .error;
	return SBI_ERR_NOT_SUPPORTED;
}
