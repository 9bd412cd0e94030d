/*
 * Host tests for address spaces: kern/aspace.c over the real Sv39
 * page-table code arch/riscv/pt.c, kern/pool.c, kern/kobj.c and
 * kern/frame.c, in a fake physical memory.
 *
 * The tests walk the page tables themselves with the PTE layout of
 * arch/riscv/include/arch/pte.h.  Every rejected decode must change
 * nothing: the whole fake RAM (every table page, every object, every
 * pool) and the frame table are compared byte for byte, and the decoded
 * op is left untouched.  The TLB fence stub records, at fence time, the
 * leaf PTE and the reference count of a watched frame, so the tests can
 * check the order "clear or change the PTE, fence, then drop the frame".
 * The destroy functions of the types these files do not own are stubs.
 */
#include <stdarg.h>
#include <string.h>

#include <abi/error.h>
#include <arch/arch.h>
#include <arch/pte.h>
#include <kern/aspace.h>
#include <kern/audit.h>
#include <kern/cspace.h>
#include <kern/endpoint.h>
#include <kern/frame.h>
#include <kern/irq.h>
#include <kern/kobj.h>
#include <kern/notification.h>
#include <kern/pool.h>
#include <kern/smp.h>
#include <kern/thread.h>

#include "unit.h"

UNIT_MAIN("aspace");

/* ------------------------------------------------------- fake memory --- */

/* fake_ram, fake_pa2kva, fake_kva2pa: test/unit/fake_ram.c */

/* ------------------------------------------- what the kernel needs --- */

/* panic, kprintf: test/unit/kern_stubs.c */

void thread_destroy(thread_t *t)
{
	(void)t;
}
void ep_destroy(endpoint_t *ep)
{
	(void)ep;
}
void ntfn_destroy(notification_t *n)
{
	(void)n;
}
void irq_destroy(irq_t *i)
{
	(void)i;
}

#define BASE   0x80000000UL
#define NPAGES 1024	    /* 4 MiB of fake RAM */
#define KROOT  BASE	    /* frame 0: the fake kernel root table */
#define DEV_PA 0x10000000UL /* an MMIO page, outside fake RAM */
#define GIB    (1UL << 30)
#define MIB2   (1UL << 21)

/* Recognisable kernel root entries: the upper half is what every user
 * root must share, the lower half must never be copied. */
static pte_t kroot_entry(unsigned i)
{
	if (i >= 256)
		return PA_PTE(0x0c0de0000000UL + ((paddr_t)i << 30)) | PTE_V | PTE_R | PTE_W |
		       PTE_X | PTE_G | PTE_A | PTE_D;
	return 0xbad0000000000000UL | (pte_t)i << 10 | PTE_V;
}

paddr_t arch_kernel_root(void)
{
	return KROOT;
}

/* The fake kernel half has one table page, the root (a kernel frame). */
int arch_kernel_tables(int (*fn)(void *ctx, paddr_t pa), void *ctx)
{
	return fn(ctx, KROOT);
}

/* Fences, with what they saw at fence time. */
typedef struct fence {
	uaddr_t va;
	pte_t pte;	   /* leaf PTE of watch_root at va; ~0 if no table */
	uint32_t refs;	   /* frame_refs(watch_pa) */
	frame_kind_t kind; /* frame_kind(watch_pa) */
} fence_t;

#define MAX_FENCES 16
static fence_t fences[MAX_FENCES];
static unsigned nfences, nflush_all, nactivate;
static paddr_t watch_root, watch_pa, last_activate;

static pte_t *leaf_pte(paddr_t root, uaddr_t va);

/* What the watched leaf and frame look like as a fence at va is sent. */
static void record_fence(fence_t *f, uaddr_t va)
{
	f->va = va;
	pte_t *p = watch_root ? leaf_pte(watch_root, va) : NULL;
	f->pte = p ? *p : ~(pte_t)0;
	bool ram = watch_pa && frame_is_ram(watch_pa);
	f->refs = ram ? frame_refs(watch_pa) : 0;
	f->kind = ram ? frame_kind(watch_pa) : FRAME_UNSET;
}

void arch_tlb_flush_page(uaddr_t va)
{
	record_fence(&fences[nfences < MAX_FENCES ? nfences : MAX_FENCES - 1], va);
	nfences++;
}

void arch_tlb_flush_all(void)
{
	nflush_all++;
}

/* SMP (kern/smp.h): the mode switch and the remote fences, recorded with
 * the watched leaf and refcount as they are when the fence is sent. */
uint8_t kern_smp, kern_slow_syscall, kern_slow_fault;

/* kern_cow_fault's slow path (SMP, tracing) is not run here. */
void big_lock(void)
{
	panic("big_lock in a host test");
}

void big_unlock(void)
{
	panic("big_unlock in a host test");
}

void kern_return_to_user(void)
{
	panic("kern_return_to_user in a host test");
}
static fence_t rfences[MAX_FENCES];
static uint32_t rfence_mask[MAX_FENCES];
static size_t rfence_size[MAX_FENCES];
static unsigned nrfences;

void arch_tlb_flush_remote(uint32_t cpu_mask, uaddr_t va, size_t size)
{
	unsigned i = nrfences < MAX_FENCES ? nrfences : MAX_FENCES - 1;
	nrfences++;
	rfence_mask[i] = cpu_mask;
	rfence_size[i] = size;
	record_fence(&rfences[i], va);
}

void arch_aspace_activate(paddr_t root)
{
	nactivate++;
	last_activate = root;
}

void arch_copy_page(void *dst, const void *src)
{
	memcpy(dst, src, PAGE_SIZE);
}

/* Record fences from now on, reading as's tables and pa's refcount. */
static void watch(aspace_t *as, paddr_t pa)
{
	nfences = 0;
	nflush_all = 0;
	nrfences = 0;
	watch_root = as->root;
	watch_pa = pa;
}

/* ------------------------------------------------- our own Sv39 walk --- */

static pte_t *pt(paddr_t pa)
{
	return fake_pa2kva(pa);
}

/* The level-0 PTE for va, NULL if an interior table is missing. */
static pte_t *leaf_pte(paddr_t root, uaddr_t va)
{
	pte_t *t = pt(root);
	for (int level = 2; level > 0; level--) {
		pte_t e = t[VPN(va, level)];
		if (!(e & PTE_V) || PTE_LEAF(e))
			return NULL;
		t = pt(PTE_PA(e));
	}
	return &t[VPN(va, 0)];
}

static pte_t leaf(paddr_t root, uaddr_t va)
{
	pte_t *p = leaf_pte(root, va);
	return p ? *p : 0;
}

/* The PTE pt.c must write for a user leaf. */
static pte_t expect_pte(paddr_t pa, unsigned rights)
{
	return PA_PTE(pa) | PTE_V | PTE_U | PTE_A | PTE_D | ((rights & RIGHT_READ) ? PTE_R : 0) |
	       ((rights & RIGHT_WRITE) ? PTE_W : 0) | ((rights & RIGHT_EXEC) ? PTE_X : 0);
}

/* An interior entry must be a bare pointer: V and the PPN, nothing else. */
static bool pointer_ok(pte_t e)
{
	return (e & ((1UL << PTE_PPN_SHIFT) - 1)) == PTE_V && (e >> 54) == 0 &&
	       frame_is_ram(PTE_PA(e)) && frame_kind(PTE_PA(e)) == FRAME_PAGETABLE &&
	       frame_refs(PTE_PA(e)) == 1;
}

/* Every table page under root's user half (not the root), checking each
 * interior entry and each leaf's fixed bits; (size_t)-1 if malformed.
 * Fills out[0..max) with the tables' addresses. */
