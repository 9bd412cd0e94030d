/*
 * hello: the smallest root task.  Prints what the boot-info page says and
 * stops.  Boot it with `make qemu APPEND=init=hello`.
 */
#include <abi/bootinfo.h>
#include <lib/fmt.h>
#include <sys.h>

static void out(void *ctx, char c)
{
	(void)ctx;
	sys_invoke(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)&c, 1, 0, 0, 0);
}

int main(const bootinfo_t *bi)
{
	fmt_format(out, 0, "hello from user mode: %u harts, %lu MiB RAM, %lu frames free\n",
		   bi->nharts, (unsigned long)(bi->mem_size[0] >> 20),
		   (unsigned long)bi->frames_free);
	fmt_format(out, 0, "RESULT: PASS\n");
	return 0;
}

/* Stop: suspend our own thread; the kernel then leaves the machine. */
__attribute__((weak)) void sys_exit_from_main(void)
{
	sys_invoke(SLOT_THREAD, THREAD_SUSPEND, 0, 0, 0, 0, 0);
}
