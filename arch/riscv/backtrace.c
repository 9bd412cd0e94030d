/*
 * Frame-pointer backtraces with symbol names.
 *
 * The kernel is built with -fno-omit-frame-pointer: fp (s0) points just
 * above each frame record {saved fp at fp-16, return address at fp-8}.
 * Symbols come from the table that tools/mksyms.sh generates from the
 * first link pass (build/ksyms.S), sorted by address.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <kern/console.h>

typedef struct ksym {
	uintptr_t addr;
	const char *name;
} ksym_t;

extern const ksym_t ksyms[];
extern const uint64_t ksyms_count;

const char *arch_symbol(uintptr_t pc, uintptr_t *off)
{
	uint64_t lo = 0, hi = ksyms_count;
	if (hi == 0 || pc < ksyms[0].addr) {
		*off = pc;
		return "?";
	}
	while (hi - lo > 1) {  /* largest addr <= pc */
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksyms[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*off = pc - ksyms[lo].addr;
	return ksyms[lo].name;
}

void arch_backtrace(void)
{
	cpu_t *c = this_cpu();
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t lo = c ? c->stack_lo : 0, hi = c ? c->stack_hi : 0;

	kprintf("backtrace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (fp & 7 || fp < lo + 16 || fp > hi)
			break;
		uintptr_t ra = ((uintptr_t *)fp)[-1];
		uintptr_t next = ((uintptr_t *)fp)[-2];
		if (ra == 0)
			break;
		uintptr_t off;
		const char *name = arch_symbol(ra, &off);
		kprintf("  #%d %#lx <%s+%#lx>\n", depth, (unsigned long)ra, name,
			(unsigned long)off);
		if (next <= fp)
			break;
		fp = next;
	}
}
