/*
 * printf-style formatting, one character at a time through a callback.
 *
 * The same file is built freestanding for the kernel (and later for user
 * programs) and with the host C library for unit tests, which compare it
 * against glibc's snprintf case by case; so it depends on nothing but
 * compiler-provided headers and the shared error enum.  It never uses
 * floating point, so it is safe in trap handlers that do not save FP state.
 *
 * Each directive is handled in two steps: fmt_parse_spec() reads flags,
 * width, precision and length into an fmt_spec_t (consuming any '*'
 * arguments), then fmt_convert() reads the value argument and prints it.
 * If the conversion letter is unsupported, the directive's text is copied
 * through unchanged and its value argument is not consumed.
 *
 * Layout of a number, as C and glibc define it:
 *     [spaces] [sign] [0x prefix] [zeros] digits [spaces]
 * where the zeros come from the precision, from '#' with %o, and from the
 * '0' flag (which is ignored when '-' or a precision is given).
 *
 * No state outside the call; reentrant as long as the callback is.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/error.h>
#include <lib/fmt.h>

#define FMT_INT_MAX ((int)(~0u >> 1))

typedef enum fmt_len {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_T,
	FMT_LEN_J,
} fmt_len_t;

/* One parsed directive, everything between '%' and the conversion letter. */
typedef struct fmt_spec {
	bool left;      /* '-': pad on the right */
	bool zero;      /* '0': pad numbers with zeros */
	bool plus;      /* '+': always print a sign for signed conversions */
	bool space;     /* ' ': a space where a '+' would go */
	bool alt;       /* '#': 0x prefix for %x, leading 0 for %o */
	int width;      /* minimum field width, 0 when absent */
	int prec;       /* precision, -1 when absent */
	fmt_len_t len;
} fmt_spec_t;

/* The output callback plus the running character count. */
typedef struct fmt_sink {
	fmt_out_fn out;
	void *ctx;
	size_t count;
} fmt_sink_t;

/* fmt_vsnprintf's callback state: buf holds size bytes, pos counts all. */
typedef struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
} fmt_buf_t;

static void sink_put(fmt_sink_t *sink, char c)
{
	sink->out(sink->ctx, c);
	sink->count++;
}

static void sink_pad(fmt_sink_t *sink, char c, size_t n)
{
	for (; n > 0; n--)
		sink_put(sink, c);
}

static void sink_write(fmt_sink_t *sink, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink_put(sink, s[i]);
}

/* Read decimal digits at *p, saturating at INT_MAX rather than overflowing. */
static int fmt_parse_int(const char **p)
{
	int v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++) {
		int d = **p - '0';

		v = v > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : v * 10 + d;
	}
	return v;
}

/* Read a length modifier at *p, if any. */
static fmt_len_t fmt_parse_len(const char **p)
{
	const char *s = *p;
	fmt_len_t len;

	switch (*s) {
	case 'h': len = s[1] == 'h' ? FMT_LEN_HH : FMT_LEN_H; break;
	case 'l': len = s[1] == 'l' ? FMT_LEN_LL : FMT_LEN_L; break;
	case 'z': len = FMT_LEN_Z; break;
	case 't': len = FMT_LEN_T; break;
	case 'j': len = FMT_LEN_J; break;
	default: return FMT_LEN_NONE;
	}
	*p = s + (len == FMT_LEN_HH || len == FMT_LEN_LL ? 2 : 1);
	return len;
}

/*
 * Parse flags, width, precision and length starting just after a '%'.
 * Leaves *p at the conversion letter (or the terminating NUL).
 */
