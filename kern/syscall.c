/*
 * The system-call dispatcher: the only code that advances a thread's pc
 * past ecall and writes result registers (syscall_complete does it for a
 * thread that blocked and is now done).
 */
#include <string.h>

#include <abi/error.h>
#include <abi/syscall.h>
#include <kern/cspace.h>
#include <kern/endpoint.h>
#include <kern/fastpath.h>
#include <kern/notification.h>
#include <kern/sched.h>
#include <kern/smp.h>
#include <kern/syscall.h>
#include <kern/trace.h>
#include <kern/trapentry.h>

static unsigned long nsyscalls;

void syscall_complete(thread_t *t, long r0, const uint64_t out[6])
{
	tf_set_arg(&t->tf, 0, (uint64_t)r0);
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		tf_set_arg(&t->tf, 1 + i, out ? out[i] : 0);
}

unsigned long syscall_count(void)
{
	return nsyscalls;
}

static long sys_notification(thread_t *self, uint64_t no, sysargs_t *a)
{
	cap_t *c;
	int err = cspace_lookup(self->cs, a->arg[0], &c);
	if (err)
		return err;
	if (c->type != CAP_NOTIFICATION)
		return E_TYPE;
	notification_t *n = (notification_t *)c->obj;
	if (no == SYS_SIGNAL) {
		if (!(c->rights & RIGHT_WRITE))
			return E_PERM;
		ntfn_signal(n, c->badge);
		return 0;
	}
	if (!(c->rights & RIGHT_READ))
		return E_PERM;
	return ntfn_wait(n, self, no == SYS_WAIT, &a->out[0]);
}

static long sys_ipc(thread_t *self, uint64_t no, sysargs_t *a)
{
	cap_t *c;
	long r;

	if (no == SYS_REPLY)
		return ipc_reply(self);
	if (no == SYS_REPLY_RECV && self->reply_to && (r = ipc_reply(self)) != 0)
		return r;
	int err = cspace_lookup(self->cs, a->arg[0], &c);
	if (err)
		return err;
	switch (no) {
	case SYS_SEND: return ipc_send(self, c, false);
	case SYS_CALL: return ipc_send(self, c, true);
	default: return ipc_recv(self, c); /* SYS_RECV, SYS_REPLY_RECV */
	}
}

/* Every system call but SYS_NULL; returns kern_resume_current(). */
bool syscall_dispatch(trapframe_t *tf, uint64_t no)
{
	thread_t *self = sched_current();
	long r;
	sysargs_t a; /* filled by hand: an initializer would call memset */
	a.self = self;
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		a.out[i] = 0;
#pragma GCC unroll 7
	for (int i = 0; i < 7; i++)
		a.arg[i] = tf_arg(tf, i);

	switch (no) {
	case SYS_YIELD:
		sched_yield();
		r = 0;
		break;
	case SYS_INVOKE: r = invoke(&a); break;
	case SYS_BATCH: r = invoke_batch(&a); break;
	case SYS_SEND:
	case SYS_RECV:
	case SYS_CALL:
	case SYS_REPLY:
	case SYS_REPLY_RECV: r = sys_ipc(self, no, &a); break;
	case SYS_SIGNAL:
	case SYS_WAIT:
	case SYS_POLL: r = sys_notification(self, no, &a); break;
	default: r = E_NOSYS; break;
	}
	/* The caller may have blocked (its result comes later) or destroyed
	 * itself (its registers are gone). */
	if (r != IPC_BLOCKED && sched_current() == self)
		syscall_complete(self, r, a.out);
	return kern_resume_current();
}

/* While tracing: the trap's entry and the message a call sends. */
static inline __attribute__((always_inline)) void trace_entry(const trapframe_t *tf, uint64_t no)
{
	TRACE(TRACE_M_TRAP, TRACE_TRAP_ENTER, TRACE_CAUSE_ECALL_U, tf->sepc);
	if (no == SYS_SEND || no == SYS_CALL || no == SYS_REPLY_RECV)
		TRACE(TRACE_M_IPC, TRACE_IPC_SEND, tf_arg(tf, 0), MSG_LABEL(tf_arg(tf, 1)));
	else if (no == SYS_REPLY)
		TRACE(TRACE_M_IPC, TRACE_IPC_SEND, 0, MSG_LABEL(tf_arg(tf, 0)));
}

/*
 * kern_syscall in SMP mode: under the big lock, taken before anything is
 * read or changed (a thread evicted while its hart waited for the lock
 * has not started its call: its pc is still at the ecall) and released
 * only if the caller runs on (else kern_return_to_user releases it).  The
 * IPC fast paths, written for one hart, are not taken.  Traced as
 * syscall_traced is.
 */
static __attribute__((noinline)) bool syscall_smp(trapframe_t *tf, uint64_t no)
{
	big_lock();
	if (!sched_current())
		kern_return_to_user(); /* evicted while waiting */
	this_cpu()->smp_keep = 1;      /* smp_wake_idle: a system call */
	trace_entry(tf, no);
	nsyscalls++;
	tf_skip_ecall(tf);
	if (no == SYS_NULL)
		tf_set_arg(tf, 0, 0);
	else
		syscall_dispatch(tf, no); /* its answer is for one hart */
	if (!kern_resume_current_smp())
		return false;
	TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, tf->sepc, 0);
	big_unlock();
	return true;
}

bool syscall_dispatch_traced(trapframe_t *tf, uint64_t no)
{
	if (!syscall_dispatch(tf, no))
		return false;
	TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, tf->sepc, 0);
	return true;
}

/*
 * kern_syscall while tracing, one hart: the trap's entry, the message
 * sent, and the exit when the caller runs on; a switch is recorded by the
 * scheduler or by the traced fast paths, which record what the general
 * path would.  Only the classes recorded here or by the fast paths
 * divert system calls (kern_slow_syscall).  Leaves by tail calls, as
 * kern_syscall does.
 */
static __attribute__((noinline, optimize("omit-frame-pointer"))) bool
syscall_traced(trapframe_t *tf, uint64_t no)
{
	trace_entry(tf, no);
	nsyscalls++;
	tf_skip_ecall(tf);
	if (no == SYS_NULL) {
		tf_set_arg(tf, 0, 0);
		TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, tf->sepc, 0);
		return true;
	}
	if (no == SYS_CALL)
		return fastpath_call_traced(tf);
	if (no == SYS_REPLY_RECV)
		return fastpath_reply_recv_traced(tf);
	return syscall_dispatch_traced(tf, no);
}

/* Leaves by a return or a tail call: no frame record needed (backtraces
 * from the callees end at entry.S either way). */
__attribute__((optimize("omit-frame-pointer"))) bool kern_syscall(trapframe_t *tf)
{
	uint64_t no = tf_sysno(tf);

	if (__builtin_expect(kern_slow_syscall, 0))
		return smp_on() ? syscall_smp(tf, no) : syscall_traced(tf, no);
	nsyscalls++;
	tf_skip_ecall(tf);
	if (no == SYS_NULL) { /* the cost of a trap and nothing else */
		tf_set_arg(tf, 0, 0);
		return true; /* nothing changed: the caller runs on */
	}
	if (no == SYS_CALL)
		return fastpath_call(tf);
	if (no == SYS_REPLY_RECV)
		return fastpath_reply_recv(tf);
	return syscall_dispatch(tf, no);
}
