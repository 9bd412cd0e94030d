/*
 * The SMP copy-on-write protocol of kern/aspace.c, for SPIN.
 *
 * Harts run threads of address spaces that share frames: fork (the clone
 * with its read-only downgrade and shootdown), store faults (reuse when
 * the frame has one reference, copy otherwise), unmap, a frame capability
 * deleted, exit (teardown and unref), per-hart TLBs that keep stale
 * entries until fenced, and the big kernel lock as the code takes it.
 * Every step names the kernel function it stands for; docs/ARCHITECTURE.md
 * ("The model") maps them.  test/model/run.sh checks this file and its
 * mutations (MUT_*, below).
 *
 * Bounds (exhaustive for these): NHARTS harts (2; run.sh also checks 3),
 * 2 pages, 3 address spaces (AS0 and the children of at most two forks
 * of it), 4 threads (two of AS0, one per child), OPS_PARENT operations
 * per thread of AS0 and OPS_CHILD per child (2 and 2; run.sh uses one
 * child operation with 3 harts and for the progress search), 7 frames
 * (enough that no allocation fails), one unmap, one capability deletion.
 * At the start, page 0 of AS0 is writable on frame 0, which a frame
 * capability also names (refs 2), and page 1 is COW on frame 1 with
 * refs 1 (its other sharer has exited).
 *
 * What is abstracted: one level of page table (no interior tables, so
 * no table frees); the ticket lock is a mutex (its FIFO order only adds
 * fairness); procsrv's part of fork and exit (aspace_create,
 * THREAD_RESUME, cap deletion of the space) runs on the hart of the
 * thread that asked; the zero frame, ASPACE_SHARE and PROTECT, eager
 * clones and allocation failure are left out; aspace_fault_spurious's
 * repeat counter is left out (the model must not need it); a real fault
 * (a store to an unmapped page) is sent to procsrv and the thread goes
 * on without the store.  The TLB holds at most one entry per hart and
 * page, filled on every walk (a read-only one from a COW leaf too), kept
 * until a fence of that hart or a satp write.
 *
 * Properties (assertions unless said otherwise):
 *  - isolation: a store lands in a frame no other live address space can
 *    reach by a PTE or a TLB entry (the destination of a clone still in
 *    progress excepted: its thread cannot run, and it takes its contents
 *    when the clone returns);
 *  - no lost write: each store writes a fresh value and want[] records
 *    what its space must read back; every load and the teardown of a
 *    space compare;
 *  - a frame is freed only when no PTE, TLB entry or capability reaches
 *    it; at every big_unlock, refs == PTEs + capabilities for every
 *    frame, and a frame is in use exactly when refs > 0;
 *  - no deadlock: pan's invalid end states;
 *  - every fault completes: no non-progress cycle (pan -l), the only
 *    progress label being the start of a thread's next operation.
 *
 * Mutations (spin -D...), each a known bug that must give a
 * counterexample: MUT_UNREF_BEFORE_FENCE (user_frame_unref before
 * fence_page, in cow_resolve and ASPACE_UNMAP), MUT_REUSE_WITHOUT_LOCK
 * (frame_refs(old) == 1 read before big_lock), MUT_NO_CLONE_SHOOTDOWN
 * (fence_all of the clone flushes this hart only), MUT_NO_COPY_FENCE
 * (the copy's fence_page flushes this hart only), MUT_NO_UNLOCK_ON_EPERM
 * (cow_fault_slow gives up without big_unlock), MUT_SPURIOUS_NO_FLUSH
 * (aspace_fault_spurious retries without a flush).
 */

#ifndef NHARTS
#define NHARTS 2
#endif
#ifndef OPS_PARENT
#define OPS_PARENT 2
#endif
#ifndef OPS_CHILD
#define OPS_CHILD 2
#endif
#define NPAGES 2
#define NAS 3
#define NTHREADS 4
#define NFRAMES 7
#define MAX_FORKS 2

#define NONE 255
#define POISON 254   /* a freed frame's contents (DEBUG builds poison) */
#define UNMAPPED 253 /* want[] of a page with no leaf */

/* thread states */
#define UNBORN 0
#define RUNNABLE 1
#define RUNNING 2
#define DONE 3

