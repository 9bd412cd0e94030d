/*
 * panic: the last word of a broken kernel.  Prints the hart, the message
 * and a backtrace, the result line the test harness looks for, and leaves
 * the machine (exit code 3 under QEMU semihosting, else halt).
 */
#include <stdarg.h>

#include <arch/arch.h>
#include <arch/cpu.h>
#include <kern/assert.h>
#include <kern/console.h>

#define PANIC_EXIT_CODE 3

static int panicking;

void panic(const char *fmt, ...)
{
	arch_intr_disable();
	cpu_t *c = this_cpu();
	if (panicking++) {
		kprintf("\nPANIC (nested)\n");
		arch_exit(PANIC_EXIT_CODE);
	}
	va_list ap;
	va_start(ap, fmt);
	if (c)
		kprintf("\nPANIC on hart %u: ", c->hartid);
	else
		kprintf("\nPANIC on hart ?: ");
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_backtrace();
	kprintf("RESULT: FAIL (panic)\n");
	arch_exit(PANIC_EXIT_CODE);
}