static size_t user_tables(paddr_t root, paddr_t *out, size_t max)
{
	size_t n = 0;
	pte_t *r = pt(root);
	for (unsigned i = 0; i < 256; i++) {
		if (!(r[i] & PTE_V))
			continue;
		if (!pointer_ok(r[i])) {
			printf("    bad root entry %u: %#lx\n", i, (unsigned long)r[i]);
			return (size_t)-1;
		}
		if (n < max)
			out[n] = PTE_PA(r[i]);
		n++;
		pte_t *l1 = pt(PTE_PA(r[i]));
		for (unsigned j = 0; j < 512; j++) {
			if (!(l1[j] & PTE_V))
				continue;
			if (!pointer_ok(l1[j])) {
				printf("    bad L1 entry %u/%u: %#lx\n", i, j,
				       (unsigned long)l1[j]);
				return (size_t)-1;
			}
			if (n < max)
				out[n] = PTE_PA(l1[j]);
			n++;
			pte_t *l0 = pt(PTE_PA(l1[j]));
			for (unsigned k = 0; k < 512; k++) {
				pte_t e = l0[k];
				pte_t fixed = PTE_V | PTE_U | PTE_A | PTE_D;
				if (e && ((e & (fixed | PTE_G)) != fixed || !PTE_LEAF(e) ||
					  (e >> 54) != 0)) {
					printf("    bad leaf %u/%u/%u: %#lx\n", i, j, k,
					       (unsigned long)e);
					return (size_t)-1;
				}
			}
		}
	}
	return n;
}

/* ------------------------------------------------------------ set-up --- */

static void *storage;
static size_t storage_bytes;
static unsigned long live0[CAP_NTYPES];

static void setup(const char *name)
{
	unit_case = name;
	free(fake_ram);
	free(storage);
	fake_ram_base = BASE;
	fake_ram_size = NPAGES * PAGE_SIZE;
	fake_ram = malloc(fake_ram_size);
	frame_range_t ram = {BASE, NPAGES * PAGE_SIZE};
	storage_bytes = frame_table_bytes(&ram, 1);
	storage = malloc(storage_bytes);
	if (!fake_ram || !storage)
		abort();
	memset(fake_ram, 0x5a, fake_ram_size);
	if (frame_init(storage, &ram, 1) || frame_reserve(KROOT, PAGE_SIZE, FRAME_KERNEL) != 1)
		abort();
	frame_seal();
	pte_t *k = pt(KROOT);
	for (unsigned i = 0; i < 512; i++)
		k[i] = kroot_entry(i);
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		live0[t] = kobj_live(t);
	this_cpu()->cur_aspace = NULL;
	this_cpu()->spurious_va = this_cpu()->spurious_pc = 0;
	kern_smp = 0;
	nfences = nflush_all = nactivate = nrfences = 0;
	watch_root = watch_pa = last_activate = 0;
}

static long live(unsigned type)
{
	return (long)(kobj_live(type) - live0[type]);
}

static void must(int err, const char *what)
{
	if (err) {
		printf("    set-up failed: %s: %d\n", what, err);
		abort();
	}
}

static cap_t frame_cap(unsigned type, unsigned rights, paddr_t pa)
{
	cap_t c = {.type = (uint8_t)type, .rights = (uint8_t)rights};
	c.pa = pa;
	return c;
}

#define RW  (RIGHT_READ | RIGHT_WRITE)
#define RX  (RIGHT_READ | RIGHT_EXEC)
#define RWX (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC)

/*
 * The standard world: a root pool; `pool` (the given quota) pays for the
 * address space `as` and its tables; `fpool` (quota 64) pays for NF user
 * frames f[], of which the test holds one reference each, as capabilities
 * would.
 */
#define NF 8
typedef struct world {
	pool_t *root, *pool, *fpool;
	aspace_t *as;
	paddr_t f[NF];
	bool held[NF];
} world_t;

static void world_begin(world_t *w, const char *name, uint64_t quota)
{
	setup(name);
	memset(w, 0, sizeof(*w));
	w->root = pool_create_root();
	must(pool_create(w->root, quota, &w->pool), "pool");
	must(pool_create(w->root, 64, &w->fpool), "frame pool");
	must(aspace_create(w->pool, &w->as), "aspace");
	for (unsigned i = 0; i < NF; i++) {
		must(pool_alloc_frame(w->fpool, FRAME_USER, &w->f[i]), "frame");
		w->held[i] = true;
	}
}

/* Every frame back but the kernel root, no object alive, table sound. */
#define CHECK_ALL_FREE()                                                                           \
	do {                                                                                       \
		CHECK_EQ(frame_free_count(), NPAGES - 1);                                          \
		for (unsigned t_ = 0; t_ < CAP_NTYPES; t_++)                                       \
			CHECK_EQ(live(t_), 0);                                                     \
		CHECK_EQ(frame_check(true), 0);                                                    \
	} while (0)

/* Drop the aspace (if still there), the frames, the pools. */
#define WORLD_END(w)                                                                               \
	do {                                                                                       \
		if ((w)->as)                                                                       \
			kobj_unref(&(w)->as->obj);                                                 \
		for (unsigned i_ = 0; i_ < NF; i_++)                                               \
			if ((w)->held[i_])                                                         \
				user_frame_unref((w)->f[i_]);                                      \
		CHECK_EQ((w)->pool->used, 0);                                                      \
		CHECK_EQ((w)->fpool->used, 0);                                                     \
		kobj_unref(&(w)->pool->obj);                                                       \
		kobj_unref(&(w)->fpool->obj);                                                      \
		CHECK_EQ((w)->root->used, 0);                                                      \
		CHECK_EQ((w)->root->obj.refs, 1);                                                  \
		kobj_unref(&(w)->root->obj);                                                       \
		CHECK_ALL_FREE();                                                                  \
	} while (0)

/* ------------------------------------------------- "nothing changed" --- */

/* One snapshot at a time: the whole fake RAM and the frame table. */
static uint8_t *snap_ram;
static uint8_t *snap_ftab;

typedef struct snap {
	size_t free;
	unsigned nfences, nflush_all, nactivate;
	unsigned long live[CAP_NTYPES];
} snap_t;

static void snap_take(snap_t *s)
{
	free(snap_ram);
	free(snap_ftab);
	snap_ram = malloc(fake_ram_size);
	snap_ftab = malloc(storage_bytes);
	if (!snap_ram || !snap_ftab)
		abort();
	memcpy(snap_ram, fake_ram, fake_ram_size);
	memcpy(snap_ftab, storage, storage_bytes);
	memset(s, 0, sizeof(*s));
	s->free = frame_free_count();
	s->nfences = nfences;
	s->nflush_all = nflush_all;
	s->nactivate = nactivate;
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		s->live[t] = kobj_live(t);
}

/* NULL if nothing changed since s, else what did. */
static const char *snap_diff(const snap_t *s)
{
	static char buf[64];
	for (size_t p = 0; p < NPAGES; p++)
		if (memcmp(snap_ram + p * PAGE_SIZE, fake_ram + p * PAGE_SIZE, PAGE_SIZE)) {
			snprintf(buf, sizeof(buf), "fake RAM page %#lx",
				 (unsigned long)(BASE + p * PAGE_SIZE));
			return buf;
		}
	if (memcmp(snap_ftab, storage, storage_bytes))
		return "frame table (refs, kinds or owners)";
	if (s->free != frame_free_count())
		return "free frame count";
	if (s->nfences != nfences || s->nflush_all != nflush_all)
		return "TLB fences";
	if (s->nactivate != nactivate)
		return "satp";
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		if (s->live[t] != kobj_live(t))
			return "live objects";
	return NULL;
}

#define CHECK_UNCHANGED(s)                                                                         \
	do {                                                                                       \
		const char *diff_ = snap_diff(s);                                                  \
		if (diff_)                                                                         \
			printf("    changed: %s\n", diff_);                                        \
		CHECK(diff_ == NULL);                                                              \
	} while (0)

/* A decode (written with `&op_` as its op argument) returns err, leaves
 * op_ alone and changes nothing at all. */
#define CHECK_REJECT(decode, err)                                                                  \
	do {                                                                                       \
		snap_t before_;                                                                    \
		aspace_op_t op_, sentinel_;                                                        \
		memset(&op_, 0xa5, sizeof(op_));                                                   \
		memcpy(&sentinel_, &op_, sizeof(op_));                                             \
		snap_take(&before_);                                                               \
		CHECK_EQ(decode, err);                                                             \
		CHECK(memcmp(&op_, &sentinel_, sizeof(op_)) == 0);                                 \
		CHECK_UNCHANGED(&before_);                                                         \
	} while (0)

/* Decode (must succeed) and perform. */
#define DO(decode)                                                                                 \
	do {                                                                                       \
		aspace_op_t op_;                                                                   \
		CHECK_EQ(decode, 0);                                                               \
		perform_aspace_op(&op_);                                                           \
	} while (0)

