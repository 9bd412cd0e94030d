/*
 * Address spaces.
 *
 * The object owns its root table and interior tables (charged to its pool)
 * and holds one frame reference per mapped leaf of RAM.  Device frames are
 * mapped without references.  User mappings are 4 KiB, never writable and
 * executable at once, and writable only if readable (RISC-V reserves W
 * without R).  Removing or downgrading a mapping fences the TLB before the
 * frame's reference is dropped: on this hart, and in SMP mode on every
 * other hart in the space's cpus mask (SBI RFENCE, which returns only
 * when they have fenced).  Upgrades (a COW leaf made writable in place)
 * fence only here: a stale read-only entry elsewhere just faults again
 * and aspace_fault_spurious sends the thread back.
 *
 * Locking: the big kernel lock in SMP mode (kern/smp.h), except
 * aspace_deactivate; one hart with interrupts off otherwise.
 */
#include <abi/error.h>
#include <arch/arch.h>
#include <arch/ptleaf.h>
#include <kern/aspace.h>
#include <kern/assert.h>
#include <kern/frame.h>
#include <kern/pool.h>
#include <kern/sched.h>
#include <kern/smp.h>
#include <kern/trace.h>
#include <kern/trapentry.h>

#define active (this_cpu()->cur_aspace)

unsigned long aspace_shootdowns;

/* SMP: fence [va, va + size) on the other harts that have as in satp. */
static void fence_remote(aspace_t *as, uaddr_t va, size_t size)
{
	uint32_t others =
	    __atomic_load_n(&as->cpus, __ATOMIC_ACQUIRE) & ~CPU_BIT(this_cpu()->index);

	if (others) {
		arch_tlb_flush_remote(others, va, size);
		aspace_shootdowns++;
	}
}

/* Fence one page of as (smp: also on the other harts), after a
 * downgrade (unmap, protect) or a leaf replaced by a copy. */
static inline __attribute__((always_inline)) void fence_page(aspace_t *as, uaddr_t va, bool smp)
{
	arch_tlb_flush_page(va);
	if (smp)
		fence_remote(as, va, PAGE_SIZE);
}

/* Fence all of as, interior entries included (a table was freed, or
 * many leaves downgraded). */
static void fence_all(aspace_t *as)
{
	arch_tlb_flush_all();
	if (smp_on())
		fence_remote(as, 0, TLB_FLUSH_ALL);
}

void aspace_switch(aspace_t *as)
{
	cpu_t *c = this_cpu();

	aspace_t *old = c->cur_aspace;

	if (old == as)
		return;
	/* In the new mask before satp holds it, out of the old one only
	 * after satp (and its full fence) left it: the mask never misses a
	 * hart that may cache the space (the order aspace_deactivate keeps;
	 * the big lock makes it moot today, a finer lock would not). */
	__atomic_fetch_or(&as->cpus, CPU_BIT(c->index), __ATOMIC_RELEASE);
	arch_aspace_activate(as->root);
	c->cur_aspace = as;
	if (old)
		__atomic_fetch_and(&old->cpus, ~CPU_BIT(c->index), __ATOMIC_RELEASE);
}

void aspace_deactivate(void)
{
	cpu_t *c = this_cpu();
	aspace_t *as = c->cur_aspace;

	if (!as)
		return;
	arch_aspace_activate(arch_kernel_root());
	__atomic_fetch_and(&as->cpus, ~CPU_BIT(c->index), __ATOMIC_RELEASE);
	c->cur_aspace = NULL;
}

