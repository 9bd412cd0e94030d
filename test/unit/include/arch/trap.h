/*
 * Host stand-in for arch/riscv/include/arch/trap.h: kern/thread.h (pulled
 * in by kern/kobj.c) needs only the trap frame's layout on the host.
 */
#pragma once

#include <stdint.h>

typedef struct trapframe {
	uint64_t x[32];
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
} trapframe_t;