/* what cow_resolve and the fault path decided */
#define E_OK 0
#define E_PERM 1
#define FAULT 2
#define REUSE 3
#define COPY 4
#define SPURIOUS 5
#define E_NOENT 6

#define TAS(t) ((t) < 2 -> 0 : (t) - 1) /* a thread's address space */
#define K (a * NPAGES + p)               /* the leaf of (a, p) */
#define TI (h * NPAGES + p)              /* hart h's TLB entry for p */

/* The big kernel lock (kern/smp.c): the hart holding it, or NONE. */
byte lock = NONE;

/* Page tables, one leaf per (space, page): frame + 1 (0: no leaf). */
byte pte_f[NAS * NPAGES];
bool pte_w[NAS * NPAGES];
bool pte_cow[NAS * NPAGES];
byte cpus[NAS]; /* aspace_t.cpus: the harts with the space in satp */
bool as_live[NAS];
byte nthreads[NAS];

/* The frame table. */
byte refs[NFRAMES];
byte caps[NFRAMES]; /* frame capabilities naming the frame */
bool in_use[NFRAMES];
byte mem[NFRAMES]; /* a page's contents: the last value stored */

/* Per hart: its TLB (frame + 1, 0: none) and the space in its satp. */
byte tlb_f[NHARTS * NPAGES];
bool tlb_w[NHARTS * NPAGES];
byte cur_as[NHARTS];

byte t_state[NTHREADS];
byte forks;
bool unmap_done, capdel_done;

/* Ghosts: what each space must read back, its store counter, and the
 * destination of a clone in progress. */
byte want[NAS * NPAGES];
byte seq[NAS];
byte cloning_dst = NONE;

/* Scratch for loops inside d_step only (not part of the state). */
hidden byte hi_, hj_, hn_;

#if NPAGES != 2 || NAS != 3 || NFRAMES != 7 || NHARTS < 2 || NHARTS > 3
#error "the checks below are written out for these bounds"
#endif

#define RUNNABLE_ANY (t_state[2] == RUNNABLE || t_state[3] == RUNNABLE)
#define RUNNING_ANY (t_state[0] == RUNNING || t_state[1] == RUNNING || \
		     t_state[2] == RUNNING || t_state[3] == RUNNING)

/* ---------------------------------------------------- checks (ghost) -- */

/*
 * Each check is one expression over the fixed bounds (cheap for pan);
 * only when it fails does a loop print what broke it.
 */
#define LEAF(j, f) (pte_f[j] == (f) + 1)
#define NLEAVES(f) (LEAF(0, f) + LEAF(1, f) + LEAF(2, f) + LEAF(3, f) + LEAF(4, f) + LEAF(5, f))
#define TLB(j, f) (tlb_f[j] == (f) + 1)
#if NHARTS == 2
#define NTLBS(f) (TLB(0, f) + TLB(1, f) + TLB(2, f) + TLB(3, f))
#elif NHARTS == 3
#define NTLBS(f) (TLB(0, f) + TLB(1, f) + TLB(2, f) + TLB(3, f) + TLB(4, f) + TLB(5, f))
#endif
/* a leaf of another live space than a (not the destination of a clone
 * in progress) maps f; a hart running another space than a caches f */
#define FOREIGN_LEAF(j, a, f) (j / NPAGES != a && j / NPAGES != cloning_dst && LEAF(j, f))
#define FOREIGN_TLB(j, a, f) (cur_as[j / NPAGES] != a && TLB(j, f))
#define FOREIGN_LEAVES(a, f) (FOREIGN_LEAF(0, a, f) || FOREIGN_LEAF(1, a, f) || \
	FOREIGN_LEAF(2, a, f) || FOREIGN_LEAF(3, a, f) || FOREIGN_LEAF(4, a, f) || \
	FOREIGN_LEAF(5, a, f))
#if NHARTS == 2
#define FOREIGN_TLBS(a, f) (FOREIGN_TLB(0, a, f) || FOREIGN_TLB(1, a, f) || \
	FOREIGN_TLB(2, a, f) || FOREIGN_TLB(3, a, f))
#elif NHARTS == 3
#define FOREIGN_TLBS(a, f) (FOREIGN_TLB(0, a, f) || FOREIGN_TLB(1, a, f) || \
	FOREIGN_TLB(2, a, f) || FOREIGN_TLB(3, a, f) || FOREIGN_TLB(4, a, f) || \
	FOREIGN_TLB(5, a, f))
