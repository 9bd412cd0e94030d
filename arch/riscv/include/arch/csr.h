/*
 * RISC-V supervisor CSRs: numbers, bit fields and accessors.
 *
 * The only place besides the assembly files that names a CSR.  kern/ never
 * includes this header; it calls the arch_* functions instead.
 */
#pragma once

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

/* sstatus */
#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_FS   (3UL << 13)
#define SSTATUS_SUM  (1UL << 18)
#define SSTATUS_MXR  (1UL << 19)

/* sie / sip */
#define SIE_SSIE (1UL << 1)
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

/* scause */
#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#define EXC_INSN_MISALIGNED  0
#define EXC_INSN_ACCESS	     1
#define EXC_ILLEGAL_INSN     2
#define EXC_BREAKPOINT	     3
#define EXC_LOAD_MISALIGNED  4
#define EXC_LOAD_ACCESS	     5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS     7
#define EXC_ECALL_U	     8
#define EXC_ECALL_S	     9
#define EXC_INSN_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

/* satp */
#define SATP_MODE_SV39	(8UL << 60)
#define SATP_ASID_SHIFT 44

#ifndef __ASSEMBLY__

#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t csr_v_;                                                                   \
		__asm__ volatile("csrr %0, " #csr : "=r"(csr_v_));                                 \
		csr_v_;                                                                            \
	})

#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")

#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"rK"((uint64_t)(bits)) : "memory")

#define csr_clear(csr, bits)                                                                       \
	__asm__ volatile("csrc " #csr ", %0" ::"rK"((uint64_t)(bits)) : "memory")

static inline uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline uint64_t rdinstret(void)
{
	uint64_t n;
	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

static inline void sfence_vma_addr(uint64_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

#endif /* __ASSEMBLY__ */
