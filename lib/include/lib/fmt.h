/*
 * printf-style formatting core, shared by the kernel and user space.
 *
 * Output goes one character at a time through a caller-supplied function,
 * so the same code backs the kernel console, panic messages and snprintf.
 * Supported: %d %i %u %x %X %o %c %s %p %%, length modifiers hh h l ll z t j,
 * flags - 0 + space #, field width and precision (both may be *).  The
 * output matches glibc's for all of these, including %s of NULL ("(null)",
 * or "" when the precision is below 6) and %p of NULL ("(nil)").
 *
 * There is no floating point: the kernel must not touch FP registers.  Any
 * other conversion (%f, %n, %ls, %lc, ...) and a '%' at the very end of the
 * format are copied to the output verbatim and consume no argument (except
 * any '*' width or precision already read before the conversion letter).
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* Receives each output character in order; ctx is the caller's cookie. */
typedef void (*fmt_out_fn)(void *ctx, char c);

/*
 * Format into out(ctx, c).  Returns the number of characters produced, or
 * E_RANGE if that number does not fit in an int (the output is still sent).
 */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);
int fmt_format(fmt_out_fn out, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * snprintf semantics: writes at most n - 1 characters and a NUL to buf when
 * n > 0 (buf may be NULL when n == 0), and returns the length the full
 * output would have had, excluding the NUL (or E_RANGE as for fmt_vformat).
 */
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
