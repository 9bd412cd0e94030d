/*
 * Capability types, rights and invocation labels, shared by kernel and
 * user space.  An invocation is SYS_INVOKE with a0 = the slot of the
 * capability, a1 = one of the labels below, a2..a6 = its arguments.
 * docs/SYSCALLS.md documents every label, its arguments, the rights it
 * needs and every error it returns.
 */
#pragma once

/* Object types. */
enum {
	CAP_NULL = 0, /* empty slot */
	CAP_POOL,     /* memory pool: allocate frames and objects against a quota */
	CAP_FRAME,    /* one 4 KiB page of RAM */
	CAP_DEVFRAME, /* one 4 KiB page of MMIO */
	CAP_ASPACE,   /* an Sv39 address space */
	CAP_THREAD,
	CAP_ENDPOINT,
	CAP_NOTIFICATION,
	CAP_IRQ,    /* the right to receive and acknowledge one interrupt */
	CAP_CSPACE, /* a capability space */
	CAP_DEBUG,  /* kernel console and statistics */
	CAP_NTYPES
};

/* Rights. */
#define RIGHT_READ  1u
#define RIGHT_WRITE 2u
#define RIGHT_EXEC  4u
#define RIGHT_GRANT 8u /* endpoint: capabilities may be transferred */
#define RIGHTS_ALL  15u

/* Invocation labels, grouped by object type. */
enum {
	/* CAP_CSPACE: the invoked cspace is the destination; sources are
	 * always slots of the caller's own cspace. */
	CSPACE_COPY = 1, /* a2 = src slot, a3 = dst slot, a4 = rights mask */
	CSPACE_MINT,	 /* a2 = src, a3 = dst, a4 = rights mask, a5 = badge */
	CSPACE_MOVE,	 /* a2 = src, a3 = dst */
	CSPACE_DELETE,	 /* a2 = slot */
	CSPACE_INFO,	 /* a2 = slot -> a1 = type, a2 = rights, a3 = badge; a0 = nslots */

	/* CAP_POOL */
	POOL_ALLOC_FRAME = 0x10, /* a2 = dst slot in the caller's cspace */
	POOL_CREATE, /* a2 = type, a3 = dst slot, a4 = arg (cspace: slots; pool: quota) */
	POOL_INFO,   /* -> a1 = quota frames, a2 = used frames */

	/* CAP_ASPACE */
	ASPACE_MAP = 0x20, /* a2 = frame slot, a3 = vaddr, a4 = rights */
	ASPACE_UNMAP,	   /* a2 = vaddr */
	ASPACE_PROTECT,	   /* a2 = vaddr, a3 = rights */
	ASPACE_QUERY,	   /* a2 = vaddr -> a0 = rights (0 = unmapped) */
	ASPACE_CLONE,	   /* a2 = empty destination aspace slot, a3 = CLONE_* flags */
	ASPACE_MAP_ZERO,   /* a2 = vaddr, a3 = npages, a4 = rights (R, or RW: copy-on-write) */
	ASPACE_SHARE,	   /* a2 = source aspace slot, a3 = source vaddr, a4 = vaddr,
			      a5 = rights, a6 = SHARE_* flags */
	ASPACE_STATS,	   /* a2 = user buffer for an aspace_stats_t */

	/* CAP_THREAD */
	THREAD_CONFIGURE = 0x30, /* a2 = aspace slot, a3 = cspace slot, a4 = fault ep slot (or -1),
				    a5 = priority */
	THREAD_START,		 /* a2 = pc, a3 = sp, a4 = a0 value for the thread */
	THREAD_SUSPEND,
	THREAD_RESUME,	     /* SUSPENDED, FAULTED, or INACTIVE (starts at its registers) */
	THREAD_READ_REGS,    /* a2 = user buffer of 32 words: pc, x1..x31 */
	THREAD_WRITE_REGS,   /* a2 = user buffer of 32 words */
	THREAD_SET_PRIORITY, /* a2 = priority */
	THREAD_INFO,  /* -> a1 = state, a2 = priority, a3 = hart it last ran on (-1: never) */
	THREAD_STATS, /* a2 = user buffer for a thread_stats_t */
	THREAD_SET_AFFINITY, /* a2 = harts it may run on (bit i: hart index i), 0 = any */

	/* CAP_IRQ: see docs/SYSCALLS.md for the pending/masked states. */
	IRQ_BIND = 0x40, /* a2 = notification slot: enable the source, signal it */
	IRQ_ACK,	 /* complete a pending interrupt: the source may fire again */
	IRQ_UNBIND,	 /* disable the source and let go of the notification */

