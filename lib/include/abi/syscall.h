/*
 * The system-call ABI shared by the kernel and user space.
 * docs/SYSCALLS.md describes every call; keep the two in step.
 *
 * Calling convention (ecall from U-mode):
 *   a7        system call number (SYS_*)
 *   a0 .. a6  arguments
 * Return (written only by the kernel's dispatcher):
 *   a0        result: >= 0 success, < 0 an error from abi/error.h
 *   a1 .. a6  further results, as documented per call
 *   t0 .. t6  not preserved (as across a function call); every other
 *             register is preserved
 */
#pragma once

enum {
	SYS_NULL = 0,	    /* does nothing, returns 0: the cost of a trap */
	SYS_YIELD = 1,	    /* give up the rest of the time slice */
	SYS_INVOKE = 2,	    /* a0 = cap slot, a1 = label, a2..a6 = args */
	SYS_SEND = 3,	    /* a0 = endpoint slot, a1 = msginfo, a2..a5 = words, a6 = cap slot */
	SYS_RECV = 4,	    /* a0 = endpoint slot, a1 = msginfo (receive slot) */
	SYS_CALL = 5,	    /* send, then wait for the reply */
	SYS_REPLY = 6,	    /* a1 = msginfo, a2..a5 = words, a6 = cap slot */
	SYS_REPLY_RECV = 7, /* reply, then receive on a0 */
	SYS_SIGNAL = 8,	    /* a0 = notification slot */
	SYS_WAIT = 9,	    /* a0 = notification slot; returns a1 = bits */
	SYS_POLL = 10,	    /* like WAIT but never blocks: E_AGAIN if no bits */
	SYS_BATCH = 11,	    /* a0 = invocation_t array, a1 = count, a2 = BATCH_* flags */
	SYS_NSYSCALLS
};

/*
 * SYS_BATCH: up to BATCH_MAX invocations in one system call, run in order
 * as SYS_INVOKE would run them one by one (their a1..a6 results are not
 * returned).  The batch stops at the first invocation that fails, unless
 * BATCH_ALL, and after one that suspends or destroys the caller.
 * Returns a0 = 0 if every invocation run succeeded, else the first error;
 * a1 = the number of invocations run (0: the batch itself was refused:
 * E_INVAL for a count of 0 or above BATCH_MAX or an unknown flag, E_FAULT
 * for the array); a2 = the number of them that failed.
 */
#define BATCH_MAX 16
#define BATCH_ALL 1UL /* run every invocation, whatever fails */

typedef struct invocation {
	unsigned long slot;   /* a0 of SYS_INVOKE */
	unsigned long label;  /* a1 */
	unsigned long arg[5]; /* a2 .. a6 */
} invocation_t;

/*
 * Message info word (a1 of SEND/CALL/REPLY/RECV).
 *   bits  0..2   number of message words in a2..a5 (0..4)
 *   bit   3      the sender transfers the capability in slot a6
 *   bit   4      the receiver accepts a capability into slot RSLOT
 *   bits 16..31  RSLOT: the receiver's slot for an incoming capability
 *   bits 32..63  label, free for the protocol (the kernel uses FAULT_LABEL)
 * On return from RECV/CALL/REPLY_RECV: a0 = 0 or an error, a1 = the
 * sender's msginfo (bit 3 set if a capability arrived in RSLOT),
 * a2..a5 = words, a6 = the badge of the capability the sender used.
 */
#define MSG_WORDS		   4
#define MSG_LEN(info)		   ((info)&7UL)
#define MSG_CAP			   (1UL << 3)
#define MSG_ACCEPT		   (1UL << 4)
#define MSG_RSLOT(info)		   (((info) >> 16) & 0xffffUL)
#define MSG_LABEL(info)		   ((info) >> 32)
#define MSG_INFO(label, len)	   (((unsigned long)(label) << 32) | ((unsigned long)(len)&7UL))
#define MSG_WITH_RSLOT(info, slot) ((info) | MSG_ACCEPT | (((unsigned long)(slot)&0xffffUL) << 16))

/*
 * Fault messages: when a thread takes a fault the kernel does not resolve
 * itself, it is blocked and its fault endpoint receives, as if the thread
 * had called it:
 *   label = FAULT_LABEL, len = 4,
 *   w0 = scause, w1 = stval (faulting address), w2 = sepc, w3 = FAULT_* kind
 *   badge = the badge of the fault-endpoint capability given to the thread.
 * A reply resumes the thread at its (possibly rewritten) pc.
 */
#define FAULT_LABEL 0xfa17U

enum {
	FAULT_PAGE = 1,	      /* load/store/fetch page fault: no mapping or no right */
	FAULT_ACCESS = 2,     /* access fault (PMP, bus error) */
	FAULT_ILLEGAL = 3,    /* illegal instruction */
	FAULT_MISALIGNED = 4, /* misaligned load/store/fetch */
	FAULT_BREAKPOINT = 5, /* ebreak */
	FAULT_SYSCALL = 6,    /* unknown system call number */
	FAULT_OOM = 7,	      /* out of memory while resolving a fault */
};
