/*
 * copyin / copyout.
 *
 * The range is checked here (inside [USER_BASE, USER_TOP), no wrap-around)
 * before the arch routine touches it with sstatus.SUM set; a fault inside
 * the copy (unmapped page, no permission) comes back as E_FAULT through the
 * trap handler's fixup.  Only the current address space is reachable.
 */
#include <abi/error.h>
#include <arch/arch.h>
#include <kern/uaccess.h>

static bool user_range_ok(uaddr_t a, size_t n)
{
	return a >= USER_BASE && a < USER_TOP && n <= USER_TOP - a;
}

int copyin(void *dst, uaddr_t src, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(src, n))
		return E_FAULT;
	return arch_copy_user(dst, (const void *)src, n);
}

int copyout(uaddr_t dst, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(dst, n))
		return E_FAULT;
	return arch_copy_user((void *)dst, src, n);
}