static void fmt_parse_spec(const char **p, va_list *ap, fmt_spec_t *spec)
{
	*spec = (fmt_spec_t){ .prec = -1 };
	for (;; (*p)++) {
		switch (**p) {
		case '-': spec->left = true; continue;
		case '0': spec->zero = true; continue;
		case '+': spec->plus = true; continue;
		case ' ': spec->space = true; continue;
		case '#': spec->alt = true; continue;
		}
		break;
	}
	if (**p == '*') {
		int w = va_arg(*ap, int);

		(*p)++;
		/* A negative '*' width means '-' plus its magnitude. */
		if (w < 0) {
			spec->left = true;
			w = w < -FMT_INT_MAX ? FMT_INT_MAX : -w;
		}
		spec->width = w;
	} else {
		spec->width = fmt_parse_int(p);
	}
	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			int prec = va_arg(*ap, int);

			(*p)++;
			spec->prec = prec < 0 ? -1 : prec; /* negative: as if absent */
		} else {
			spec->prec = fmt_parse_int(p);
		}
	}
	spec->len = fmt_parse_len(p);
}

/* Fetch a signed integer argument of the size the length modifier names. */
static intmax_t fmt_fetch_signed(va_list *ap, fmt_len_t len)
{
	switch (len) {
	case FMT_LEN_HH: return (signed char)va_arg(*ap, int);
	case FMT_LEN_H: return (short)va_arg(*ap, int);
	case FMT_LEN_L: return va_arg(*ap, long);
	case FMT_LEN_LL: return va_arg(*ap, long long);
	case FMT_LEN_Z: return (ptrdiff_t)va_arg(*ap, size_t);
	case FMT_LEN_T: return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J: return va_arg(*ap, intmax_t);
	case FMT_LEN_NONE: break;
	}
	return va_arg(*ap, int);
}

/* Fetch an unsigned integer argument of the size the length modifier names. */
static uintmax_t fmt_fetch_unsigned(va_list *ap, fmt_len_t len)
{
	switch (len) {
	case FMT_LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L: return va_arg(*ap, unsigned long);
	case FMT_LEN_LL: return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z: return va_arg(*ap, size_t);
	case FMT_LEN_T: return (size_t)va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J: return va_arg(*ap, uintmax_t);
	case FMT_LEN_NONE: break;
	}
	return va_arg(*ap, unsigned int);
}

/* The sign character for a signed conversion, or 0 for none. */
static char fmt_sign(const fmt_spec_t *spec, bool negative)
{
	if (negative)
		return '-';
	if (spec->plus)
		return '+';
	return spec->space ? ' ' : 0;
}

/*
 * Print magnitude mag for conversion conv (d, u, o, x, X, or p for a
 * non-null pointer) with the given sign character (0 for none).
 */
static void fmt_emit_number(fmt_sink_t *sink, const fmt_spec_t *spec,
			    char conv, uintmax_t mag, char sign)
{
	const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = conv == 'o' ? 8 : (conv == 'd' || conv == 'u') ? 10 : 16;
	const char *prefix = "";
	char buf[sizeof(uintmax_t) * 3]; /* enough octal digits for any value */
	size_t nd = 0, zeros, body, width = (size_t)spec->width;
	size_t prec = spec->prec < 0 ? 1 : (size_t)spec->prec;

	for (; mag != 0; mag /= base)
		buf[sizeof(buf) - ++nd] = digits[mag % base];
	zeros = prec > nd ? prec - nd : 0;
	if (conv == 'o' && spec->alt && zeros == 0)
		zeros = 1; /* '#' with %o: the first digit must be a 0 */
	if (conv == 'p' || (spec->alt && (conv == 'x' || conv == 'X') && nd > 0))
		prefix = conv == 'X' ? "0X" : "0x";
	body = (sign != 0) + (prefix[0] ? 2 : 0) + zeros + nd;
	if (spec->zero && !spec->left && spec->prec < 0 && width > body) {
		zeros += width - body;
		body = width;
	}
	if (!spec->left && width > body)
		sink_pad(sink, ' ', width - body);
	if (sign != 0)
		sink_put(sink, sign);
	sink_write(sink, prefix, prefix[0] ? 2 : 0);
	sink_pad(sink, '0', zeros);
	sink_write(sink, buf + sizeof(buf) - nd, nd);
	if (spec->left && width > body)
		sink_pad(sink, ' ', width - body);
}

