/*
 * Kernel console: printf-style output to the early (SBI) console.
 */
#pragma once

#include <stdarg.h>

/* Print to the kernel console; returns characters written. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