bool aspace_fault_spurious(aspace_t *as, uaddr_t va, unsigned access)
{
	cpu_t *c = this_cpu();
	thread_t *t = sched_current();
	unsigned vm = arch_pt_query(as->root, PAGE_ROUND_DOWN(va), NULL);
	uint64_t pc = t ? t->tf.sepc : 0;

	if (!(vm & VM_USER) || (vm & access) != access)
		return false;
	/* A leaf that allows the access yet faults again and again, with no
	 * downgrade of the space in between (which would explain a new
	 * fault: another hart's clone, say), is not stale but something this
	 * code does not model: report it. */
	if (c->spurious_va == va && c->spurious_pc == pc && c->spurious_gen == as->downgrades) {
		if (++c->spurious_repeats > 8)
			return false;
	} else {
		c->spurious_va = va;
		c->spurious_pc = pc;
		c->spurious_gen = as->downgrades;
		c->spurious_repeats = 0;
	}
	arch_tlb_flush_page(PAGE_ROUND_DOWN(va));
	aspace_spurious_faults++;
	return true;
}

static int table_alloc(void *ctx, paddr_t *pa)
{
	aspace_t *as = ctx;
	int err = as->pool ? pool_alloc_frame(as->pool, FRAME_PAGETABLE, pa)
			   : frame_alloc(FRAME_PAGETABLE, pa);
	if (!err)
		as->tables++;
	return err;
}

/* arch_pt_destroy hands back table pages, some cleared back to zero. */
static void table_free(void *ctx, paddr_t pa, bool zeroed)
{
	aspace_t *as = ctx;
	if (as->pool && zeroed)
		pool_free_zeroed_frame(as->pool, pa);
	else if (as->pool)
		pool_free_frame(as->pool, pa);
	else if (zeroed)
		frame_free_zeroed(pa);
	else
		frame_unref(pa);
	as->tables--;
}

static void leaf_drop(void *ctx, paddr_t pa, unsigned vm)
{
	if (frame_unref_shared_fast(pa))
		return; /* still mapped elsewhere (the common case after fork) */
	if (frame_is_ram_fast(pa))
		user_frame_unref(pa);
}

int aspace_create(pool_t *pool, aspace_t **out)
{
	if (!kobj_can_alloc(pool, 2))
		return E_NOMEM;
	kobj_t *o;
	int err = kobj_alloc(pool, CAP_ASPACE, &o);
	assert(err == 0);
	aspace_t *as = (aspace_t *)o;
	as->pool = pool;
	err = pool ? pool_alloc_frame(pool, FRAME_PAGETABLE, &as->root)
		   : frame_alloc(FRAME_PAGETABLE, &as->root);
	assert(err == 0);
	arch_pt_init_root(as->root);
	*out = as;
	return 0;
}

void aspace_destroy(aspace_t *as)
{
	if (active == as) {
		arch_aspace_activate(arch_kernel_root());
		active = NULL;
		__atomic_fetch_and(&as->cpus, ~CPU_BIT(this_cpu()->index), __ATOMIC_RELEASE);
	}
	/* Every hart with as in satp runs a thread bound to it (a reference). */
	assert(as->cpus == 0);
	arch_pt_destroy(as->root, leaf_drop, table_free, as);
	assert(as->tables == 0);
	as->leaves = 0;
	/* The root is all zero now: the next root or table takes it without
	 * zeroing (a debug kernel checks that). */
	if (as->pool)
		pool_free_zeroed_frame(as->pool, as->root);
	else
		frame_free_zeroed(as->root);
}

static unsigned rights_to_vm(uint64_t rights)
{
	return ((rights & RIGHT_READ) ? VM_READ : 0) | ((rights & RIGHT_WRITE) ? VM_WRITE : 0) |
	       ((rights & RIGHT_EXEC) ? VM_EXEC : 0);
}

static unsigned vm_to_rights(unsigned vm)
{
	return ((vm & VM_READ) ? RIGHT_READ : 0) | ((vm & VM_WRITE) ? RIGHT_WRITE : 0) |
	       ((vm & VM_EXEC) ? RIGHT_EXEC : 0);
}

/* The rights a leaf stands for: a COW leaf is writable in all but PTE. */
static unsigned logical_rights(unsigned vm)
{
	return vm_to_rights(vm) | ((vm & VM_COW) ? RIGHT_WRITE : 0);
}