#endif
#define REFS_OK(f) (refs[f] == caps[f] + NLEAVES(f) && in_use[f] == (refs[f] > 0))

/* Nothing may reach frame f any more: no leaf, no TLB entry, no cap. */
inline assert_unreachable(f)
{
	if
	:: NLEAVES(f) + NTLBS(f) + caps[f] == 0
	:: else ->
		hj_ = 0;
		do
		:: hj_ < NAS * NPAGES && LEAF(hj_, f) ->
			printf("MODEL: frame %d freed while AS%d page %d still maps it\n",
			       f, hj_ / NPAGES, hj_ % NPAGES);
			hj_++
		:: hj_ < NAS * NPAGES && !LEAF(hj_, f) -> hj_++
		:: else -> break
		od;
		hj_ = 0;
		do
		:: hj_ < NHARTS * NPAGES && TLB(hj_, f) ->
			printf("MODEL: frame %d freed while hart %d's TLB still maps page %d to it\n",
			       f, hj_ / NPAGES, hj_ % NPAGES);
			hj_++
		:: hj_ < NHARTS * NPAGES && !TLB(hj_, f) -> hj_++
		:: else -> break
		od;
		assert(NLEAVES(f) + NTLBS(f) + caps[f] == 0)
	fi
}

/* Space a stores into frame f: no other live space may read f. */
inline assert_isolated(a, f)
{
	if
	:: !FOREIGN_LEAVES(a, f) && !FOREIGN_TLBS(a, f)
	:: else ->
		hj_ = 0;
		do
		:: hj_ < NAS * NPAGES && FOREIGN_LEAF(hj_, a, f) ->
			printf("MODEL: AS%d's store lands in frame %d, which AS%d page %d maps\n",
			       a, f, hj_ / NPAGES, hj_ % NPAGES);
			hj_++
		:: hj_ < NAS * NPAGES && !FOREIGN_LEAF(hj_, a, f) -> hj_++
		:: else -> break
		od;
		hj_ = 0;
		do
		:: hj_ < NHARTS * NPAGES && FOREIGN_TLB(hj_, a, f) ->
			printf("MODEL: AS%d's store lands in frame %d, which hart %d (AS%d) has in its TLB\n",
			       a, f, hj_ / NPAGES, cur_as[hj_ / NPAGES]);
			hj_++
		:: hj_ < NHARTS * NPAGES && !FOREIGN_TLB(hj_, a, f) -> hj_++
		:: else -> break
		od;
		assert(!FOREIGN_LEAVES(a, f) && !FOREIGN_TLBS(a, f))
	fi
}

/* At every big_unlock: refs == leaves + capabilities, in use iff refs. */
inline check_refs()
{
	if
	:: REFS_OK(0) && REFS_OK(1) && REFS_OK(2) && REFS_OK(3) && REFS_OK(4) &&
	   REFS_OK(5) && REFS_OK(6)
	:: else ->
		hi_ = 0;
		do
		:: hi_ < NFRAMES && !REFS_OK(hi_) ->
			printf("MODEL: frame %d has refs %d but %d references\n", hi_, refs[hi_],
			       caps[hi_] + NLEAVES(hi_));
			hi_++
		:: hi_ < NFRAMES && REFS_OK(hi_) -> hi_++
		:: else -> break
		od;
		assert(false)
	fi
}

/* ------------------------------------------------------ kernel steps -- */

/*
 * A step of the model is one atomic block.  A kernel path is cut only
 * where another hart can see the difference: the lock's holder changes
 * page tables and refcounts that only lock holders read, so big_lock and
 * everything up to the first change a user-mode store or load can see
 * (a leaf, a TLB entry of another hart) is one step, and so is
 * everything from the last such change to big_unlock.
 */

/* big_unlock (kern/smp.c); big_lock is "lock == NONE -> lock = h", the
 * first statement of a step (it blocks there). */
inline big_unlock(h)
{
	assert(lock == h);
	check_refs();
	lock = NONE
}

/* arch_tlb_flush_page / arch_tlb_flush_all on hart g. */
inline flush_page(g, p)
{
	tlb_f[g * NPAGES + p] = 0;
	tlb_w[g * NPAGES + p] = 0
}

