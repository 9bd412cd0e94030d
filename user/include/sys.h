/*
 * System-call stubs for user programs: one inline function per call, with
 * the register convention of lib/include/abi/syscall.h (t0..t6 are not
 * preserved across a system call).
 */
#pragma once

#include <stdint.h>

#include <abi/cap.h>
#include <abi/error.h>
#include <abi/syscall.h>

/* Everything a system call can return: a0 .. a6. */
typedef struct sysret {
	long r0;	    /* a0: result or error */
	unsigned long r[6]; /* a1 .. a6 */
} sysret_t;

static inline sysret_t syscall7(long n, unsigned long a0, unsigned long a1, unsigned long a2,
				unsigned long a3, unsigned long a4, unsigned long a5,
				unsigned long a6)
{
	register unsigned long x10 __asm__("a0") = a0;
	register unsigned long x11 __asm__("a1") = a1;
	register unsigned long x12 __asm__("a2") = a2;
	register unsigned long x13 __asm__("a3") = a3;
	register unsigned long x14 __asm__("a4") = a4;
	register unsigned long x15 __asm__("a5") = a5;
	register unsigned long x16 __asm__("a6") = a6;
	register unsigned long x17 __asm__("a7") = (unsigned long)n;
	__asm__ volatile("ecall"
			 : "+r"(x10), "+r"(x11), "+r"(x12), "+r"(x13), "+r"(x14), "+r"(x15),
			   "+r"(x16)
			 : "r"(x17)
			 : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6");
	return (sysret_t){(long)x10, {x11, x12, x13, x14, x15, x16}};
}

static inline long sys_null(void)
{
	return syscall7(SYS_NULL, 0, 0, 0, 0, 0, 0, 0).r0;
}

static inline long sys_yield(void)
{
	return syscall7(SYS_YIELD, 0, 0, 0, 0, 0, 0, 0).r0;
}

/* Invoke the capability in slot with label and up to five arguments. */
static inline sysret_t sys_invoke(unsigned long slot, unsigned long label, unsigned long a2,
				  unsigned long a3, unsigned long a4, unsigned long a5,
				  unsigned long a6)
{
	return syscall7(SYS_INVOKE, slot, label, a2, a3, a4, a5, a6);
}

/* Run n invocations in one call (abi/syscall.h, SYS_BATCH): r0 = 0 or the
 * first error, r[0] = how many ran, r[1] = how many failed. */
static inline sysret_t sys_batch(const invocation_t *ops, unsigned long n, unsigned long flags)
{
	return syscall7(SYS_BATCH, (unsigned long)ops, n, flags, 0, 0, 0, 0);
}

/* A message: info word (abi/syscall.h MSG_*), four words, a cap slot. */
typedef struct msg {
	unsigned long info;
	unsigned long w[MSG_WORDS];
	unsigned long cap; /* send: slot of the cap to transfer; recv: badge */
} msg_t;

static inline sysret_t sys_send(unsigned long ep, const msg_t *m)
{
	return syscall7(SYS_SEND, ep, m->info, m->w[0], m->w[1], m->w[2], m->w[3], m->cap);
}

static inline sysret_t sys_call(unsigned long ep, const msg_t *m)
{
	return syscall7(SYS_CALL, ep, m->info, m->w[0], m->w[1], m->w[2], m->w[3], m->cap);
}

/* info: 0, or MSG_WITH_RSLOT(0, slot) to accept a capability into slot. */
static inline sysret_t sys_recv(unsigned long ep, unsigned long info)
{
	return syscall7(SYS_RECV, ep, info, 0, 0, 0, 0, 0);
}

static inline sysret_t sys_reply(const msg_t *m)
{
	return syscall7(SYS_REPLY, 0, m->info, m->w[0], m->w[1], m->w[2], m->w[3], m->cap);
}

/* Reply with m, then receive on ep; m->info's RSLOT applies to the receive. */
static inline sysret_t sys_reply_recv(unsigned long ep, const msg_t *m)
{
	return syscall7(SYS_REPLY_RECV, ep, m->info, m->w[0], m->w[1], m->w[2], m->w[3], m->cap);
}

static inline long sys_signal(unsigned long ntfn)
{
	return syscall7(SYS_SIGNAL, ntfn, 0, 0, 0, 0, 0, 0).r0;
}

static inline sysret_t sys_wait(unsigned long ntfn)
{
	return syscall7(SYS_WAIT, ntfn, 0, 0, 0, 0, 0, 0);
}

static inline sysret_t sys_poll(unsigned long ntfn)
{
	return syscall7(SYS_POLL, ntfn, 0, 0, 0, 0, 0, 0);
}

static inline uint64_t rd_instret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static inline uint64_t rd_cycle(void)
{
	uint64_t v;
	__asm__ volatile("rdcycle %0" : "=r"(v));
	return v;
}

static inline uint64_t rd_time(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}