#define MAP(as, capp, va, rights) DO(decode_aspace_map(as, capp, va, rights, &op_))
#define UNMAP(as, va)		  DO(decode_aspace_unmap(as, va, &op_))
#define PROTECT(as, va, rights)	  DO(decode_aspace_protect(as, va, rights, &op_))

/* ------------------------------------------------------ aspace_create --- */

static void test_create(void)
{
	setup(__func__);
	pool_t *root = pool_create_root(), *p;
	must(pool_create(root, 2, &p), "pool");
	size_t free0 = frame_free_count();
	uint64_t used_root = root->used;
	uint32_t refs = p->obj.refs;

	aspace_t *as;
	CHECK_EQ(aspace_create(p, &as), 0);
	CHECK_EQ(frame_free_count(), free0 - 2);
	CHECK_EQ(p->used, 2);
	CHECK_EQ(root->used, used_root + 2);
	CHECK_EQ(p->obj.refs, refs + 1);
	CHECK_EQ(live(CAP_ASPACE), 1);
	CHECK_EQ(as->obj.refs, 1);
	CHECK_EQ(as->obj.type, CAP_ASPACE);
	CHECK(as->obj.pool == p && as->pool == p);
	CHECK_EQ(as->tables, 0);
	CHECK_EQ(as->leaves, 0);
	CHECK_EQ(frame_kind(kva2pa(as)), FRAME_KOBJ);
	CHECK_EQ(frame_kind(as->root), FRAME_PAGETABLE);
	CHECK_EQ(frame_refs(as->root), 1);
	CHECK(as->root != kva2pa(as) && as->root != KROOT);
	const pte_t *r = pt(as->root), *k = pt(KROOT);
	for (unsigned i = 0; i < 256; i++)
		CHECK_EQ(r[i], 0);
	for (unsigned i = 256; i < 512; i++)
		CHECK_EQ(r[i], k[i]);
	CHECK_EQ(user_tables(as->root, NULL, 0), 0);
	CHECK_EQ(aspace_query(as, USER_BASE), 0);
	CHECK_EQ(aspace_query(as, USER_TOP - PAGE_SIZE), 0);

	/* Quota full (p), one short (q), RAM short: E_NOMEM, no change. */
	pool_t *q;
	must(pool_create(root, 1, &q), "small pool");
	aspace_t *out = (aspace_t *)0x1;
	snap_t before;
	snap_take(&before);
	CHECK_EQ(aspace_create(p, &out), E_NOMEM);
	CHECK_EQ(aspace_create(q, &out), E_NOMEM);
	CHECK(out == (aspace_t *)0x1);
	CHECK_UNCHANGED(&before);
	paddr_t grab[NPAGES];
	size_t n = 0;
	while (frame_free_count() > 1)
		must(frame_alloc(FRAME_KERNEL, &grab[n++]), "grab");
	q->quota = 10;
	snap_take(&before);
	CHECK_EQ(aspace_create(q, &out), E_NOMEM);
	CHECK_EQ(aspace_create(NULL, &out), E_NOMEM);
	CHECK(out == (aspace_t *)0x1);
	CHECK_UNCHANGED(&before);
	while (n)
		frame_unref(grab[--n]);

	/* Boot address spaces are charged to nobody. */
	aspace_t *boot;
	free0 = frame_free_count();
	used_root = root->used;
	CHECK_EQ(aspace_create(NULL, &boot), 0);
	CHECK(boot->pool == NULL && boot->obj.pool == NULL);
	CHECK_EQ(frame_free_count(), free0 - 2);
	CHECK_EQ(root->used, used_root);
	CHECK_EQ(memcmp(pt(boot->root) + 256, k + 256, 256 * sizeof(pte_t)), 0);
	kobj_unref(&boot->obj);
	CHECK_EQ(frame_free_count(), free0);

	kobj_unref(&as->obj);
	CHECK_EQ(p->used, 0);
	CHECK_EQ(p->obj.refs, refs);
	CHECK_EQ(live(CAP_ASPACE), 0);
	kobj_unref(&p->obj);
	kobj_unref(&q->obj);
	CHECK_EQ(root->used, 0);
	kobj_unref(&root->obj);
	CHECK_ALL_FREE();
}

/* --------------------------------------------------- decode_aspace_map --- */