inline flush_all(g)
{
	hj_ = 0;
	do
	:: hj_ < NPAGES -> flush_page(g, hj_); hj_++
	:: else -> break
	od
}

/* user_frame_unref (kern/pool.c) -> frame_unref: the frame is freed (and
 * poisoned) at zero. */
inline user_frame_unref(f)
{
	assert(refs[f] > 0);
	refs[f]--;
	if
	:: refs[f] == 0 ->
		assert_unreachable(f);
		printf("H%d: user_frame_unref frame %d: freed\n", h, f);
		in_use[f] = 0;
		mem[f] = POISON
	:: else ->
		printf("H%d: user_frame_unref frame %d: refs %d\n", h, f, refs[f])
	fi
}

/* fence_remote (kern/aspace.c): arch_tlb_flush_remote to the harts in
 * others (as->cpus without this hart), SBI RFENCE, which returns once
 * each has fenced.  Each fences at its own moment: one step per hart.
 * all: the whole TLB (fence_all), else page p (fence_page). */
inline fence_remote(all)
{
	do
	:: atomic {
		others != 0 ->
		g = 0;
		do
		:: others & (1 << g) -> break
		:: else -> g++
		od;
		if
		:: all -> flush_all(g)
		:: else -> flush_page(g, p)
		fi;
		printf("H%d:   fence_remote: hart %d fenced\n", h, g);
		others = others & ~(1 << g);
		g = 0 }
	:: else -> break
	od
}

/* clone_leaf (arch/riscv/pt.c, via arch_pt_clone): a writable or COW
 * leaf becomes read-only + COW in both, frame_ref. */
inline clone_leaf(a, d, p)
{
	if
	:: pte_f[K] != 0 ->
		pte_w[K] = 0;
		pte_cow[K] = 1;
		pte_f[d * NPAGES + p] = pte_f[K];
		pte_cow[d * NPAGES + p] = 1;
		refs[pte_f[K] - 1]++;
		printf("H%d:   clone_leaf page %d: frame %d COW in both, refs %d\n",
		       h, p, pte_f[K] - 1, refs[pte_f[K] - 1])
	:: else
	fi
}

/* ---------------------------------------------------------- a hart -- */