/* Rules common to map and protect: alignment, range, sane rights. */
static int check_va_rights(uint64_t va, uint64_t rights)
{
	if (va & PAGE_MASK)
		return E_INVAL;
	if (va < USER_BASE || va >= USER_TOP)
		return E_RANGE;
	if (rights == 0 || (rights & ~(uint64_t)(RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC)))
		return E_INVAL;
	if ((rights & RIGHT_WRITE) && !(rights & RIGHT_READ))
		return E_INVAL;
	if ((rights & RIGHT_WRITE) && (rights & RIGHT_EXEC))
		return E_INVAL;
	return 0;
}

int decode_aspace_map(aspace_t *as, const cap_t *c, uint64_t va, uint64_t rights, aspace_op_t *op)
{
	int err;
	if (c->type != CAP_FRAME && c->type != CAP_DEVFRAME)
		return E_TYPE;
	if ((err = check_va_rights(va, rights)))
		return err;
	if ((rights & c->rights) != rights)
		return E_PERM;
	if (c->type == CAP_DEVFRAME && frame_is_ram(c->pa))
		return E_INVAL; /* never RAM: it would not be refcounted */
	if (arch_pt_query(as->root, va, NULL))
		return E_EXISTS;
	int tables = arch_pt_tables_needed(as->root, va);
	if (tables && !kobj_can_alloc(as->pool, (size_t)tables))
		return E_NOMEM;
	*op = (aspace_op_t){.label = ASPACE_MAP,
			    .as = as,
			    .va = va,
			    .pa = c->pa,
			    .vm = rights_to_vm(rights),
			    .ram = c->type == CAP_FRAME};
	return 0;
}

int decode_aspace_unmap(aspace_t *as, uint64_t va, aspace_op_t *op)
{
	if (va & PAGE_MASK)
		return E_INVAL;
	if (va < USER_BASE || va >= USER_TOP)
		return E_RANGE;
	paddr_t pa;
	if (!arch_pt_query(as->root, va, &pa))
		return E_NOENT;
	*op = (aspace_op_t){
	    .label = ASPACE_UNMAP, .as = as, .va = va, .pa = pa, .ram = frame_is_ram(pa)};
	return 0;
}

int decode_aspace_protect(aspace_t *as, uint64_t va, uint64_t rights, aspace_op_t *op)
{
	int err = check_va_rights(va, rights);
	if (err)
		return err;
	unsigned cur = arch_pt_query(as->root, va, NULL);
	if (!cur)
		return E_NOENT;
	if ((rights & logical_rights(cur)) != rights)
		return E_PERM;
	unsigned vm = rights_to_vm(rights);
	if ((cur & VM_COW) && (vm & VM_WRITE))
		vm = (vm & ~VM_WRITE) | VM_COW; /* still copy-on-write */
	*op = (aspace_op_t){.label = ASPACE_PROTECT, .as = as, .va = va, .vm = vm};
	return 0;
}

void perform_aspace_op(const aspace_op_t *op)
{
	aspace_t *as = op->as;
	paddr_t old;
	int freed;
	int err = 0;

	switch (op->label) {
	case ASPACE_MAP:
		err = arch_pt_map(as->root, op->va, op->pa, op->vm, table_alloc, as);
		assert(err == 0); /* decode checked tables and quota */
		if (op->ram)
			frame_ref(op->pa);
		as->leaves++;
		break;
	case ASPACE_UNMAP:
		err = arch_pt_unmap(as->root, op->va, &old, table_free, as, &freed);
		assert(err == 0 && old == op->pa);
		/* Fence before the frame (or a freed table) can be reused. */
		as->downgrades++;
		if (freed)
			fence_all(as);
		else
			fence_page(as, op->va, smp_on());
		as->leaves--;
		if (op->ram)
			user_frame_unref(old);
		break;
	case ASPACE_PROTECT:
		err = arch_pt_protect(as->root, op->va, op->vm);
		assert(err == 0);
		as->downgrades++;
		fence_page(as, op->va, smp_on());
		break;
	}
}

