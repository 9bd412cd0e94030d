/*
 * User faults the arch code could only classify.
 *
 * A fault goes to the thread's fault endpoint as a fault message (the
 * thread blocks as in a call; the reply resumes it at its pc).  A thread
 * without a fault endpoint is stopped in THREAD_FAULTED and the kernel
 * prints what happened.  (Copy-on-write store faults will be resolved
 * here, before either, by the COW issue.)
 */
#include <kern/endpoint.h>
#include <kern/sched.h>
#include <kern/trapentry.h>

void kern_user_fault(trapframe_t *tf, unsigned kind, unsigned access, uint64_t addr)
{
	thread_t *t = sched_current();
	uint64_t scause = tf->scause;

	(void)access;
	if (t->fault_ep) {
		ipc_send_fault(t, scause, addr, tf_pc(tf), kind);
		return;
	}
	thread_set_faulted(t, kind, scause, addr);
}
