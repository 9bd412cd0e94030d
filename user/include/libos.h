/*
 * libos: the small library every user program links with.
 *
 * Console output (uprintf), program exit, a slot allocator for the
 * caller's own capability space, and helpers that wrap the common
 * sequences of invocations: allocate and map a frame, start a thread in the
 * caller's own address space, load a program from the initrd into a new
 * address space.  Every fallible routine returns a value >= 0 on success or
 * an error from <abi/error.h> (already negative).
 *
 * The helpers assume the root task's slot layout (abi/bootinfo.h):
 * SLOT_CSPACE, SLOT_ASPACE, SLOT_POOL, SLOT_DEBUG name the caller's own
 * objects.  A program started by spawn_elf gets SLOT_DEBUG only if its
 * parent put a debug capability there.
 *
 * Not thread-safe: only one thread of a program may call uprintf and the
 * slot allocator.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/bootinfo.h>
#include <sys.h>

#define PAGE_SIZE 4096UL
#define USER_TOP  (1UL << 38) /* first address above user space */

/*
 * A page of the caller's address space that spawn_elf uses to fill frames
 * before it hands them to a child.  It must be unmapped when spawn_elf is
 * called; spawn_elf leaves it unmapped.
 */
#define LIBOS_SCRATCH_VA 0x401ff000UL

/* Where spawn_elf puts a child's stack (it grows down from here). */
#define CHILD_STACK_TOP	  ROOT_STACK_TOP
#define CHILD_STACK_PAGES 4

/* Thread registers as THREAD_READ_REGS / THREAD_WRITE_REGS see them. */
enum { REG_PC = 0, REG_RA = 1, REG_SP = 2, REG_A0 = 10, REG_S2 = 18, NREGS = 32 };

/* ---- console and exit ---- */

/* printf to the kernel console through DEBUG_PUTS on SLOT_DEBUG.  Output is
 * buffered until a newline (or a full buffer).  Returns the length. */
int uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int uvprintf(const char *fmt, va_list ap);

/* Write out any partial line. */
void uflush(void);

/* Called by crt0 when main returns: flush, then suspend SLOT_THREAD. */
void sys_exit_from_main(void) __attribute__((noreturn));

/* ---- slots of the caller's capability space ---- */

/* Start the allocator at first (bootinfo.first_free_slot), nslots slots. */
void slot_init(unsigned long first, unsigned long nslots);

/* A slot not handed out before, or E_NOSPC. */
long slot_alloc(void);

/* The allocator's position, and a rewind to it: every slot handed out since
 * the mark is free again.  The caller must have emptied them. */
unsigned long slot_mark(void);
void slot_release(unsigned long mark);

/* ---- invocation wrappers (r0 of the invocation) ---- */

/* Delete the capability in slot of the caller's cspace. */
long cap_delete(unsigned long slot);

/* Copy / mint the capability in src (caller's cspace) into dst of the
 * cspace named by cspace (SLOT_CSPACE for the caller's own). */
long cap_copy(unsigned long cspace, unsigned long src, unsigned long dst, unsigned long rights);
long cap_mint(unsigned long cspace, unsigned long src, unsigned long dst, unsigned long rights,
	      unsigned long badge);

/* CSPACE_INFO on the caller's own cspace: the type in slot (CAP_NULL if
 * empty), or an error. */
long cap_type(unsigned long slot);

/* Create an object of type from SLOT_POOL into a new slot; returns the
 * slot or an error (the slot is not consumed on error). */
long obj_create(unsigned long type, unsigned long arg);

/*
 * Invocations gathered for one SYS_BATCH:
 *
 *	batch_t b;
 *	batch_init(&b);
 *	batch_add(&b, slot, label, a2, a3, a4, a5);  (up to BATCH_MAX)
 *	long e = batch_run(&b, 0);
 *
 * batch_run returns 0 or the first error (a batch that would overflow
 * gives E_NOSPC and runs nothing) and empties b.  Inline, and only the
 * invocations added are written: procsrv's fork, exit and exec each build
 * a batch, and zeroing one (912 bytes) cost more than filling it.
 */