unsigned aspace_query(aspace_t *as, uaddr_t va)
{
	return logical_rights(arch_pt_query(as->root, PAGE_ROUND_DOWN(va), NULL));
}

/* ------------------------------------------------------ copy-on-write -- */

unsigned long aspace_cow_copies, aspace_cow_reuses, aspace_zero_fills, aspace_spurious_faults;
paddr_t aspace_zero_frame;

void aspace_init_zero_frame(void)
{
	if (frame_alloc(FRAME_KERNEL, &aspace_zero_frame))
		panic("no frame for the zero frame");
}

int decode_aspace_map_zero(aspace_t *as, uint64_t va, uint64_t npages, uint64_t rights,
			   aspace_fill_t *op)
{
	if (va & PAGE_MASK)
		return E_INVAL;
	if (npages == 0 || npages > ZERO_MAX_PAGES)
		return E_INVAL;
	if (va < USER_BASE || va >= USER_TOP || npages > (USER_TOP - va) >> PAGE_SHIFT)
		return E_RANGE;
	if (rights != RIGHT_READ && rights != (RIGHT_READ | RIGHT_WRITE))
		return E_INVAL; /* never executable */
	if (!arch_pt_range_empty(as->root, va, npages))
		return E_EXISTS;
	size_t tables = arch_pt_tables_needed_range(as->root, va, npages);
	if (tables && !kobj_can_alloc(as->pool, tables))
		return E_NOMEM;
	*op = (aspace_fill_t){.as = as,
			      .va = va,
			      .npages = npages,
			      .pa = aspace_zero_frame,
			      .vm = VM_READ | ((rights & RIGHT_WRITE) ? VM_COW : 0)};
	return 0;
}

int decode_aspace_share(aspace_t *dst, aspace_t *src, uint64_t src_va, uint64_t va, uint64_t rights,
			uint64_t flags, aspace_fill_t *op)
{
	paddr_t pa;
	int err;
	if (flags & ~(uint64_t)SHARE_COW)
		return E_INVAL;
	if ((err = check_va_rights(va, rights)))
		return err;
	if (src_va & PAGE_MASK)
		return E_INVAL;
	if (src_va < USER_BASE || src_va >= USER_TOP)
		return E_RANGE;
	unsigned svm = arch_pt_query(src->root, src_va, &pa);
	if (!svm)
		return E_NOENT;
	if (!frame_is_ram(pa))
		return E_INVAL; /* device frames: map their capability instead */
	unsigned have = logical_rights(svm);
	unsigned vm = rights_to_vm(rights);
	if (flags & SHARE_COW) {
		/* The copy is private: W is fine, but the source must not be
		 * writable in place, or the sharer would see its stores. */
		if (svm & VM_WRITE)
			return E_PERM;
		if ((rights & ~(uint64_t)RIGHT_WRITE & have) != (rights & ~(uint64_t)RIGHT_WRITE))
			return E_PERM;
		if (vm & VM_WRITE)
			vm = (vm & ~VM_WRITE) | VM_COW;
	} else {
		if ((rights & have) != rights)
			return E_PERM;
		if ((svm & VM_COW) && (vm & VM_WRITE))
			return E_PERM; /* a COW page is shared writable only as COW */
	}
	if (arch_pt_query(dst->root, va, NULL))
		return E_EXISTS;
	int tables = arch_pt_tables_needed(dst->root, va);
	if (tables && !kobj_can_alloc(dst->pool, (size_t)tables))
		return E_NOMEM;
	*op = (aspace_fill_t){.as = dst, .va = va, .npages = 1, .pa = pa, .vm = vm};
	return 0;
}

void perform_aspace_fill(const aspace_fill_t *op)
{
	aspace_t *as = op->as;
	int err = arch_pt_map_range(as->root, op->va, op->npages, op->pa, op->vm, table_alloc, as);
	assert(err == 0); /* decode checked the range and the tables */
	frame_ref_n(op->pa, op->npages);
	as->leaves += op->npages;
}

