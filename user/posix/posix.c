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

pid_t waitpid(pid_t pid, int *status, int options)
{
	for (;;) {
		sysret_t r = ps_call(PS_WAIT, (unsigned long)(long)pid,
				     (options & WNOHANG) ? PS_WNOHANG : 0, 0, 0);
		long res = ps_result(r);

		if (res == E_AGAIN) {
			sys_wait(PSLOT_NTFN);
			continue;
		}
		if (res < 0)
			return (pid_t)fail(res, ECHILD);
		if (res > 0 && status != NULL)
			*status = (int)r.r[2];
		return (pid_t)res;
	}
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

/* ---- the console ---- */

ssize_t write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	while (done < n) {
		size_t k = n - done > 4096 ? 4096 : n - done;
		long r =
		    sys_invoke(SLOT_DEBUG, DEBUG_PUTS, (unsigned long)(p + done), k, 0, 0, 0).r0;

		if (r < 0) {
			errno = EFAULT;
			return done ? (ssize_t)done : -1;
		}
		done += k;
	}
	return (ssize_t)done;
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (fd != STDIN_FILENO) {
		errno = EBADF;
		return -1;
	}
	return 0; /* end of file until there is a console driver */
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