/* Print s[0..len) padded with spaces to the field width. */
static void fmt_emit_padded(fmt_sink_t *sink, const fmt_spec_t *spec,
			    const char *s, size_t len)
{
	size_t width = (size_t)spec->width;
	size_t pad = width > len ? width - len : 0;

	if (!spec->left)
		sink_pad(sink, ' ', pad);
	sink_write(sink, s, len);
	if (spec->left)
		sink_pad(sink, ' ', pad);
}

/* %s: a precision bounds how many bytes of s are read, not just printed. */
static void fmt_emit_string(fmt_sink_t *sink, const fmt_spec_t *spec,
			    const char *s)
{
	size_t len = 0;

	if (s == NULL) /* glibc prints "(null)" only if it fits the precision */
		s = spec->prec < 0 || spec->prec >= 6 ? "(null)" : "";
	while ((spec->prec < 0 || len < (size_t)spec->prec) && s[len] != '\0')
		len++;
	fmt_emit_padded(sink, spec, s, len);
}

/*
 * Print one argument for conversion letter conv.  Returns false, having
 * consumed nothing, when conv (with its length modifier) is unsupported.
 */
static bool fmt_convert(fmt_sink_t *sink, const fmt_spec_t *spec, char conv,
			va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		intmax_t v = fmt_fetch_signed(ap, spec->len);
		uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;

		fmt_emit_number(sink, spec, 'd', mag, fmt_sign(spec, v < 0));
		return true;
	}
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		fmt_emit_number(sink, spec, conv,
				fmt_fetch_unsigned(ap, spec->len), 0);
		return true;
	case 'c': {
		if (spec->len != FMT_LEN_NONE)
			return false; /* %lc: wide characters are not supported */
		char c = (char)va_arg(*ap, int);

		fmt_emit_padded(sink, spec, &c, 1);
		return true;
	}
	case 's':
		if (spec->len != FMT_LEN_NONE)
			return false; /* %ls */
		fmt_emit_string(sink, spec, va_arg(*ap, const char *));
		return true;
	case 'p': {
		if (spec->len != FMT_LEN_NONE)
			return false;
		const void *ptr = va_arg(*ap, const void *);

		/* As glibc: "(nil)" ignores precision; '+' and ' ' apply to 0x... */
		if (ptr == NULL)
			fmt_emit_padded(sink, spec, "(nil)", 5);
		else
			fmt_emit_number(sink, spec, 'p', (uintptr_t)ptr,
					fmt_sign(spec, false));
		return true;
	}
	case '%':
		sink_put(sink, '%'); /* glibc ignores flags and width here */
		return true;
	}
	return false;
}

/* See lib/fmt.h.  ap is left untouched; a copy is consumed. */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
	fmt_sink_t sink = { .out = out, .ctx = ctx, .count = 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *start = fmt;
		fmt_spec_t spec;

		if (*fmt != '%') {
			sink_put(&sink, *fmt++);
			continue;
		}
		fmt++;
		fmt_parse_spec(&fmt, &args, &spec);
		if (*fmt != '\0' && fmt_convert(&sink, &spec, *fmt, &args)) {
			fmt++;
			continue;
		}
		/* Unsupported or cut-off directive: copy its text through. */
		if (*fmt != '\0')
			fmt++;
		sink_write(&sink, start, (size_t)(fmt - start));
	}
	va_end(args);
	return sink.count > (size_t)FMT_INT_MAX ? E_RANGE : (int)sink.count;
}

/* See lib/fmt.h. */
int fmt_format(fmt_out_fn out, void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(out, ctx, fmt, ap);
	va_end(ap);
	return n;
}

/* Store c if there is room before the NUL; count it either way. */
static void fmt_buf_put(void *ctx, char c)
{
	fmt_buf_t *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

/* See lib/fmt.h. */
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	fmt_buf_t b = { .buf = buf, .size = n, .pos = 0 };
	int len = fmt_vformat(fmt_buf_put, &b, fmt, ap);

	if (n > 0)
		buf[b.pos < n ? b.pos : n - 1] = '\0';
	return len;
}

/* See lib/fmt.h. */
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
