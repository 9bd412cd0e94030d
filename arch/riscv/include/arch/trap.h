/*
 * The trap frame: what arch/riscv/entry.S saves on every trap.
 * Offsets used from assembly are checked with _Static_assert in trap.c.
 */
#pragma once

#define TF_REG(n)  ((n)*8) /* x0..x31; x0's slot is unused */
#define TF_SEPC	   (32 * 8)
#define TF_SSTATUS (33 * 8)
#define TF_SCAUSE  (34 * 8)
#define TF_STVAL   (35 * 8)
#define TF_SIZE	   (36 * 8)

#ifndef __ASSEMBLY__
#include <stdint.h>

typedef struct trapframe {
	uint64_t x[32];
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
} trapframe_t;

/* Called from entry.S for every trap taken in S-mode. */
void trap_kernel(trapframe_t *tf);

/* Called from entry.S for every trap taken in U-mode.  Returns only to
 * resume the same thread (entry.S then restores it cheaply); otherwise it
 * leaves through kern_return_to_user. */
void trap_user(trapframe_t *tf);

/* Enter user mode with tf's registers; never returns. */
__attribute__((noreturn)) void arch_user_return(trapframe_t *tf);

/* The same, when this hart came straight from a user trap (no kernel trap
 * since): sstatus already says "return to user, interrupts on". */
__attribute__((noreturn)) void arch_user_return_from_user(trapframe_t *tf);

/* Register access for kern/: argument/result i is a_i; the syscall number
 * is a7.  kern/ never indexes x[] itself. */
static inline uint64_t tf_arg(const trapframe_t *tf, int i)
{
	return tf->x[10 + i];
}
static inline void tf_set_arg(trapframe_t *tf, int i, uint64_t v)
{
	tf->x[10 + i] = v;
}
static inline uint64_t tf_sysno(const trapframe_t *tf)
{
	return tf->x[17];
}
static inline uint64_t tf_pc(const trapframe_t *tf)
{
	return tf->sepc;
}
static inline void tf_set_pc(trapframe_t *tf, uint64_t pc)
{
	tf->sepc = pc;
}
/* Step past the ecall instruction (the syscall dispatcher does this). */
static inline void tf_skip_ecall(trapframe_t *tf)
{
	tf->sepc += 4;
}
/* The 32-word register image of THREAD_READ_REGS: pc, x1..x31. */
void tf_to_regs(const trapframe_t *tf, uint64_t regs[32]);
void tf_from_regs(trapframe_t *tf, const uint64_t regs[32]);

/* Fresh user-mode registers: pc, sp, a0; interrupts on in user mode. */
void tf_init_user(trapframe_t *tf, uint64_t pc, uint64_t sp, uint64_t a0);

/* Name of an scause value ("store page fault", "supervisor timer"). */
const char *trap_cause_name(uint64_t scause);

/* Print every register of tf. */
void trap_dump(const trapframe_t *tf);

void trap_init(void);
#endif
