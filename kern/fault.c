/*
 * User faults the arch code could only classify.
 *
 * A fault goes to the thread's fault endpoint as a fault message (the
 * thread blocks as in a call; the reply resumes it at its pc).  A thread
 * without a fault endpoint is stopped in THREAD_FAULTED and the kernel
 * prints what happened.  Before either, a store to a copy-on-write leaf is
 * resolved here (kern/aspace.c: reuse or copy) and the thread goes straight
 * back to user mode; running out of memory for the copy becomes a fault
 * message of kind FAULT_OOM.  Kernel stores into user memory (copyout)
 * resolve COW through kern_uaccess_fault the same way.
 */
#include <abi/error.h>
#include <abi/syscall.h>
#include <kern/aspace.h>
#include <kern/endpoint.h>
#include <kern/sched.h>
#include <kern/trapentry.h>

void kern_user_fault(trapframe_t *tf, unsigned kind, unsigned access, uint64_t addr)
{
	thread_t *t = sched_current();
	uint64_t scause = tf->scause;

	/* Copy-on-write: resolved here, back to user mode with no IPC. */
	if (kind == FAULT_PAGE && access == VM_WRITE && addr < USER_TOP) {
		int err = aspace_cow_resolve(t->as, addr);
		if (err == 0)
			return;
		if (err == E_NOMEM)
			kind = FAULT_OOM;
	}
	/* A stale TLB entry (another hart made the leaf writable first, or
	 * the hart cached an invalid entry): fenced, the thread retries. */
	if (kind == FAULT_PAGE && addr < USER_TOP && aspace_fault_spurious(t->as, addr, access))
		return;
	if (t->fault_ep) {
		t->as->faults_forwarded++;
		ipc_send_fault(t, scause, addr, tf_pc(tf), kind);
		return;
	}
	thread_set_faulted(t, kind, scause, addr);
}

bool kern_uaccess_fault(uint64_t addr, unsigned access)
{
	thread_t *t = sched_current();
	if (!t || addr >= USER_TOP)
		return false;
	if (access == VM_WRITE && aspace_cow_resolve(t->as, addr) == 0)
		return true;
	return aspace_fault_spurious(t->as, addr, access);
}