static void test_map_rejects(void)
{
	world_t w;
	world_begin(&w, __func__, 32);
	aspace_t *as = w.as;
	cap_t all = frame_cap(CAP_FRAME, RIGHTS_ALL, w.f[0]);
	cap_t ro = frame_cap(CAP_FRAME, RIGHT_READ, w.f[1]);
	cap_t rw = frame_cap(CAP_FRAME, RW, w.f[1]);
	cap_t dev = frame_cap(CAP_DEVFRAME, RIGHT_READ, DEV_PA);
	const uint64_t va = 0x10000;

	/* Not a frame capability. */
	const unsigned types[] = {CAP_NULL,	CAP_POOL,	  CAP_ASPACE, CAP_THREAD,
				  CAP_ENDPOINT, CAP_NOTIFICATION, CAP_IRQ,    CAP_CSPACE,
				  CAP_DEBUG,	CAP_NTYPES,	  255};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cap_t c = frame_cap(types[i], RIGHTS_ALL, w.f[0]);
		CHECK_REJECT(decode_aspace_map(as, &c, va, RIGHT_READ, &op_), E_TYPE);
	}

	/* Misaligned (0xfff is below USER_BASE too, but alignment is the
	 * first rule of kern/aspace.c and of docs/SYSCALLS.md). */
	const uint64_t odd[] = {0x1001,	      0x1800,	    0xfff,     0x10008,
				USER_TOP - 1, USER_TOP + 1, UINT64_MAX};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		CHECK_REJECT(decode_aspace_map(as, &all, odd[i], RIGHT_READ, &op_), E_INVAL);
		CHECK_REJECT(decode_aspace_map(as, &dev, odd[i], RIGHT_READ, &op_), E_INVAL);
	}

	/* Outside [0x1000, 2^38). */
	const uint64_t far[] = {0,	   USER_TOP,  USER_TOP + PAGE_SIZE,
				1UL << 39, 1UL << 63, UINT64_MAX - PAGE_MASK};
	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		CHECK_REJECT(decode_aspace_map(as, &all, far[i], RIGHT_READ, &op_), E_RANGE);
		CHECK_REJECT(decode_aspace_map(as, &dev, far[i], RIGHT_READ, &op_), E_RANGE);
	}

	/* Malformed rights, even when the capability has them all. */
	const uint64_t bad[] = {0,
				RIGHT_GRANT,
				RIGHT_READ | RIGHT_GRANT,
				16,
				RIGHT_READ | 0x100,
				RIGHT_READ | (1ULL << 32),
				RIGHT_READ | (1ULL << 63),
				UINT64_MAX,
				RIGHT_WRITE,		  /* W without R */
				RIGHT_WRITE | RIGHT_EXEC, /* W without R, and W+X */
				RWX};			  /* W+X */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_REJECT(decode_aspace_map(as, &all, va, bad[i], &op_), E_INVAL);
		CHECK_REJECT(decode_aspace_map(as, &dev, va, bad[i], &op_), E_INVAL);
	}

	/* Rights the capability lacks. */
	CHECK_REJECT(decode_aspace_map(as, &ro, va, RW, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_map(as, &ro, va, RX, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_map(as, &ro, va, RIGHT_EXEC, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_map(as, &rw, va, RIGHT_EXEC, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_map(as, &dev, va, RW, &op_), E_PERM);
	cap_t none = frame_cap(CAP_FRAME, 0, w.f[0]);
	CHECK_REJECT(decode_aspace_map(as, &none, va, RIGHT_READ, &op_), E_PERM);
	cap_t grant = frame_cap(CAP_FRAME, RIGHT_GRANT | RIGHT_WRITE, w.f[0]);
	CHECK_REJECT(decode_aspace_map(as, &grant, va, RW, &op_), E_PERM);

	/* Already mapped: whatever frame, whatever rights. */
	MAP(as, &rw, va, RW);
	CHECK_EQ(frame_refs(w.f[1]), 2);
	CHECK_REJECT(decode_aspace_map(as, &rw, va, RW, &op_), E_EXISTS);
	CHECK_REJECT(decode_aspace_map(as, &all, va, RIGHT_READ, &op_), E_EXISTS);
	CHECK_REJECT(decode_aspace_map(as, &dev, va, RIGHT_READ, &op_), E_EXISTS);
	CHECK_EQ(leaf(as->root, va), expect_pte(w.f[1], RW));

	/* The edges of the user range are fine. */
	MAP(as, &all, USER_BASE, RIGHT_READ);
	MAP(as, &all, USER_TOP - PAGE_SIZE, RX);
	CHECK_EQ(aspace_query(as, USER_BASE), RIGHT_READ);
	CHECK_EQ(aspace_query(as, USER_TOP - PAGE_SIZE), RX);
	CHECK_REJECT(decode_aspace_map(as, &all, USER_TOP - PAGE_SIZE, RIGHT_READ, &op_), E_EXISTS);
	CHECK_EQ(frame_refs(w.f[0]), 3);
	WORLD_END(&w);
}

/* Page tables are paid for by the aspace's pool: exact quota works, one
 * short is E_NOMEM with nothing changed. */
static void test_map_nomem_exact(void)
{
	world_t w;
	world_begin(&w, __func__, 2);
	aspace_t *as = w.as;
	pool_t *p = w.pool;
	cap_t c = frame_cap(CAP_FRAME, RW, w.f[0]);
	const uint64_t a = 5 * GIB + 7 * MIB2 + 3 * PAGE_SIZE; /* empty 1 GiB */
	const uint64_t b = a + 9 * PAGE_SIZE;		       /* same 2 MiB */
	const uint64_t d = a + 100 * MIB2;		       /* same 1 GiB */
	const uint64_t e = 17 * GIB;			       /* another 1 GiB */
	CHECK_EQ(p->used, 2);
	CHECK_EQ(arch_pt_tables_needed(as->root, a), 2);

	/* First mapping in an empty 1 GiB region: 2 tables. */
	p->quota = 3;
	CHECK_REJECT(decode_aspace_map(as, &c, a, RW, &op_), E_NOMEM);
	p->quota = 4;
	MAP(as, &c, a, RW);
	CHECK_EQ(p->used, 4);
	CHECK_EQ(as->tables, 2);
	CHECK_EQ(user_tables(as->root, NULL, 0), 2);

	/* A neighbour in the same 2 MiB: no table, so a full quota is fine. */
	CHECK_EQ(arch_pt_tables_needed(as->root, b), 0);
	MAP(as, &c, b, RIGHT_READ);
	CHECK_EQ(p->used, 4);
	CHECK_EQ(as->tables, 2);

	/* Another 2 MiB of the same 1 GiB: one table. */
	CHECK_EQ(arch_pt_tables_needed(as->root, d), 1);
	CHECK_REJECT(decode_aspace_map(as, &c, d, RW, &op_), E_NOMEM);
	p->quota = 5;
	MAP(as, &c, d, RW);
	CHECK_EQ(p->used, 5);
	CHECK_EQ(as->tables, 3);

	/* Another 1 GiB: two again; an ancestor's quota counts too. */
	CHECK_EQ(arch_pt_tables_needed(as->root, e), 2);
	p->quota = 6;
	CHECK_REJECT(decode_aspace_map(as, &c, e, RW, &op_), E_NOMEM);
	p->quota = 100;
	uint64_t rq = w.root->quota;
	w.root->quota = w.root->used + 1;
	CHECK_REJECT(decode_aspace_map(as, &c, e, RW, &op_), E_NOMEM);
	w.root->quota = w.root->used + 2;
	MAP(as, &c, e, RW);
	w.root->quota = rq;
	CHECK_EQ(p->used, 7);
	CHECK_EQ(as->tables, 5);
	CHECK_EQ(user_tables(as->root, NULL, 0), 5);

	/* Quota to spare but no RAM left. */
	paddr_t grab[NPAGES];
	size_t n = 0;
	while (frame_free_count() > 1)
		must(frame_alloc(FRAME_KERNEL, &grab[n++]), "grab");
	CHECK_REJECT(decode_aspace_map(as, &c, 100 * GIB, RW, &op_), E_NOMEM);
	MAP(as, &c, a + PAGE_SIZE, RW); /* needs none */
	while (n)
		frame_unref(grab[--n]);

	CHECK_EQ(frame_refs(w.f[0]), 1 + 5);
	CHECK_EQ(as->leaves, 5);
	WORLD_END(&w);
}

/* ------------------------------------------------------- perform map --- */

static void test_map_pte(void)
{
	world_t w;
	world_begin(&w, __func__, 32);
	aspace_t *as = w.as;
	cap_t all = frame_cap(CAP_FRAME, RWX, w.f[0]);
	cap_t other = frame_cap(CAP_FRAME, RWX, w.f[1]);
	const struct {
		uint64_t va;
		unsigned rights;
		const cap_t *c;
	} m[] = {
	    {0x1000, RIGHT_READ, &all},
	    {0x2000, RW, &all},
	    {0x3000, RX, &all},
	    {0x4000, RIGHT_EXEC, &all},
	    {3 * GIB + 5 * MIB2 + 0x7000, RW, &other},
	    {USER_TOP - PAGE_SIZE, RIGHT_READ, &other},
	};
	const size_t nm = sizeof(m) / sizeof(m[0]);
	uint64_t used0 = w.pool->used;
	size_t free0 = frame_free_count();
	for (size_t i = 0; i < nm; i++) {
		uint32_t refs = frame_refs(m[i].c->pa);
		aspace_op_t op;
		CHECK_EQ(decode_aspace_map(as, m[i].c, m[i].va, m[i].rights, &op), 0);
		CHECK_EQ(op.label, ASPACE_MAP);
		CHECK(op.as == as && op.va == m[i].va && op.pa == m[i].c->pa && op.ram);
		watch(as, m[i].c->pa);
		perform_aspace_op(&op);
		CHECK_EQ(nfences, 0); /* a new mapping needs no fence */
		CHECK_EQ(frame_refs(m[i].c->pa), refs + 1);
		CHECK_EQ(as->leaves, i + 1);
	}
	/* Tables: 1 L1 + 1 L0 for 0..2 MiB, 2 for 3 GiB, 2 for the top. */
	CHECK_EQ(as->tables, 6);
	CHECK_EQ(w.pool->used, used0 + 6);
	CHECK_EQ(frame_free_count(), free0 - 6);
	CHECK_EQ(user_tables(as->root, NULL, 0), 6);
	for (size_t i = 0; i < nm; i++) {
		pte_t e = leaf(as->root, m[i].va);
		CHECK_EQ(e, expect_pte(m[i].c->pa, m[i].rights));
		CHECK((e & (PTE_V | PTE_U | PTE_A | PTE_D)) == (PTE_V | PTE_U | PTE_A | PTE_D));
		CHECK(!(e & PTE_G) && !(e & PTE_COW));
		CHECK_EQ(PTE_PA(e), m[i].c->pa);
		CHECK_EQ(aspace_query(as, m[i].va), m[i].rights);
		CHECK_EQ(aspace_query(as, m[i].va + 0x123), m[i].rights);
		CHECK_EQ(aspace_query(as, m[i].va + PAGE_MASK), m[i].rights);
	}
	CHECK_EQ(frame_refs(w.f[0]), 1 + 4);
	CHECK_EQ(frame_refs(w.f[1]), 1 + 2);
	CHECK_EQ(aspace_query(as, 0x5000), 0);
	CHECK_EQ(aspace_query(as, 0), 0);
	CHECK_EQ(aspace_query(as, 7 * GIB), 0);
	CHECK_EQ(aspace_query(as, USER_TOP), 0);
	CHECK_EQ(aspace_query(as, UINT64_MAX), 0);
	/* The kernel half is untouched. */
	CHECK_EQ(memcmp(pt(as->root) + 256, pt(KROOT) + 256, 256 * sizeof(pte_t)), 0);

	/* A device frame: mapped like RAM, no reference, frame table alone. */
	cap_t dev = frame_cap(CAP_DEVFRAME, RW, DEV_PA);
	aspace_op_t op;
	CHECK_EQ(decode_aspace_map(as, &dev, 0x5000, RW, &op), 0);
	CHECK(!op.ram && op.pa == DEV_PA);
	snap_t before;
	snap_take(&before);
	perform_aspace_op(&op);
	CHECK_EQ(memcmp(snap_ftab, storage, storage_bytes), 0);
	CHECK_EQ(frame_free_count(), before.free);
	CHECK_EQ(leaf(as->root, 0x5000), expect_pte(DEV_PA, RW));
	CHECK_EQ(aspace_query(as, 0x5000), RW);
	CHECK_EQ(as->leaves, nm + 1);
	/* ... also where it needs tables (charged like any). */
	MAP(as, &dev, 9 * GIB, RIGHT_READ);
	CHECK_EQ(leaf(as->root, 9 * GIB), expect_pte(DEV_PA, RIGHT_READ));
	CHECK_EQ(as->tables, 8);
	CHECK_EQ(w.pool->used, used0 + 8);
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
}

/* ------------------------------------------------------------- unmap --- */

static void test_unmap(void)
{
	world_t w;
	world_begin(&w, __func__, 32);
	aspace_t *as = w.as;
	cap_t c0 = frame_cap(CAP_FRAME, RW, w.f[0]);
	cap_t c1 = frame_cap(CAP_FRAME, RW, w.f[1]);
	cap_t dev = frame_cap(CAP_DEVFRAME, RW, DEV_PA);
	cap_t c2 = frame_cap(CAP_FRAME, RW, w.f[2]);
	const uint64_t va = 2 * GIB + 0x10000;
	MAP(as, &c0, va, RW);
	MAP(as, &c1, va + PAGE_SIZE, RIGHT_READ);
	MAP(as, &dev, va + 2 * PAGE_SIZE, RW);
	MAP(as, &c2, va + 5 * PAGE_SIZE, RW); /* keeps the group (and table) in use */

	/* Rejects. */
	const uint64_t odd[] = {va + 1, va + 0x800, 0xfff, USER_TOP - 1, UINT64_MAX};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		CHECK_REJECT(decode_aspace_unmap(as, odd[i], &op_), E_INVAL);
	const uint64_t far[] = {0, USER_TOP, USER_TOP + va, UINT64_MAX - PAGE_MASK};
	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++)
		CHECK_REJECT(decode_aspace_unmap(as, far[i], &op_), E_RANGE);
	CHECK_REJECT(decode_aspace_unmap(as, USER_BASE, &op_), E_NOENT);	  /* no tables */
	CHECK_REJECT(decode_aspace_unmap(as, va + MIB2, &op_), E_NOENT);	  /* no L0 */
	CHECK_REJECT(decode_aspace_unmap(as, va + 3 * PAGE_SIZE, &op_), E_NOENT); /* empty leaf */
	CHECK_REJECT(decode_aspace_unmap(as, va - PAGE_SIZE, &op_), E_NOENT);

	/* A frame still held elsewhere: the PTE goes, then the fence, then
	 * the reference. */
	aspace_op_t op;
	CHECK_EQ(decode_aspace_unmap(as, va, &op), 0);
	CHECK(op.label == ASPACE_UNMAP && op.pa == w.f[0] && op.ram);
	CHECK_EQ(frame_refs(w.f[0]), 2);
	watch(as, w.f[0]);
	perform_aspace_op(&op);
	CHECK_EQ(nfences, 1);
	CHECK_EQ(fences[0].va, va);
	CHECK_EQ(fences[0].pte, 0);  /* cleared before the fence */
	CHECK_EQ(fences[0].refs, 2); /* reference dropped after it */
	CHECK_EQ(frame_refs(w.f[0]), 1);
	CHECK_EQ(leaf(as->root, va), 0);
	CHECK_EQ(aspace_query(as, va), 0);
	CHECK_EQ(as->leaves, 3);
	CHECK_EQ(leaf(as->root, va + PAGE_SIZE), expect_pte(w.f[1], RIGHT_READ));
	CHECK_REJECT(decode_aspace_unmap(as, va, &op_), E_NOENT);

	/* The mapping holds the last reference: the frame is freed and its
	 * payer (fpool) uncharged, after the fence. */
	user_frame_unref(w.f[1]);
	w.held[1] = false;
	CHECK_EQ(frame_refs(w.f[1]), 1);
	uint64_t fused = w.fpool->used;
	uint32_t frefs = w.fpool->obj.refs;
	size_t free0 = frame_free_count();
	watch(as, w.f[1]);
	UNMAP(as, va + PAGE_SIZE);
	CHECK_EQ(nfences, 1);
	CHECK_EQ(fences[0].va, va + PAGE_SIZE);
	CHECK_EQ(fences[0].pte, 0);
	CHECK_EQ(fences[0].refs, 1);
	CHECK_EQ(fences[0].kind, FRAME_USER);
	CHECK_EQ(frame_kind(w.f[1]), FRAME_FREE);
	CHECK_EQ(frame_refs(w.f[1]), 0);
	CHECK_EQ(w.fpool->used, fused - 1);
	CHECK_EQ(w.fpool->obj.refs, frefs - 1);
	CHECK_EQ(frame_free_count(), free0 + 1);
	CHECK_EQ(as->leaves, 2);

	/* A device frame: fenced, no frame table change. */
	CHECK_EQ(decode_aspace_unmap(as, va + 2 * PAGE_SIZE, &op), 0);
	CHECK(!op.ram && op.pa == DEV_PA);
	watch(as, 0);
	snap_t before;
	snap_take(&before);
	perform_aspace_op(&op);
	CHECK_EQ(nfences, 1);
	CHECK_EQ(fences[0].pte, 0);
	CHECK_EQ(memcmp(snap_ftab, storage, storage_bytes), 0);
	CHECK_EQ(as->leaves, 1);

	/* Tables stay while a leaf is left in them ... */
	CHECK_EQ(as->tables, 2);
	CHECK_EQ(user_tables(as->root, NULL, 0), 2);
	CHECK_EQ(nflush_all, 0);

	/* ... and go with the last one: the level-0 table, then the level-1
	 * table above it, back to the pool, and the whole TLB fenced (a
	 * one-page fence does not cover cached interior entries). */
	uint64_t used = w.pool->used;
	free0 = frame_free_count();
	watch(as, 0);
	UNMAP(as, va + 5 * PAGE_SIZE);
	CHECK_EQ(nflush_all, 1);
	CHECK_EQ(nfences, 0);
	CHECK_EQ(as->leaves, 0);
	CHECK_EQ(as->tables, 0);
	CHECK_EQ(user_tables(as->root, NULL, 0), 0);
	CHECK_EQ(w.pool->used, used - 2);
	CHECK_EQ(frame_free_count(), free0 + 2);
	CHECK_EQ(leaf(as->root, va + 5 * PAGE_SIZE), 0);
	CHECK_REJECT(decode_aspace_unmap(as, va + 5 * PAGE_SIZE, &op_), E_NOENT);

	/* The page can be mapped again (new tables). */
	MAP(as, &c0, va, RIGHT_READ);
	CHECK_EQ(frame_refs(w.f[0]), 2);
	CHECK_EQ(as->tables, 2);
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
}

/* ----------------------------------------------------------- protect --- */

static void test_protect(void)
{
	world_t w;
	world_begin(&w, __func__, 32);
	aspace_t *as = w.as;
	cap_t c = frame_cap(CAP_FRAME, RWX, w.f[0]);
	const uint64_t r = 0x40000, rw = 0x41000, rx = 0x42000, x = 0x43000;
	MAP(as, &c, r, RIGHT_READ);
	MAP(as, &c, rw, RW);
	MAP(as, &c, rx, RX);
	MAP(as, &c, x, RIGHT_EXEC);

	/* Not mapped. */
	CHECK_REJECT(decode_aspace_protect(as, 0x44000, RIGHT_READ, &op_), E_NOENT);
	CHECK_REJECT(decode_aspace_protect(as, 0x40000000, RIGHT_READ, &op_), E_NOENT);
	CHECK_REJECT(decode_aspace_protect(as, USER_BASE + 5 * MIB2, RIGHT_READ, &op_), E_NOENT);
	/* Validity as for map. */
	const uint64_t odd[] = {rw + 1, rw + 0x800, 0xfff, USER_TOP - 1};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		CHECK_REJECT(decode_aspace_protect(as, odd[i], RIGHT_READ, &op_), E_INVAL);
	const uint64_t far[] = {0, USER_TOP, UINT64_MAX - PAGE_MASK};
	for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++)
		CHECK_REJECT(decode_aspace_protect(as, far[i], RIGHT_READ, &op_), E_RANGE);
	const uint64_t bad[] = {0,
				RIGHT_GRANT,
				RIGHT_READ | RIGHT_GRANT,
				RIGHT_READ | (1ULL << 40),
				RIGHT_WRITE,
				RIGHT_WRITE | RIGHT_EXEC,
				RWX};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_REJECT(decode_aspace_protect(as, rw, bad[i], &op_), E_INVAL);
		CHECK_REJECT(decode_aspace_protect(as, rx, bad[i], &op_), E_INVAL);
	}
	/* Only removes rights. */
	CHECK_REJECT(decode_aspace_protect(as, r, RW, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_protect(as, r, RX, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_protect(as, r, RIGHT_EXEC, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_protect(as, rw, RX, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_protect(as, rx, RW, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_protect(as, x, RIGHT_READ, &op_), E_PERM);
	CHECK_REJECT(decode_aspace_protect(as, x, RX, &op_), E_PERM);

	/* R|W -> R: W goes, every other bit stays, the page is fenced, the
	 * frame's count is untouched. */
	uint32_t refs = frame_refs(w.f[0]);
	pte_t old = leaf(as->root, rw);
	watch(as, w.f[0]);
	PROTECT(as, rw, RIGHT_READ);
	pte_t now = leaf(as->root, rw);
	CHECK_EQ(now, old & ~PTE_W);
	CHECK_EQ(now, expect_pte(w.f[0], RIGHT_READ));
	CHECK_EQ(nfences, 1);
	CHECK_EQ(fences[0].va, rw);
	CHECK_EQ(fences[0].pte, now); /* changed before the fence */
	CHECK_EQ(fences[0].refs, refs);
	CHECK_EQ(frame_refs(w.f[0]), refs);
	CHECK_EQ(aspace_query(as, rw), RIGHT_READ);
	CHECK_REJECT(decode_aspace_protect(as, rw, RW, &op_), E_PERM); /* no way back */

	/* R|X -> X and R|X -> R (two pages), R -> R (allowed, a no-op). */
	old = leaf(as->root, rx);
	watch(as, w.f[0]);
	PROTECT(as, rx, RIGHT_EXEC);
	CHECK_EQ(leaf(as->root, rx), old & ~PTE_R);
	CHECK_EQ(aspace_query(as, rx), RIGHT_EXEC);
	CHECK_EQ(nfences, 1);
	MAP(as, &c, rx + 0x10000, RX);
	PROTECT(as, rx + 0x10000, RIGHT_READ);
	CHECK_EQ(leaf(as->root, rx + 0x10000), expect_pte(w.f[0], RIGHT_READ));
	old = leaf(as->root, r);
	PROTECT(as, r, RIGHT_READ);
	CHECK_EQ(leaf(as->root, r), old);
	CHECK_EQ(as->leaves, 5);
	CHECK_EQ(frame_refs(w.f[0]), 1 + 5);

	/* A copy-on-write leaf (R in the PTE, W in logic): protect keeps it
	 * COW while W is kept, and drops COW with W (kern/aspace.h). */
	CHECK_EQ(aspace_map_frame(as, 0x50000, w.f[2], VM_READ | VM_COW), 0);
	CHECK_EQ(leaf(as->root, 0x50000), expect_pte(w.f[2], RIGHT_READ) | PTE_COW);
	CHECK_EQ(aspace_query(as, 0x50000), RW);
	CHECK_REJECT(decode_aspace_protect(as, 0x50000, RX, &op_), E_PERM);
	PROTECT(as, 0x50000, RW);
	CHECK_EQ(leaf(as->root, 0x50000), expect_pte(w.f[2], RIGHT_READ) | PTE_COW);
	PROTECT(as, 0x50000, RIGHT_READ);
	CHECK_EQ(leaf(as->root, 0x50000), expect_pte(w.f[2], RIGHT_READ));
	CHECK_EQ(aspace_query(as, 0x50000), RIGHT_READ);
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
}

/* --------------------------------------------------- aspace_map_frame --- */

static void test_map_frame(void)
{
	world_t w;
	world_begin(&w, __func__, 2);
	aspace_t *as = w.as;
	const uint64_t va = 4 * GIB + 0x3000;
	snap_t before;

	/* No quota for the two tables: E_NOMEM, nothing changed. */
	snap_take(&before);
	CHECK_EQ(aspace_map_frame(as, va, w.f[0], VM_READ | VM_EXEC), E_NOMEM);
	CHECK_UNCHANGED(&before);
	w.pool->quota = 4;
	CHECK_EQ(aspace_map_frame(as, va, w.f[0], VM_READ | VM_EXEC), 0);
	CHECK_EQ(leaf(as->root, va), expect_pte(w.f[0], RX));
	CHECK_EQ(frame_refs(w.f[0]), 2);
	CHECK_EQ(as->leaves, 1);
	CHECK_EQ(as->tables, 2);
	CHECK_EQ(w.pool->used, 4);
	snap_take(&before);
	CHECK_EQ(aspace_map_frame(as, va, w.f[1], VM_READ), E_EXISTS);
	CHECK_UNCHANGED(&before);
	CHECK_EQ(aspace_map_frame(as, va + PAGE_SIZE, w.f[1], VM_READ | VM_WRITE), 0);
	CHECK_EQ(aspace_query(as, va + PAGE_SIZE), RW);

	/* A kernel frame (as the initrd is mapped): pinned, never freed by
	 * the aspace. */
	paddr_t k;
	must(frame_alloc(FRAME_KERNEL, &k), "kernel frame");
	CHECK_EQ(aspace_map_frame(as, va + 2 * PAGE_SIZE, k, VM_READ), 0);
	CHECK_EQ(frame_refs(k), 2);
	kobj_unref(&as->obj);
	w.as = NULL;
	CHECK_EQ(frame_refs(k), 1);
	CHECK_EQ(frame_kind(k), FRAME_KERNEL);
	CHECK_EQ(frame_refs(w.f[0]), 1);
	CHECK_EQ(frame_refs(w.f[1]), 1);
	frame_unref(k);
	WORLD_END(&w);
}

/* ------------------------------------------------------------ destroy --- */

static void test_destroy(void)
{
	world_t w;
	world_begin(&w, __func__, 200);
	aspace_t *as = w.as;
	const uint64_t gib[] = {0, 1, 37, 128, 255};
	const uint64_t mib2[] = {0, 1, 300, 511};
	size_t expect_tables = 0, expect_leaves = 0;
	uint32_t expect_refs[NF] = {0};
	unsigned k = 0;

	/* f[7]: its only reference will be the mappings'. */
	cap_t c7 = frame_cap(CAP_FRAME, RWX, w.f[7]);
	MAP(as, &c7, 0x7000, RIGHT_READ);
	expect_leaves++;
	user_frame_unref(w.f[7]);
	w.held[7] = false;

	for (size_t g = 0; g < 5; g++) {
		expect_tables++; /* its L1 table */
		for (size_t m = 0; m < 4; m++) {
			expect_tables++; /* this 2 MiB's L0 table */
			for (uint64_t p = 1; p <= 3; p++) {
				uint64_t va = gib[g] * GIB + mib2[m] * MIB2 + p * 0x5000;
				CHECK(va < USER_TOP); /* 255 GiB + 511 * 2 MiB + 0xf000 */
				unsigned i = k++ % 6;
				cap_t c = frame_cap(CAP_FRAME, RWX, w.f[i]);
				const unsigned rights[] = {RIGHT_READ, RW, RX};
				MAP(as, &c, va, rights[p - 1]);
				expect_refs[i]++;
				expect_leaves++;
			}
		}
	}
	/* Kernel-internal mappings and a device frame. */
	CHECK_EQ(aspace_map_frame(as, 0x8000, w.f[7], VM_READ), 0);
	CHECK_EQ(aspace_map_frame(as, 200 * GIB, w.f[6], VM_READ | VM_WRITE), 0);
	expect_refs[6]++;
	expect_tables += 2;
	cap_t dev = frame_cap(CAP_DEVFRAME, RW, DEV_PA);
	MAP(as, &dev, 0x9000, RW);
	MAP(as, &dev, 37 * GIB + 0x9000, RW);
	expect_leaves += 4;

	CHECK_EQ(as->tables, expect_tables);
	CHECK_EQ(as->leaves, expect_leaves);
	paddr_t tables[64];
	CHECK_EQ(user_tables(as->root, tables, 64), expect_tables);
	CHECK_EQ(w.pool->used, 2 + expect_tables);
	for (unsigned i = 0; i < 7; i++)
		CHECK_EQ(frame_refs(w.f[i]), 1 + expect_refs[i]);
	CHECK_EQ(frame_refs(w.f[7]), 2);
	CHECK_EQ(frame_check(true), 0);

	/* Destroy an aspace that is active on this hart: back to the
	 * kernel's table first. */
	uint64_t fused = w.fpool->used;
	size_t free0 = frame_free_count();
	aspace_activate(as);
	CHECK_EQ(nactivate, 1);
	CHECK_EQ(last_activate, as->root);
	CHECK(this_cpu()->cur_aspace == as);
	paddr_t root = as->root, obj = kva2pa(as);
	kobj_unref(&as->obj);
	w.as = NULL;
	CHECK_EQ(nactivate, 2);
	CHECK_EQ(last_activate, KROOT);
	CHECK(this_cpu()->cur_aspace == NULL);
	CHECK_EQ(live(CAP_ASPACE), 0);
	CHECK_EQ(w.pool->used, 0);
	CHECK_EQ(w.pool->obj.refs, 1);
	for (size_t t = 0; t < expect_tables; t++)
		CHECK_EQ(frame_kind(tables[t]), FRAME_FREE);
	CHECK_EQ(frame_kind(root), FRAME_FREE);
	CHECK_EQ(frame_kind(obj), FRAME_FREE);
	for (unsigned i = 0; i < 7; i++)
		CHECK_EQ(frame_refs(w.f[i]), 1);
	CHECK_EQ(frame_kind(w.f[7]), FRAME_FREE);
	CHECK_EQ(w.fpool->used, fused - 1);
	CHECK_EQ(frame_free_count(), free0 + 2 + expect_tables + 1);
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
}

/* A boot address space (no pool): tables come straight from the frame
 * table and all go back. */
static void test_destroy_boot(void)
{
	setup(__func__);
	size_t free0 = frame_free_count();
	aspace_t *as;
	paddr_t f;
	CHECK_EQ(aspace_create(NULL, &as), 0);
	must(frame_alloc(FRAME_USER, &f), "frame");
	cap_t c = frame_cap(CAP_FRAME, RW, f);
	MAP(as, &c, 0x1000, RW);
	MAP(as, &c, 3 * GIB, RIGHT_READ);
	CHECK_EQ(aspace_map_frame(as, 3 * GIB + MIB2, f, VM_READ), 0);
	CHECK_EQ(as->tables, 5);
	CHECK_EQ(frame_free_count(), free0 - 2 - 1 - 5);
	CHECK_EQ(frame_refs(f), 4);
	UNMAP(as, 0x1000);
	CHECK_EQ(frame_refs(f), 3);
	kobj_unref(&as->obj);
	CHECK_EQ(frame_refs(f), 1);
	CHECK_EQ(nactivate, 0); /* not active: no satp write */
	frame_unref(f);
	CHECK_ALL_FREE();
}

/* ------------------------------------------------------------- audit --- */

/*
 * A small world in which every reference is one the audit can see: every
 * object and frame the test holds is a capability in one cspace, which
 * holds a capability to itself.  aspace a maps frames and zero pages and
 * is cloned copy-on-write into b, which then takes a copy.
 */
typedef struct aworld {
	pool_t *root, *pool;
	cspace_t *cs;
	aspace_t *a, *b;
	paddr_t f[3];
} aworld_t;

static void put_obj(cspace_t *cs, uint64_t slot, kobj_t *o)
{
	cap_t c = {.type = (uint8_t)o->type, .rights = RIGHTS_ALL};
	c.obj = o;
	cspace_install(cspace_slot(cs, slot), &c);
}

static void aworld_begin(aworld_t *w, const char *name)
{
	setup(name);
	memset(w, 0, sizeof(*w));
	aspace_init_zero_frame();
	w->root = pool_create_root();
	must(pool_create(w->root, 300, &w->pool), "pool");
	must(cspace_create(w->pool, 200, &w->cs), "cspace");
	must(aspace_create(w->pool, &w->a), "aspace a");
	must(aspace_create(w->pool, &w->b), "aspace b");
	put_obj(w->cs, 0, &w->cs->obj);
	put_obj(w->cs, 1, &w->root->obj);
	put_obj(w->cs, 2, &w->pool->obj);
	put_obj(w->cs, 3, &w->a->obj);
	put_obj(w->cs, 4, &w->b->obj);
	for (unsigned i = 0; i < 3; i++) {
		must(pool_alloc_frame(w->pool, FRAME_USER, &w->f[i]), "frame");
		cap_t c = frame_cap(CAP_FRAME, RW, w->f[i]);
		cspace_install(cspace_slot(w->cs, 10 + i), &c);
	}
}

/* Map, share, clone and copy: the counts the audit must agree with. */
static int aworld_fill(aworld_t *w)
{
	aspace_op_t op;
	aspace_fill_t fill;
	aspace_clone_t clone;
	const cap_t *f0 = cspace_slot(w->cs, 10), *f1 = cspace_slot(w->cs, 11);
	int err;

	if ((err = decode_aspace_map(w->a, f0, 0x10000, RW, &op)))
		return err;
	perform_aspace_op(&op);
	if ((err = decode_aspace_map(w->a, f1, 0x11000, RIGHT_READ, &op)))
		return err;
	perform_aspace_op(&op);
	if ((err = decode_aspace_map(w->a, f1, 3 * GIB, RW, &op)))
		return err;
	perform_aspace_op(&op);
	if ((err = decode_aspace_map_zero(w->a, 0x40000000, 4, RW, &fill)))
		return err;
	perform_aspace_fill(&fill);
	if ((err = decode_aspace_clone(w->a, w->b, 0, &clone)))
		return err;
	perform_aspace_clone(&clone);
	/* b copies one shared page and fills one zero page. */
	if ((err = aspace_cow_resolve(w->b, 0x10000)) ||
	    (err = aspace_cow_resolve(w->b, 0x40001000)))
		return err;
	return 0;
}

/* Deleting the cspace's capability to itself lets everything go. */
#define AWORLD_END(w)                                                                              \
	do {                                                                                       \
		cap_drop(cspace_slot((w)->cs, 0));                                                 \
		frame_unref(aspace_zero_frame);                                                    \
		CHECK_ALL_FREE();                                                                  \
	} while (0)

/* The audit passes on a sound world and changes nothing in the table. */
static void test_audit_sound(void)
{
	aworld_t w;
	aworld_begin(&w, __func__);
	CHECK_EQ(audit_kernel(), 0);
	CHECK_EQ(aworld_fill(&w), 0);
	CHECK(frame_refs(w.f[1]) == 5); /* cap, 2 leaves in a, 2 in b */
	CHECK(frame_refs(aspace_zero_frame) == 1 + 4 + 3);
	uint8_t *before = malloc(storage_bytes);
	if (!before)
		abort();
	memcpy(before, storage, storage_bytes);
	int err = audit_kernel();
	bool same = memcmp(before, storage, storage_bytes) == 0;
	free(before);
	CHECK_EQ(err, 0);
	CHECK(same);
	AWORLD_END(&w);
}

/* Run the audit with one count wrong (corrupt), then right again (fix):
 * it must fail, then pass. */
#define CHECK_CAUGHT(corrupt, fix)                                                                 \
	do {                                                                                       \
		corrupt;                                                                           \
		CHECK_EQ(audit_kernel(), E_CORRUPT);                                               \
		fix;                                                                               \
		CHECK_EQ(audit_kernel(), 0);                                                       \
	} while (0)

static void test_audit_catches(void)
{
	aworld_t w;
	aworld_begin(&w, __func__);
	CHECK_EQ(aworld_fill(&w), 0);
	CHECK_EQ(audit_kernel(), 0);

	frame_t *f1 = frame_entry(w.f[1]), *z = frame_entry(aspace_zero_frame);
	/* Frame reference counts one too high (a leak) or too low. */
	CHECK_CAUGHT(f1->refs++, f1->refs--);
	CHECK_CAUGHT(f1->refs--, f1->refs++);
	CHECK_CAUGHT(z->refs--, z->refs++); /* the pin forgotten */
	/* A page table with a second reference. */
	frame_t *root = frame_entry(w.b->root);
	CHECK_CAUGHT(root->refs++, root->refs--);
	/* Object reference counts, pool usage, object counts. */
	CHECK_CAUGHT(w.pool->obj.refs++, w.pool->obj.refs--);
	CHECK_CAUGHT(w.a->obj.refs--, w.a->obj.refs++);
	CHECK_CAUGHT(w.root->used++, w.root->used--);
	CHECK_CAUGHT(kobj_count(CAP_ENDPOINT, 1), kobj_count(CAP_ENDPOINT, -1));
	CHECK_CAUGHT(w.b->leaves++, w.b->leaves--);
	/* A capability naming a free frame, and one naming a page table. */
	paddr_t freepa;
	must(frame_alloc(FRAME_USER, &freepa), "frame");
	frame_unref(freepa);
	cap_t *c = cspace_slot(w.cs, 12);
	paddr_t saved = c->pa;
	CHECK_CAUGHT(c->pa = freepa, c->pa = saved);
	CHECK_CAUGHT(c->pa = w.a->root, c->pa = saved);
	/* A leaf moved to another frame; a leaf both writable and COW. */
	pte_t *l = leaf_pte(w.a->root, 0x11000), old = *l;
	CHECK_CAUGHT(*l = (old & ~(((1UL << 44) - 1) << PTE_PPN_SHIFT)) | PA_PTE(w.f[2]), *l = old);
	CHECK_CAUGHT(*l = old | PTE_W | PTE_COW, *l = old);
	/* A table whose occupancy summary misses a valid entry. */
	uint64_t *meta = frame_pt_meta(w.a->root), saved_meta = *meta;
	CHECK_CAUGHT(*meta = 0, *meta = saved_meta);
	AWORLD_END(&w);
}

/* ------------------------------------------------------------ SMP --- */

/*
 * In SMP mode every downgrade of a space that other harts have in satp
 * (its cpus mask, this hart being index 0) fences those harts, after the
 * leaf changed and before the frame's reference is dropped; upgrades and
 * spaces no other hart uses send nothing.  With one hart, nothing remote.
 */
static void test_smp_fences(void)
{
	world_t w;
	world_begin(&w, __func__, 32);
	aspace_t *as = w.as, *child;
	cap_t c0 = frame_cap(CAP_FRAME, RW, w.f[0]);
	cap_t c1 = frame_cap(CAP_FRAME, RW, w.f[1]);
	cap_t c2 = frame_cap(CAP_FRAME, RW, w.f[2]);
	const uint64_t va = 2 * GIB + 0x10000;
	const uint32_t others = CPU_BIT(2) | CPU_BIT(3);
	aspace_op_t op;
	aspace_clone_t cl;

	MAP(as, &c0, va, RW);
	MAP(as, &c1, va + PAGE_SIZE, RW);
	MAP(as, &c2, va + 2 * PAGE_SIZE, RW);

	/* One hart: no remote fence, whatever the mask says. */
	as->cpus = others;
	watch(as, w.f[0]);
	PROTECT(as, va, RIGHT_READ);
	CHECK_EQ(nfences, 1);
	CHECK_EQ(nrfences, 0);

	kern_smp = 1;
	as->cpus = CPU_BIT(0) | others;

	/* Protect (downgrade): the others fence the page, leaf already RO. */
	watch(as, w.f[1]);
	PROTECT(as, va + PAGE_SIZE, RIGHT_READ);
	CHECK_EQ(nrfences, 1);
	CHECK_EQ(rfence_mask[0], others); /* not this hart: it fenced itself */
	CHECK_EQ(rfences[0].va, va + PAGE_SIZE);
	CHECK_EQ(rfence_size[0], PAGE_SIZE);
	CHECK_EQ(rfences[0].pte, expect_pte(w.f[1], RIGHT_READ));

	/* Unmap: the leaf is gone and the reference still held when the
	 * other harts fence. */
	CHECK_EQ(decode_aspace_unmap(as, va, &op), 0);
	watch(as, w.f[0]);
	perform_aspace_op(&op);
	CHECK_EQ(nrfences, 1);
	CHECK_EQ(rfence_mask[0], others);
	CHECK_EQ(rfences[0].pte, 0);
	CHECK_EQ(rfences[0].refs, 2);
	CHECK_EQ(frame_refs(w.f[0]), 1);

	/* Clone: the source's writable leaf became COW; every other hart
	 * with the source fences all of it before the clone is done. */
	must(aspace_create(w.pool, &child), "child");
	CHECK_EQ(decode_aspace_clone(as, child, 0, &cl), 0);
	watch(as, w.f[2]);
	perform_aspace_clone(&cl);
	CHECK_EQ(nrfences, 1);
	CHECK_EQ(rfence_mask[0], others);
	CHECK_EQ(rfence_size[0], TLB_FLUSH_ALL);
	CHECK_EQ(frame_refs(w.f[2]), 3); /* the test, as, child */

	/* A COW copy replaces a leaf other threads' harts may cache: they
	 * fence with the copy in place and the old frame still referenced. */
	watch(as, w.f[2]);
	CHECK_EQ(aspace_cow_resolve(as, va + 2 * PAGE_SIZE), 0);
	CHECK_EQ(nrfences, 1);
	CHECK_EQ(rfence_mask[0], others);
	CHECK_EQ(rfences[0].va, va + 2 * PAGE_SIZE);
	CHECK(rfences[0].pte != 0 && PTE_PA(rfences[0].pte) != w.f[2] && (rfences[0].pte & PTE_W));
	CHECK_EQ(rfences[0].refs, 3);
	CHECK_EQ(frame_refs(w.f[2]), 2);

	/* The child's store: the last shared reference (the test's aside),
	 * so a copy too; nobody else has the child in satp: nothing remote. */
	child->cpus = CPU_BIT(0);
	watch(child, w.f[2]);
	CHECK_EQ(aspace_cow_resolve(child, va + 2 * PAGE_SIZE), 0);
	CHECK_EQ(nrfences, 0);

	/* A stale read-only entry after another hart made the leaf
	 * writable: resumed after a local fence, unless it keeps faulting;
	 * an unmapped address or a read-only leaf is a real fault. */
	watch(as, 0);
	CHECK(aspace_fault_spurious(as, va + 2 * PAGE_SIZE + 8, VM_WRITE));
	CHECK_EQ(nfences, 1);
	CHECK(!aspace_fault_spurious(as, va, VM_READ));		     /* unmapped */
	CHECK(!aspace_fault_spurious(as, va + PAGE_SIZE, VM_WRITE)); /* read-only */
	CHECK(aspace_fault_spurious(as, va + PAGE_SIZE, VM_READ));
	for (int i = 0; i < 8; i++)
		CHECK(aspace_fault_spurious(as, va + PAGE_SIZE, VM_READ));
	CHECK(!aspace_fault_spurious(as, va + PAGE_SIZE, VM_READ)); /* the 10th in a row */
	/* ... unless the space was downgraded in between (another hart's
	 * clone made the leaf COW again, and a third resolved it). */
	as->downgrades++;
	CHECK(aspace_fault_spurious(as, va + PAGE_SIZE, VM_READ));

	kern_smp = 0;
	as->cpus = child->cpus = 0;
	kobj_unref(&child->obj);
	WORLD_END(&w);
}

int main(void)
{
	RUN(test_create);
	RUN(test_map_rejects);
	RUN(test_map_nomem_exact);
	RUN(test_map_pte);
	RUN(test_unmap);
	RUN(test_protect);
	RUN(test_map_frame);
	RUN(test_destroy);
	RUN(test_destroy_boot);
	RUN(test_smp_fences);
	RUN(test_audit_sound);
	RUN(test_audit_catches);
	free(fake_ram);
	free(storage);
	free(snap_ram);
	free(snap_ftab);
	UNIT_EXIT();
}
