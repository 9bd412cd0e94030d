/*
 * The trap frame: what arch/riscv/entry.S saves on every trap.
 * Offsets used from assembly are checked with _Static_assert in trap.c.
 */
#pragma once

#define TF_REG(n) ((n) * 8)   /* x0..x31; x0's slot is unused */
#define TF_SEPC (32 * 8)
#define TF_SSTATUS (33 * 8)
#define TF_SCAUSE (34 * 8)
#define TF_STVAL (35 * 8)
#define TF_SIZE (36 * 8)

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

/* Name of an scause value ("store page fault", "supervisor timer"). */
const char *trap_cause_name(uint64_t scause);

/* Print every register of tf. */
void trap_dump(const trapframe_t *tf);

void trap_init(void);
#endif