int decode_aspace_clone(aspace_t *src, aspace_t *dst, uint64_t flags, aspace_clone_t *op)
{
	size_t tables, leaves, copies = 0;
	if (flags & ~(uint64_t)CLONE_EAGER)
		return E_INVAL;
	if (src == dst)
		return E_INVAL;
	if (dst->tables || dst->leaves)
		return E_EXISTS; /* the destination must be empty */
	/* The clone needs as many tables as the source has (counted as they
	 * are made and freed); an eager clone also a frame per copied page. */
	tables = src->tables;
	if (flags & CLONE_EAGER)
		arch_pt_count(src->root, &tables, &leaves, VM_WRITE | VM_COW, &copies);
	if (!kobj_can_alloc(dst->pool, tables + copies))
		return E_NOMEM;
	*op = (aspace_clone_t){.src = src, .dst = dst, .flags = (unsigned)flags};
	return 0;
}

/* How one leaf is cloned: read-only and device leaves are shared as they
 * are; writable and COW RAM leaves become COW in both (or, eager, are
 * copied into a fresh frame of the destination's pool). */
static void clone_leaf(void *ctx, uaddr_t va, paddr_t pa, unsigned vm, unsigned *svm, paddr_t *dpa,
		       unsigned *dvm)
{
	const aspace_clone_t *op = ctx;
	*svm = vm;
	*dpa = pa;
	*dvm = vm;
	if (!frame_is_ram_fast(pa))
		return;
	if (!(vm & (VM_WRITE | VM_COW))) {
		frame_ref_fast(pa);
		return;
	}
	if (op->flags & CLONE_EAGER) {
		paddr_t copy;
		int err = pool_alloc_frame_fill(op->dst->pool, FRAME_USER, &copy, false);
		assert(err == 0); /* decode counted the copies */
		arch_copy_page(pa2kva(copy), pa2kva(pa));
		*dpa = copy;
		*dvm = (vm & ~VM_COW) | VM_WRITE;
		return;
	}
	*svm = *dvm = (vm & ~VM_WRITE) | VM_COW;
	frame_ref_fast(pa);
}

static int clone_table_alloc(void *ctx, paddr_t *pa)
{
	const aspace_clone_t *op = ctx;
	return table_alloc(op->dst, pa);
}

void perform_aspace_clone(const aspace_clone_t *op)
{
	arch_pt_clone(op->src->root, op->dst->root, clone_table_alloc, clone_leaf, (void *)op,
		      !(op->flags & CLONE_EAGER));
	op->dst->leaves = op->src->leaves; /* every leaf was cloned */
	/* The source lost W on its writable leaves: no hart may keep a stale
	 * writable TLB entry. */
	if (!(op->flags & CLONE_EAGER)) {
		op->src->downgrades++;
		fence_all(op->src);
	}
}

/* What a resolved fault did, for the trace (NULL: not wanted; the
 * compiler then drops every store to it). */
typedef struct cow_rec {
	unsigned type; /* TRACE_COW_COPY, TRACE_COW_REUSE or TRACE_ZERO_FILL */
	paddr_t frame;
} cow_rec_t;

