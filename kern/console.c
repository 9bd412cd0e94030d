/*
 * Kernel console output through the SBI console (arch_putc).  Used for the
 * boot banner, self-tests and panics; user programs get their own console
 * driver later, this one stays for the kernel.
 */
#include <lib/fmt.h>

#include <arch/arch.h>
#include <kern/console.h>

static void console_out(void *ctx, char c)
{
	(void)ctx;
	if (c == '\n')
		arch_putc('\r');
	arch_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(console_out, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
