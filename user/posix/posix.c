/*
 * The POSIX process calls, each one request to the process server
 * (procsrv_proto.h) through the caller's PSLOT_PROCSRV endpoint.  Failures
 * return -1 (or (void *)-1) with errno set from the server's error:
 * E_NOMEM -> ENOMEM, E_NOSPC -> EAGAIN (process table full), E_NOENT ->
 * ENOENT / ECHILD / ESRCH by call, E_BADFMT -> ENOEXEC, others -> EINVAL.
 *
 * waitpid never leaves a reply pending in the server: when no child has
 * ended yet the server answers E_AGAIN and signals PSLOT_NTFN as soon as
 * one does; the loop here waits on it and asks again.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <abi/bootinfo.h>
#include <posix.h>
#include <sys.h>

/* procsrv's signal numbers are the ones programs compare with. */
_Static_assert(PS_SIGILL == SIGILL && PS_SIGTRAP == SIGTRAP && PS_SIGBUS == SIGBUS &&
		   PS_SIGINT == SIGINT && PS_SIGKILL == SIGKILL && PS_SIGPIPE == SIGPIPE &&
		   PS_SIGSEGV == SIGSEGV,
	       "procsrv_proto.h signal numbers differ from <signal.h>");

/* One request: result in w0 (r[1]); more words in r[2..4]. */
static sysret_t ps_call(unsigned long label, unsigned long w0, unsigned long w1, unsigned long w2,
			unsigned long w3)
{
	msg_t m = {MSG_INFO(label, 4), {w0, w1, w2, w3}, 0};
	sysret_t r = sys_call(PSLOT_PROCSRV, &m);

	if (r.r0 < 0)
		r.r[1] = (unsigned long)r.r0;
	return r;
}

static long ps_result(sysret_t r)
{
	return (long)r.r[1];
}

/* -1 with errno for an error of abi/error.h; noent names E_NOENT's errno. */
static long fail(long err, int noent)
{
	switch (err) {
	case E_NOMEM: errno = ENOMEM; break;
	case E_NOSPC: errno = EAGAIN; break;
	case E_NOENT: errno = noent; break;
	case E_BADFMT: errno = ENOEXEC; break;
	case E_RANGE: errno = E2BIG; break;
	default: errno = EINVAL; break;
	}
	return -1;
}

pid_t forkq(unsigned long quota, int eager)
{
	long r;

	posix_flush();
	r = ps_result(ps_call(PS_FORK, eager ? PS_FORK_EAGER : 0, quota, 0, 0));
	return r < 0 ? (pid_t)fail(r, EAGAIN) : (pid_t)r;
}

pid_t fork(void)
{
	return forkq(0, 0);
}

pid_t forkcopy(void)
{
	return forkq(0, 1);
}

