/*
 * picolibc's standard streams on file descriptors 0, 1 and 2.
 *
 * stdout and stderr keep a line each and write it with write() at each
 * newline, when full, on fflush and before fork, exec and _exit (a
 * console write of up to 256 bytes comes out in one piece, so the lines
 * of concurrent processes do not mix, and a child never inherits half a
 * line).  stdin reads a line at a time into a buffer with read().
 */
#include <stdio.h>
#include <unistd.h>

#include <posix.h>

typedef struct stream {
	FILE file; /* first: picolibc hands this pointer back */
	int fd;
	size_t len, pos;
	char buf[256];
} stream_t;

static void stream_flush(stream_t *s)
{
	/* No store when there is nothing to write: a forked child whose quota
	 * is spent must be able to _exit without copying a page. */
	if (s->len > 0) {
		write(s->fd, s->buf, s->len);
		s->len = 0;
	}
}

static int con_put(char c, FILE *f)
{
	stream_t *s = (stream_t *)f;

	s->buf[s->len++] = c;
	if (c == '\n' || s->len == sizeof(s->buf))
		stream_flush(s);
	return (unsigned char)c;
}

static int con_get(FILE *f)
{
	stream_t *s = (stream_t *)f;

	if (s->pos == s->len) {
		ssize_t n = read(s->fd, s->buf, sizeof(s->buf));

		s->pos = s->len = 0;
		if (n <= 0)
			return n == 0 ? _FDEV_EOF : _FDEV_ERR;
		s->len = (size_t)n;
	}
	return (unsigned char)s->buf[s->pos++];
}

static int con_flush(FILE *f)
{
	stream_t *s = (stream_t *)f;

	if (s->fd != STDIN_FILENO)
		stream_flush(s);
	return 0;
}

static stream_t in = {
    FDEV_SETUP_STREAM(NULL, con_get, NULL, _FDEV_SETUP_READ), STDIN_FILENO, 0, 0, {0}};
static stream_t out = {
    FDEV_SETUP_STREAM(con_put, NULL, con_flush, _FDEV_SETUP_WRITE), STDOUT_FILENO, 0, 0, {0}};
static stream_t err = {
    FDEV_SETUP_STREAM(con_put, NULL, con_flush, _FDEV_SETUP_WRITE), STDERR_FILENO, 0, 0, {0}};

FILE *const stdin = &in.file;
FILE *const stdout = &out.file;
FILE *const stderr = &err.file;

void posix_flush(void)
{
	stream_flush(&out);
	stream_flush(&err);
}
