/*
 * picolibc's standard streams: one console FILE for stdin, stdout and
 * stderr.  Output is kept in a line buffer and written with write() at
 * each newline, when full, on fflush and before fork, exec and _exit, so
 * that a line is one DEBUG_PUTS (lines of concurrent processes do not mix)
 * and a child never inherits half a line.  Input is at end of file.
 */
#include <stdio.h>
#include <unistd.h>

#include <posix.h>

static char line[256];
static size_t line_len;

void posix_flush(void)
{
	/* No store when there is nothing to write: a forked child whose quota
	 * is spent must be able to _exit without copying a page. */
	if (line_len > 0) {
		write(STDOUT_FILENO, line, line_len);
		line_len = 0;
	}
}

static int con_put(char c, FILE *f)
{
	(void)f;
	line[line_len++] = c;
	if (c == '\n' || line_len == sizeof(line))
		posix_flush();
	return (unsigned char)c;
}

static int con_get(FILE *f)
{
	(void)f;
	return _FDEV_EOF;
}

static int con_flush(FILE *f)
{
	(void)f;
	posix_flush();
	return 0;
}

static FILE console = FDEV_SETUP_STREAM(con_put, con_get, con_flush, _FDEV_SETUP_RW);

FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