proctype hart(byte h)
{
	byte t = NONE; /* the thread this hart runs */
	byte a, p;     /* its space; the page of the operation */
	byte ops;      /* operations the thread has left */
	byte d;        /* a clone's destination */
	byte err, old, copy, others, g;
	bool phase2;   /* trap_user's attempt, after cow_fault_slow's */
	bool early;    /* MUT_REUSE_WITHOUT_LOCK: refs == 1 seen unlocked */
	bool may_unmap, may_capdel;

	if
	:: h < 2 -> /* init started threads 0 and 1 of AS0 here */
		t = h;
		a = 0;
		ops = OPS_PARENT;
		may_unmap = (h == 0);
		may_capdel = (h == 1);
		goto next_op
	:: else
	fi;

sched:	/* sched (kern/sched.c): under the lock, pick a runnable thread,
	 * aspace_switch to its space (our bit in cpus; the satp write
	 * flushes the whole TLB: no ASIDs), big_unlock, sret.  With none,
	 * smp_idle; the hart is done when nothing runs and nothing can. */
	if
	:: atomic {
		lock == NONE && RUNNABLE_ANY -> lock = h;
		if
		:: t_state[2] == RUNNABLE -> t = 2
		:: t_state[3] == RUNNABLE -> t = 3
		fi;
		t_state[t] = RUNNING;
		a = TAS(t);
		ops = OPS_CHILD;
		cpus[a] = cpus[a] | (1 << h);
		flush_all(h);
		cur_as[h] = a;
		printf("H%d: sched: thread %d, aspace_switch to AS%d\n", h, t, a);
		big_unlock(h) }
	:: atomic { !RUNNABLE_ANY && !RUNNING_ANY -> goto done }
	fi;

next_op:
	if
	:: ops == 0 -> goto exit
	:: else
	fi;
progress_op:
	ops--;
	if
	:: p = 0; goto store
	:: p = 1; goto store
	:: p = 0; goto load
	:: p = 1; goto load
	:: atomic { a == 0 && forks < MAX_FORKS -> forks++; d = forks; goto fork }
	:: may_unmap -> may_unmap = 0; p = 0; goto unmap
	:: may_unmap -> may_unmap = 0; p = 1; goto unmap
	:: may_capdel -> may_capdel = 0; goto capdel
	fi;

store:	/* User mode: a store instruction.  A writable TLB entry takes it
	 * with no kernel involved; a miss walks the leaf (and fills the TLB,
	 * read-only from a COW leaf); anything else is a store page fault. */
	atomic {
		if
		:: tlb_f[TI] != 0 && tlb_w[TI] -> err = E_OK
		:: tlb_f[TI] != 0 && !tlb_w[TI] -> err = FAULT
		:: tlb_f[TI] == 0 && pte_f[K] != 0 ->
			tlb_f[TI] = pte_f[K];
			tlb_w[TI] = pte_w[K];
			err = (pte_w[K] -> E_OK : FAULT)
		:: tlb_f[TI] == 0 && pte_f[K] == 0 -> err = FAULT
		fi;
		if
		:: err == E_OK ->
			seq[a]++;
			assert_isolated(a, tlb_f[TI] - 1);
			mem[tlb_f[TI] - 1] = (a + 1) * 16 + seq[a];
			want[K] = mem[tlb_f[TI] - 1];
			printf("H%d: AS%d stores %d to page %d (frame %d)\n", h, a, want[K], p,
			       tlb_f[TI] - 1);
			p = 0;
			goto next_op
		:: else ->
			printf("H%d: AS%d store to page %d: store page fault\n", h, a, p)
		fi
	}
	/* kern_cow_fault -> cow_fault_slow */
#ifdef MUT_REUSE_WITHOUT_LOCK
	/* BUG: frame_refs(old) == 1 decided before big_lock */
	atomic { early = (pte_f[K] != 0 && refs[pte_f[K] - 1] == 1) }
#endif
resolve:
	atomic {
		lock == NONE -> lock = h; /* big_lock */
		/* cow_resolve: arch_pt_cow_leaf finds a valid COW leaf (else
		 * E_PERM); frame_refs(old) decides */
		if
		:: pte_f[K] != 0 && pte_cow[K] ->
			old = pte_f[K] - 1;
#ifdef MUT_REUSE_WITHOUT_LOCK
			err = (early -> REUSE : COPY)
#else
			err = (refs[old] == 1 -> REUSE : COPY)
#endif
		:: else -> err = E_PERM
		fi;
		if
		:: err == REUSE ->
			/* arch_pt_cow_done(leaf, old): W set, COW cleared; an
			 * upgrade: arch_tlb_flush_page here only */
			pte_w[K] = 1;
			pte_cow[K] = 0;
			flush_page(h, p);
			printf("H%d: cow_resolve AS%d page %d: frame %d has one reference, reuse\n",
			       h, a, p, old);
			big_unlock(h)
		:: err == COPY ->
			/* pool_alloc_frame_fill, arch_copy_page */
			copy = 0;
			do
			:: copy < NFRAMES && in_use[copy] -> copy++
			:: else -> break
			od;
			assert(copy < NFRAMES);
			in_use[copy] = 1;
			refs[copy] = 1;
			mem[copy] = mem[old];
			printf("H%d: cow_resolve AS%d page %d: frame %d has %d references, copy to frame %d\n",
			       h, a, p, old, refs[old], copy);
			/* arch_pt_cow_done(leaf, copy) */
			pte_f[K] = copy + 1;
			pte_w[K] = 1;
			pte_cow[K] = 0;
			copy = 0;
			/* fence_page: arch_tlb_flush_page, then fence_remote */
			flush_page(h, p);
#ifdef MUT_NO_COPY_FENCE
			others = 0; /* BUG: this hart only */
#else
			others = cpus[a] & ~(1 << h);
#endif
			printf("H%d: arch_pt_cow_done AS%d page %d -> frame %d; fence_page (remote harts mask %d)\n",
			       h, a, p, pte_f[K] - 1, others);
#ifdef MUT_UNREF_BEFORE_FENCE
			user_frame_unref(old); /* BUG: before the fence */
#endif
			skip
		:: err == E_PERM && !phase2 ->
			/* cow_fault_slow returns false after big_unlock; entry.S
			 * goes on to trap_user, which takes the lock again */
			printf("H%d: cow_resolve AS%d page %d: not COW, on to trap_user\n", h, a, p);
#ifndef MUT_NO_UNLOCK_ON_EPERM
			big_unlock(h);
#endif
			phase2 = 1
		:: err == E_PERM && phase2 ->
			/* kern_user_fault: aspace_cow_resolve failed again;
			 * aspace_fault_spurious: the leaf allows the store
			 * (another hart resolved it; our TLB is stale): fence
			 * this page, retry.  Else ipc_send_fault to procsrv. */
			if
			:: pte_f[K] != 0 && pte_w[K] ->
#ifndef MUT_SPURIOUS_NO_FLUSH
				flush_page(h, p);
#endif
				err = SPURIOUS;
				printf("H%d: aspace_fault_spurious AS%d page %d: retry\n", h, a, p)
			:: else ->
				err = FAULT;
				printf("H%d: AS%d page %d: real fault, sent to procsrv\n", h, a, p)
			fi;
			phase2 = 0;
			big_unlock(h)
		fi;
		early = 0;
		if
		:: err == REUSE || err == SPURIOUS -> err = 0; old = 0; goto store
		:: err == FAULT -> err = 0; p = 0; goto next_op
		:: err == E_PERM -> goto resolve
		:: err == COPY
		fi
	}
	fence_remote(false);
	atomic {
#ifndef MUT_UNREF_BEFORE_FENCE
		user_frame_unref(old); /* only now: the old leaf is gone everywhere */
#endif
		big_unlock(h);
		err = 0;
		old = 0;
		goto store /* sret: the store runs again */
	}

load:	/* User mode: a load, through the TLB or a walk that fills it.  A
	 * page with no leaf faults to procsrv (not followed further). */
	atomic {
		if
		:: tlb_f[TI] == 0 && pte_f[K] != 0 ->
			tlb_f[TI] = pte_f[K];
			tlb_w[TI] = pte_w[K]
		:: else
		fi;
		if
		:: tlb_f[TI] != 0 && mem[tlb_f[TI] - 1] != want[K] ->
			printf("MODEL: AS%d loads %d from page %d (frame %d), stored %d\n",
			       a, mem[tlb_f[TI] - 1], p, tlb_f[TI] - 1, want[K]);
			assert(false)
		:: tlb_f[TI] != 0 ->
			printf("H%d: AS%d loads %d from page %d (frame %d)\n", h, a,
			       want[K], p, tlb_f[TI] - 1)
		:: else
		fi;
		p = 0;
		goto next_op
	}

fork:	/* fork: procsrv's ASPACE_CLONE -> perform_aspace_clone, under the
	 * lock, into an empty space (aspace_create); arch_pt_clone ->
	 * clone_leaf leaf by leaf */
	atomic {
		lock == NONE -> lock = h;
		as_live[d] = 1;
		cloning_dst = d;
		printf("H%d: perform_aspace_clone AS%d -> AS%d\n", h, a, d);
		p = 0;
		clone_leaf(a, d, p)
	}
	atomic {
		p = 1;
		clone_leaf(a, d, p);
		p = 0;
		/* fence_all(src): arch_tlb_flush_all, then fence_remote */
		flush_all(h);
#ifdef MUT_NO_CLONE_SHOOTDOWN
		others = 0; /* BUG: no shootdown after the downgrade */
#else
		others = cpus[a] & ~(1 << h);
#endif
		printf("H%d: fence_all AS%d (remote harts mask %d)\n", h, a, others)
	}
	fence_remote(true);
	atomic {
		/* the clone returns; the child takes the contents of now and
		 * procsrv THREAD_RESUMEs its thread */
		hj_ = 0;
		do
		:: hj_ < NPAGES ->
			want[d * NPAGES + hj_] = want[a * NPAGES + hj_];
			hj_++
		:: else -> break
		od;
		cloning_dst = NONE;
		nthreads[d] = 1;
		t_state[d + 1] = RUNNABLE;
		d = 0;
		big_unlock(h);
		goto next_op
	}

unmap:	/* ASPACE_UNMAP: decode_aspace_unmap, then perform_aspace_op:
	 * arch_pt_unmap, fence_page, user_frame_unref */
	atomic {
		lock == NONE -> lock = h;
		if
		:: pte_f[K] == 0 ->
			big_unlock(h); /* E_NOENT */
			p = 0;
			goto next_op
		:: else ->
			old = pte_f[K] - 1;
			pte_f[K] = 0;
			pte_w[K] = 0;
			pte_cow[K] = 0;
			flush_page(h, p);
			others = cpus[a] & ~(1 << h);
			printf("H%d: perform_aspace_op ASPACE_UNMAP AS%d page %d (frame %d); fence_page (remote harts mask %d)\n",
			       h, a, p, old, others)
#ifdef MUT_UNREF_BEFORE_FENCE
			;
			user_frame_unref(old) /* BUG: before the fence */
#endif
		fi
	}
	fence_remote(false);
	atomic {
#ifndef MUT_UNREF_BEFORE_FENCE
		user_frame_unref(old);
#endif
		want[K] = UNMAPPED;
		old = 0;
		p = 0;
		big_unlock(h);
		goto next_op
	}

capdel:	/* the frame capability of frame 0 deleted: cap_delete ->
	 * user_frame_unref (kern/cap.c) */
	atomic {
		lock == NONE -> lock = h;
		assert(caps[0] == 1);
		caps[0] = 0;
		printf("H%d: cap delete, frame 0\n", h);
		user_frame_unref(0);
		big_unlock(h);
		goto next_op
	}

exit:	/* The thread exits (thread_destroy, smp_evict); the hart switches
	 * to the kernel's page table (aspace_deactivate).  The last thread
	 * of a space takes it along: aspace_destroy -> arch_pt_destroy ->
	 * leaf_drop, each leaf unreferenced. */
	atomic {
		lock == NONE -> lock = h;
		t_state[t] = DONE;
		nthreads[a]--;
		flush_all(h);
		cur_as[h] = NONE;
		cpus[a] = cpus[a] & ~(1 << h);
		printf("H%d: thread %d exits, aspace_deactivate AS%d\n", h, t, a);
		if
		:: nthreads[a] == 0 ->
			assert(cpus[a] == 0);
			printf("H%d: aspace_destroy AS%d\n", h, a);
			p = 0;
			do
			:: p < NPAGES ->
				if
				:: pte_f[K] != 0 ->
					old = pte_f[K] - 1;
					if
					:: mem[old] != want[K] ->
						printf("MODEL: AS%d page %d holds %d at teardown, stored %d\n",
						       a, p, mem[old], want[K]);
						assert(false)
					:: else
					fi;
					pte_f[K] = 0;
					pte_w[K] = 0;
					pte_cow[K] = 0;
					user_frame_unref(old)
				:: else
				fi;
				p++
			:: else -> break
			od;
			p = 0;
			old = 0;
			as_live[a] = 0
		:: else
		fi;
		big_unlock(h);
		t = NONE;
		a = 0;
		may_unmap = 0;
		may_capdel = 0;
		goto sched
	}

done:
	skip
}

init
{
	atomic {
		/* AS0: page 0 writable on frame 0, which a frame capability also
		 * names (refs 2); page 1 COW on frame 1 whose other sharer has
		 * exited (refs 1).  Threads 0 and 1 of AS0 run on harts 0, 1. */
		as_live[0] = 1;
		nthreads[0] = 2;
		pte_f[0] = 1;
		pte_w[0] = 1;
		pte_f[1] = 2;
		pte_cow[1] = 1;
		in_use[0] = 1;
		refs[0] = 2;
		caps[0] = 1;
		in_use[1] = 1;
		refs[1] = 1;
		want[2] = UNMAPPED;
		want[3] = UNMAPPED;
		want[4] = UNMAPPED;
		want[5] = UNMAPPED;
		t_state[0] = RUNNING;
		t_state[1] = RUNNING;
		hi_ = 0;
		do
		:: hi_ < NHARTS ->
			cur_as[hi_] = (hi_ < 2 -> 0 : NONE);
			hi_++
		:: else -> break
		od;
		cpus[0] = 3;
		hn_ = 0;
		do
		:: hn_ < NHARTS -> run hart(hn_); hn_++
		:: else -> break
		od
	}
}
