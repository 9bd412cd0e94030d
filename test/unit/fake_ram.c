/*
 * The fake physical memory of the host unit tests that run kernel code
 * (test/unit/include/arch/vm.h maps pa2kva and kva2pa here).  A test
 * allocates fake_ram and sets fake_ram_base / fake_ram_size; any address
 * outside it is a bug in the code under test: abort, so the case fails
 * loudly instead of reading stray memory.
 */
#include <stdio.h>
#include <stdlib.h>

#include <arch/vm.h>

uint8_t *fake_ram;
paddr_t fake_ram_base;
uint64_t fake_ram_size;

void *fake_pa2kva(paddr_t pa)
{
	if (pa < fake_ram_base || pa >= fake_ram_base + fake_ram_size) {
		printf("    pa2kva(%#lx) outside fake RAM\n", (unsigned long)pa);
		abort();
	}
	return fake_ram + (pa - fake_ram_base);
}

paddr_t fake_kva2pa(const void *va)
{
	const uint8_t *p = va;
	if (p < fake_ram || p >= fake_ram + fake_ram_size) {
		printf("    kva2pa(%p) outside fake RAM\n", va);
		abort();
	}
	return fake_ram_base + (paddr_t)(p - fake_ram);
}

/* The kernel event trace (kern/trace.c) is not linked into the host
 * tests: tracing is never on there. */
#include <kern/trace.h>
uint32_t trace_mask;
void trace_emit_slow(unsigned type, uint64_t a, uint64_t b)
{
	(void)type;
	(void)a;
	(void)b;
}
void trace_thread_gone(const void *t)
{
	(void)t;
}
void trace_set_fault_recorded(void)
{
}
int trace_take_fault_recorded(void)
{
	return 0;
}

/* The one "hart" of the host tests (test/unit/include/arch/cpu.h). */
#include <arch/cpu.h>
cpu_t unit_cpu;