static inline __attribute__((always_inline)) int cow_resolve(aspace_t *as, uaddr_t va,
							     cow_rec_t *rec, bool smp)
{
	pt_leaf_t leaf;
	paddr_t old, copy;

	va = PAGE_ROUND_DOWN(va);
	if (!arch_pt_cow_leaf(as->root, va, &leaf, &old))
		return E_PERM;
	if (old == aspace_zero_frame) {
		/* A page of the zero frame: a fresh zeroed frame, no copy. */
		if (pool_alloc_frame(as->pool, FRAME_USER, &copy))
			return E_NOMEM;
		arch_pt_cow_done(leaf, copy);
		fence_page(as, va, smp); /* other threads' harts may read zeros */
		user_frame_unref(old);	 /* one mapping less; the pin stays */
		aspace_zero_fills++;
		as->zero_fills++;
		if (rec)
			*rec = (cow_rec_t){TRACE_ZERO_FILL, copy};
		return 0;
	}
	if (frame_refs(old) == 1) {
		/* Ours alone: writable again, nothing copied. */
		arch_pt_cow_done(leaf, old);
		arch_tlb_flush_page(va);
		aspace_cow_reuses++;
		as->cow_reuses++;
		if (rec)
			*rec = (cow_rec_t){TRACE_COW_REUSE, old};
		return 0;
	}
	if (pool_alloc_frame_fill(as->pool, FRAME_USER, &copy, false))
		return E_NOMEM;
	arch_copy_page(pa2kva(copy), pa2kva(old));
	/* Nothing can have changed the leaf since arch_pt_cow_leaf: one hart
	 * with interrupts off, or the big lock held. */
	arch_pt_cow_done(leaf, copy);
	fence_page(as, va, smp); /* the space's other harts too */
	user_frame_unref(old);	 /* only now: the old leaf is gone everywhere */
	aspace_cow_copies++;
	as->cow_copies++;
	if (rec)
		*rec = (cow_rec_t){TRACE_COW_COPY, copy};
	return 0;
}

int aspace_cow_resolve(aspace_t *as, uaddr_t va)
{
	return cow_resolve(as, va, NULL, smp_on());
}

void aspace_get_stats(const aspace_t *as, aspace_stats_t *st)
{
	st->pages = as->leaves;
	st->page_tables = as->tables;
	st->cow_copies = as->cow_copies;
	st->cow_reuses = as->cow_reuses;
	st->zero_fills = as->zero_fills;
	st->faults_forwarded = as->faults_forwarded;
}

int aspace_map_frame(aspace_t *as, uaddr_t va, paddr_t pa, unsigned vm)
{
	if (arch_pt_query(as->root, va, NULL))
		return E_EXISTS;
	int tables = arch_pt_tables_needed(as->root, va);
	if (tables && !kobj_can_alloc(as->pool, (size_t)tables))
		return E_NOMEM;
	int err = arch_pt_map(as->root, va, pa, vm, table_alloc, as);
	assert(err == 0);
	frame_ref(pa);
	as->leaves++;
	return 0;
}

/*
 * kern_cow_fault while tracing or in SMP mode: under the big lock (SMP),
 * recording entry, fault, what was done and exit (tracing).  A fault that
 * is not copy-on-write goes on to trap_user, which takes the lock again.
 */
static __attribute__((noinline)) bool cow_fault_slow(uint64_t addr)
{
	bool smp = smp_on();
	thread_t *t;
	cow_rec_t rec;

	if (smp) {
		big_lock();
		if (!sched_current())
			kern_return_to_user(); /* evicted while waiting */
	}
	t = sched_current();
	TRACE(TRACE_M_TRAP, TRACE_TRAP_ENTER, TRACE_CAUSE_STORE_PAGE_FAULT, t->tf.sepc);
	TRACE(TRACE_M_FAULT, TRACE_FAULT, addr, TRACE_CAUSE_STORE_PAGE_FAULT);
	if (addr >= USER_TOP || cow_resolve(t->as, addr, &rec, smp) != 0) {
		if (TRACING())
			trace_set_fault_recorded(); /* trap_user goes on from here */
		if (smp)
			big_unlock();
		return false;
	}
	TRACE(TRACE_M_FAULT, rec.type, PAGE_ROUND_DOWN(addr), rec.frame);
	TRACE(TRACE_M_TRAP, TRACE_TRAP_EXIT, t->tf.sepc, 0);
	if (smp)
		big_unlock();
	return true;
}

/* Called by entry.S for every user store page fault, first thing. */
bool kern_cow_fault(uint64_t addr)
{
	if (__builtin_expect(kern_slow_fault, 0))
		return cow_fault_slow(addr);
	return addr < USER_TOP && cow_resolve(sched_current()->as, addr, NULL, false) == 0;
}