	/* CAP_DEBUG */
	DEBUG_PUTS = 0x50, /* a2 = user string, a3 = length */
	DEBUG_STATS,	   /* a2 = user buffer for a kstats_t */
	DEBUG_CHECK,	   /* run the kernel's invariant checks; 0 or E_CORRUPT */
	DEBUG_TRACE,	   /* a2 = TRACE_* operation, a3, a4 (abi/trace.h) */
	DEBUG_FAILNTH,	   /* DEBUG kernels: a2 = N (0: disarm), a3 = FAILNTH_*, a4 = thread slot
			      -> a1 = failures, a2 = allocations, a3 = still armed (before) */
};

/* DEBUG_FAILNTH: the Nth frame allocation from now fails as if RAM were out
 * (DEBUG kernels only; E_NOSYS otherwise).  Without FAILNTH_OWN or
 * FAILNTH_SERVED every allocation counts; with them only those made for
 * the target thread (the caller, or the thread in slot a4 with
 * FAILNTH_THREAD).  Failures persist until disarmed unless FAILNTH_ONCE. */
#define FAILNTH_OWN    1u /* in the target's own system calls and faults */
#define FAILNTH_SERVED 2u /* by a thread that owes the target a reply (its server) */
#define FAILNTH_THREAD 4u /* the target is the thread in slot a4 (RIGHT_WRITE) */
#define FAILNTH_ONCE   8u /* disarm after the first injected failure */

/* ASPACE_CLONE flags.  Default: copy-on-write (writable leaves become
 * read-only + COW in both, frames shared).  CLONE_EAGER copies every
 * writable (or COW) page into a fresh frame of the destination's pool. */
#define CLONE_EAGER 1u

/* ASPACE_MAP_ZERO maps the kernel's one frame of zeros, at most this many
 * pages per call; with RIGHT_WRITE each page is copy-on-write: its first
 * store gets a fresh zeroed frame (nothing copied), loads never allocate. */
#define ZERO_MAX_PAGES (1UL << 18)

/* ASPACE_SHARE flags: SHARE_COW maps the source's (read-only) frame
 * copy-on-write, so RIGHT_WRITE is allowed and the first store copies. */
#define SHARE_COW 1u

#define PRIORITY_MAX 31

/* Thread states, as THREAD_INFO reports them. */
enum {
	THREAD_INACTIVE = 0, /* created, not started */
	THREAD_RUNNABLE,
	THREAD_BLOCKED, /* in IPC or waiting on a notification */
	THREAD_SUSPENDED,
	THREAD_FAULTED, /* took a fault with no handler */
};

/* ASPACE_STATS output: counters of one address space since its creation. */
typedef struct aspace_stats {
	unsigned long pages;		/* leaf pages mapped now (shared ones too) */
	unsigned long page_tables;	/* page-table pages now, the root not counted */
	unsigned long cow_copies;	/* store faults that copied a shared page */
	unsigned long cow_reuses;	/* ... that re-enabled W on the only reference */
	unsigned long zero_fills;	/* ... on the zero frame: a zeroed frame, no copy */
	unsigned long faults_forwarded; /* faults sent to a fault endpoint */
} aspace_stats_t;

/* THREAD_STATS output: counters of one thread since its creation. */
typedef struct thread_stats {
	unsigned long ipc_calls; /* SYS_CALL messages sent (or queued) */
	unsigned long ipc_sends; /* SYS_SEND messages sent (or queued) */
	unsigned long switches;	 /* times the hart switched to this thread */
} thread_stats_t;

/* DEBUG_STATS output.  irq_count[] lists sources 0 .. KSTATS_IRQS - 1
 * (source 0 does not exist; a higher source is not listed). */
#define KSTATS_IRQS 64
typedef struct kstats {
	unsigned long frames_total;
	unsigned long frames_free;
	unsigned long objects[CAP_NTYPES]; /* live kernel objects per type */
	unsigned long syscalls;
	unsigned long context_switches;
	unsigned long timer_ticks;
	unsigned long cow_copies;	      /* store faults that copied a page */
	unsigned long cow_reuses;	      /* ... that re-enabled W on the only reference */
	unsigned long zero_fills;	      /* ... on the zero frame: a zeroed frame, no copy */
	unsigned long irq_spurious;	      /* external interrupts whose claim found nothing */
	unsigned long irq_unbound;	      /* interrupts of a source with no handler: disabled */
	unsigned long irq_count[KSTATS_IRQS]; /* interrupts claimed, per source number */
	unsigned long harts;		      /* harts scheduling threads */
	unsigned long smp_wakeups;	      /* IPIs sent to wake an idle hart */
	unsigned long smp_evictions;	      /* threads taken off another hart */
	unsigned long smp_lock_wakeups;	      /* waiters for the big lock woken by an IPI */
	unsigned long tlb_shootdowns;	      /* remote TLB fences (SBI RFENCE calls) */
	unsigned long spurious_faults;	      /* faults on a stale TLB entry, resumed */
} kstats_t;