int execv(const char *path, char *const argv[])
{
	static char buf[PS_ARGBUF_MAX];
	size_t len = strlen(path) + 1;
	long r;

	if (len > sizeof(buf))
		return (int)fail(E_RANGE, 0);
	memcpy(buf, path, len);
	for (int i = 0; argv != NULL && argv[i] != NULL; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (i >= PS_ARGV_MAX || n > sizeof(buf) - len)
			return (int)fail(E_RANGE, 0);
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	for (size_t off = 0; off < len; off += PS_ARG_CHUNK) {
		unsigned long w[3] = {0, 0, 0};

		memcpy(w, buf + off, len - off < PS_ARG_CHUNK ? len - off : PS_ARG_CHUNK);
		r = ps_result(ps_call(PS_EXEC_ARG, off, w[0], w[1], w[2]));
		if (r < 0)
			return (int)fail(r, ENOENT);
	}
	posix_flush();
	r = ps_result(ps_call(PS_EXEC, len, 0, 0, 0));
	return (int)fail(r, ENOENT);
}

/* E_AGAIN from procsrv: wait for its signal and ask again. */
static sysret_t ps_call_wait(unsigned long label, unsigned long w0, unsigned long w1,
			     unsigned long w2, unsigned long w3)
{
	for (;;) {
		sysret_t r = ps_call(label, w0, w1, w2, w3);

		if (ps_result(r) != E_AGAIN)
			return r;
		sys_wait(PSLOT_NTFN);
	}
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	sysret_t r = ps_call_wait(PS_WAIT, (unsigned long)(long)pid,
				  (options & WNOHANG) ? PS_WNOHANG : 0, 0, 0);
	long res = ps_result(r);

	if (res < 0)
		return (pid_t)fail(res, ECHILD);
	if (res > 0 && status != NULL)
		*status = (int)r.r[2];
	return (pid_t)res;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

void _exit(int status)
{
	posix_flush();
	for (;;)
		ps_call(PS_EXIT, (unsigned long)status, 0, 0, 0);
}

pid_t getpid(void)
{
	return (pid_t)ps_result(ps_call(PS_GETPID, 0, 0, 0, 0));
}

pid_t getppid(void)
{
	return (pid_t)ps_result(ps_call(PS_GETPPID, 0, 0, 0, 0));
}

int kill(pid_t pid, int sig)
{
	long r;

	if (sig != 0)
		posix_flush();
	r = ps_result(ps_call(PS_KILL, (unsigned long)(long)pid, (unsigned long)sig, 0, 0));
	return r < 0 ? (int)fail(r, ESRCH) : 0;
}

void *sbrk(ptrdiff_t incr)
{
	long r = ps_result(ps_call(PS_SBRK, (unsigned long)incr, 0, 0, 0));

	if (r < 0) {
		fail(E_NOMEM, 0);
		return (void *)-1;
	}
	return (void *)r;
}

int procinfo(pid_t pid, procinfo_t *out)
{
	sysret_t r = ps_call(PS_INFO, (unsigned long)(long)pid, 0, 0, 0);
	long res = ps_result(r);

	if (res < 0)
		return (int)fail(res, ESRCH);
	out->quota = (unsigned long)res;
	out->used = r.r[2];
	out->execs = r.r[3];
	out->nprocs = r.r[4];
	return 0;
}

/* ---- file descriptors (procsrv keeps them: procsrv_proto.h) ---- */

static long fd_fail(long err)
{
	switch (err) {
	case E_BADF: errno = EBADF; break;
	case E_PIPE: errno = EPIPE; break;
	case E_NOSPC: errno = EMFILE; break;
	case E_NOENT: errno = ESRCH; break;
	case E_PERM: errno = EPERM; break;
	default: errno = EINVAL; break;
	}
	return -1;
}

/*
 * A write is sent PS_IO_CHUNK bytes at a time, every piece but the last
 * marked PS_WRITE_MORE (procsrv prints a console write() in one go).  It
 * waits while a pipe or the console has no room; a pipe that takes fewer
 * bytes gets the rest in the next request.  Returns what was written; an
 * error only if nothing was.
 */
ssize_t write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	if (fd < 0)
		return fd_fail(E_BADF);
	if (n == 0)
		return 0;
	do {
		unsigned long w[3] = {0, 0, 0};
		size_t k = n - done > PS_IO_CHUNK ? PS_IO_CHUNK : n - done;
		unsigned long more = done + k < n ? PS_WRITE_MORE : 0;
		long r;

		memcpy(w, p + done, k);
		r = ps_result(ps_call_wait(
		    PS_WRITE, (unsigned long)fd | (unsigned long)k << 32 | more, w[0], w[1], w[2]));
		if (r < 0) {
			if (done > 0)
				return (ssize_t)done;
			return fd_fail(r);
		}
		done += (size_t)r;
	} while (done < n);
	return (ssize_t)done;
}

/*
 * A read waits for the first bytes (or end of file), then takes what is
 * there without waiting again, and stops after a newline (the console
 * gives one line per read).
 */
ssize_t read(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t done = 0;

	if (fd < 0)
		return fd_fail(E_BADF);
	while (done < n) {
		size_t k = n - done > PS_IO_CHUNK ? PS_IO_CHUNK : n - done;
		sysret_t r = done == 0 ? ps_call_wait(PS_READ, (unsigned long)fd, k, 0, 0)
				       : ps_call(PS_READ, (unsigned long)fd, k, PS_READ_NOWAIT, 0);
		long got = ps_result(r);

		if (got < 0) {
			if (done > 0)
				break;
			return fd_fail(got);
		}
		memcpy(p + done, &r.r[2], (size_t)got);
		done += (size_t)got;
		if (got < (long)k || p[done - 1] == '\n')
			break;
	}
	return (ssize_t)done;
}

int close(int fd)
{
	long r = ps_result(ps_call(PS_CLOSE, (unsigned long)fd, 0, 0, 0));

	return r < 0 ? (int)fd_fail(r) : 0;
}

int dup(int fd)
{
	long r = ps_result(ps_call(PS_DUP, (unsigned long)fd, 0, 0, 0));

	return r < 0 ? (int)fd_fail(r) : (int)r;
}

int dup2(int fd, int fd2)
{
	long r = ps_result(ps_call(PS_DUP2, (unsigned long)fd, (unsigned long)fd2, 0, 0));

	return r < 0 ? (int)fd_fail(r) : (int)r;
}

int pipe(int fds[2])
{
	sysret_t r = ps_call(PS_PIPE, 0, 0, 0, 0);
	long res = ps_result(r);

	if (res < 0)
		return (int)fd_fail(res); /* E_NOSPC: EMFILE */
	fds[0] = (int)r.r[2];
	fds[1] = (int)r.r[3];
	return 0;
}

int setpgid(pid_t pid, pid_t pgid)
{
	long r = ps_result(
	    ps_call(PS_SETPGID, (unsigned long)(long)pid, (unsigned long)(long)pgid, 0, 0));

	return r < 0 ? (int)fd_fail(r) : 0;
}

pid_t getpgid(pid_t pid)
{
	long r = ps_result(ps_call(PS_GETPGID, (unsigned long)(long)pid, 0, 0, 0));

	return r < 0 ? (pid_t)fd_fail(r) : (pid_t)r;
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	long r;

	(void)fd;
	r = ps_result(ps_call(PS_TCSETPGRP, (unsigned long)(long)pgrp, 0, 0, 0));
	return r < 0 ? (int)fd_fail(r) : 0;
}

pid_t tcgetpgrp(int fd)
{
	(void)fd;
	return (pid_t)ps_result(ps_call(PS_TCGETPGRP, 0, 0, 0, 0));
}

/* Copy a NUL-padded 24-byte name from reply words. */
static void name_from(char *dst, size_t max, const unsigned long *w)
{
	size_t n = 0;
	const char *s = (const char *)w;

	while (n < 3 * sizeof(*w) && n + 1 < max && s[n] != '\0') {
		dst[n] = s[n];
		n++;
	}
	dst[n] = '\0';
}

int proc_list(int index, proc_entry_t *out)
{
	sysret_t r[4];

	/* Page 0 finds the entry; pages 1 to 3 ask for that same one. */
	for (unsigned long page = 0; page < 4; page++) {
		r[page] = ps_call(PS_PROC, (unsigned long)index, page, 0, 0);
		if (ps_result(r[page]) < 0)
			return (int)fd_fail(ps_result(r[page]));
		index = (int)ps_result(r[page]);
	}
	out->pid = (pid_t)r[0].r[2];
	out->ppid = (pid_t)r[0].r[3];
	out->state = (int)(r[0].r[4] & 0xff);
	out->pgid = (pid_t)(r[0].r[4] >> 8);
	name_from(out->name, sizeof(out->name), &r[1].r[2]);
	out->frames = r[2].r[2];
	out->faults = r[2].r[3];
	out->cow_copies = r[2].r[4];
	out->resident = r[3].r[2];
	out->ipc = r[3].r[3];
	out->switches = r[3].r[4];
	return index + 1;
}

int initrd_list(int index, char *name, size_t max)
{
	sysret_t r = ps_call(PS_LS, (unsigned long)index, 0, 0, 0);
	long res = ps_result(r);

	if (res < 0)
		return (int)fd_fail(res);
	name_from(name, max, &r.r[2]);
	return (int)res;
}

/* ---- program start ---- */

/* Keeps .tdata non-empty: posix.ld puts __tls_base (tp) at its start. */
__thread long __posix_tls_anchor = 1;

int main(int argc, char **argv);
void __posix_start(int argc, char **argv) __attribute__((noreturn));

void __posix_start(int argc, char **argv)
{
	exit(main(argc, argv));
}
