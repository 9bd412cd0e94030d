/*
 * The only way the kernel touches user memory.
 */
#pragma once

#include <stddef.h>

#include <arch/vm.h>

/* Copy n bytes from user address src (of the current address space) to
 * dst / from src to user address dst.  E_FAULT for a null, kernel,
 * unmapped, protected, wrapping or out-of-range pointer; 0 otherwise. */
int copyin(void *dst, uaddr_t src, size_t n);
int copyout(uaddr_t dst, const void *src, size_t n);