typedef struct batch {
	unsigned long n;
	int overflow;
	invocation_t op[BATCH_MAX];
} batch_t;

static inline void batch_init(batch_t *b)
{
	b->n = 0;
	b->overflow = 0;
}

static inline void batch_add(batch_t *b, unsigned long slot, unsigned long label, unsigned long a2,
			     unsigned long a3, unsigned long a4, unsigned long a5)
{
	if (b->n == BATCH_MAX) {
		b->overflow = 1;
		return;
	}
	invocation_t *op = &b->op[b->n++];
	op->slot = slot;
	op->label = label;
	op->arg[0] = a2;
	op->arg[1] = a3;
	op->arg[2] = a4;
	op->arg[3] = a5;
	op->arg[4] = 0;
}

long batch_run(batch_t *b, unsigned long flags);

/* Read the kernel's statistics (DEBUG_STATS on SLOT_DEBUG). */
long kstats(kstats_t *out);

/*
 * Allocate a zeroed frame from SLOT_POOL and map it at vaddr in SLOT_ASPACE
 * with rights.  Returns the frame's slot (delete it and unmap vaddr to free
 * the frame), or an error with nothing left behind.
 */
long frame_alloc_map(unsigned long vaddr, unsigned long rights);

/* ---- threads ---- */

typedef void (*thread_fn_t)(unsigned long arg);

/*
 * Start fn(arg) in a new thread of the caller's own address space and
 * cspace, on the stack that ends at stack_top (16-byte aligned; the top 32
 * bytes hold the start block), at priority prio, with fault endpoint
 * fault_ep (a slot, or NO_FAULT_EP).  When fn returns the thread suspends
 * itself.  Returns the thread's slot; the caller deletes it.
 */
#define NO_FAULT_EP ((unsigned long)-1)
long thread_spawn_local_ep(thread_fn_t fn, unsigned long arg, void *stack_top, unsigned prio,
			   unsigned long fault_ep);
long thread_spawn_local(thread_fn_t fn, unsigned long arg, void *stack_top, unsigned prio);

/* The same for an existing, not yet started thread cap in slot thread
 * (so that the caller knows the slot before the thread runs).  Returns 0
 * or an error; the caller deletes the thread. */
/* Harts the threads started by thread_start_local may run on
 * (THREAD_SET_AFFINITY mask; 0, the default: any). */
extern unsigned long spawn_affinity;
long thread_start_local(unsigned long thread, thread_fn_t fn, unsigned long arg, void *stack_top,
			unsigned prio, unsigned long fault_ep);

/* ---- programs from the initrd ---- */

/* A capability to give a child: src in the caller's cspace goes to dst of
 * the child's cspace with rights; minted with badge if badge != 0. */
typedef struct spawn_cap {
	unsigned long src, dst, rights, badge;
} spawn_cap_t;

/* The caller's slots for a child's objects. */
typedef struct child {
	unsigned long thread, aspace, cspace;
} child_t;

typedef struct spawn_args {
	const char *name;	 /* file name in the initrd */
	const spawn_cap_t *caps; /* given to the child before it starts */
	size_t ncaps;
	unsigned long cspace_slots;
	unsigned prio;
	unsigned long fault_ep; /* slot in the caller's cspace, or NO_FAULT_EP */
	unsigned long arg;	/* the child's a0 */
} spawn_args_t;

/* Set where the initrd is (from bootinfo); spawn_elf needs it. */
void initrd_set(const void *addr, size_t size);

/*
 * Load the ELF program a->name from the initrd into a new address space
 * with a new cspace and thread, all allocated from SLOT_POOL, and start it.
 * Fills *out with the three slots (the caller owns them: child_destroy).
 * Returns 0 or an error, with nothing left behind on error.
 */
long spawn_elf(const spawn_args_t *a, child_t *out);

/* Suspend the child's thread and delete the three capabilities, which
 * destroys the child when they were the last references. */
void child_destroy(const child_t *c);
