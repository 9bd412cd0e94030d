/*
 * Host tests for capability spaces, capabilities, pools and object
 * lifetime: kern/cspace.c, kern/cap.c, kern/pool.c and kern/kobj.c over
 * kern/frame.c and a fake physical memory.
 *
 * Every rejected decode_cspace_op must change nothing (slots compared
 * byte for byte, reference counts, pool charges, free frames, live
 * objects); every perform must keep references and charges exact; and
 * destroying a long chain of objects must be iterative.  The destroy
 * functions of the types these files do not own (address spaces,
 * threads, endpoints, notifications, IRQs) are stubs that only count
 * their calls and how deep in the stack they were called.
 */
#include <stdarg.h>
#include <string.h>

#include <abi/error.h>
#include <kern/aspace.h>
#include <kern/cspace.h>
#include <kern/endpoint.h>
#include <kern/frame.h>
#include <kern/irq.h>
#include <kern/kobj.h>
#include <kern/notification.h>
#include <kern/pool.h>
#include <kern/thread.h>

#include "unit.h"

UNIT_MAIN("cspace");

/* ------------------------------------------------------- fake memory --- */

/* fake_ram, fake_pa2kva, fake_kva2pa: test/unit/fake_ram.c */

/* ------------------------------------------- what the kernel needs --- */

/* panic, kprintf: test/unit/kern_stubs.c */

/* Destroy functions of the other object types: count the calls and keep
 * the lowest stack frame they were called from (the chain test checks
 * destruction does not recurse). */
static unsigned long destroyed[CAP_NTYPES];
static uintptr_t deepest_destroy;

__attribute__((noinline)) static void note_destroy(unsigned type)
{
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	destroyed[type]++;
	if (deepest_destroy == 0 || fp < deepest_destroy)
		deepest_destroy = fp;
}

void aspace_destroy(aspace_t *as)
{
	note_destroy(as->obj.type);
}
void thread_destroy(thread_t *t)
{
	note_destroy(t->obj.type);
}
void ep_destroy(endpoint_t *ep)
{
	note_destroy(ep->obj.type);
}
void ntfn_destroy(notification_t *n)
{
	note_destroy(n->obj.type);
}
void irq_destroy(irq_t *i)
{
	note_destroy(i->obj.type);
}

/* ------------------------------------------------------------ set-up --- */

#define BASE   0x80000000UL
#define NPAGES 4096 /* 16 MiB: room for the 1200-link chain */

static size_t npages;
static void *storage;
static unsigned long live0[CAP_NTYPES];

/* Fresh frame table over npages_ of fake RAM, all free. */
static void setup(const char *name, size_t npages_)
{
	unit_case = name;
	free(fake_ram);
	free(storage);
	npages = npages_;
	fake_ram_base = BASE;
	fake_ram_size = npages * PAGE_SIZE;
	fake_ram = malloc(fake_ram_size);
	memset(fake_ram, 0x5a, fake_ram_size);
	frame_range_t ram = {BASE, npages * PAGE_SIZE};
	storage = malloc(frame_table_bytes(&ram, 1));
	if (!fake_ram || !storage || frame_init(storage, &ram, 1))
		abort();
	frame_seal();
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		live0[t] = kobj_live(t);
	memset(destroyed, 0, sizeof(destroyed));
	deepest_destroy = 0;
}

/* Objects of a type alive now that were not alive at setup. */
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

static cap_t *slot(cspace_t *cs, uint64_t idx)
{
	cap_t *c = cspace_slot(cs, idx);
	if (!c)
		abort();
	return c;
}

static bool slot_empty(cspace_t *cs, uint64_t idx)
{
	static const cap_t zero;
	return memcmp(slot(cs, idx), &zero, sizeof(zero)) == 0;
}

/* Install a new capability (whose reference the caller passes on). */
static void give(cspace_t *cs, uint64_t idx, unsigned type, unsigned rights, uint64_t badge,
		 kobj_t *obj, paddr_t pa)
{
	cap_t c = {.type = (uint8_t)type, .rights = (uint8_t)rights, .badge = badge};
	if (type == CAP_FRAME || type == CAP_DEVFRAME)
		c.pa = pa;
	else
		c.obj = obj;
	cspace_install(slot(cs, idx), &c);
}

/* Every frame back, no object alive, the table consistent. */
#define CHECK_ALL_FREE()                                                                           \
	do {                                                                                       \
		CHECK_EQ(frame_free_count(), npages);                                              \
		for (unsigned t_ = 0; t_ < CAP_NTYPES; t_++)                                       \
			CHECK_EQ(live(t_), 0);                                                     \
		CHECK_EQ(frame_check(true), 0);                                                    \
	} while (0)

/*
 * The standard world: a root pool, a child pool (quota 64), a caller
 * cspace `a` (16 slots, charged to root, held by the test as a thread
 * would) and a second cspace `b` (8 slots, charged to the child), with
 *   a[1] endpoint, all rights        a[4] cspace b, all rights
 *   a[2] notification, R|W           a[5] child pool, all rights
 *   a[3] user frame, R|W             a[6] the endpoint again, badge 7, R|W|G
 * The endpoint, notification and frame are charged to the child.
 */
#define A_SLOTS 16
#define B_SLOTS 8
enum { S_EP = 1, S_NTFN, S_FRAME, S_CSB, S_POOL, S_EPB };

typedef struct world {
	pool_t *root, *child;
	cspace_t *a, *b;
	kobj_t *ep, *ntfn;
	paddr_t frame;
} world_t;

static void world_begin(world_t *w, const char *name)
{
	setup(name, NPAGES);
	w->root = pool_create_root();
	must(pool_create(w->root, 64, &w->child), "child pool");
	must(cspace_create(w->root, A_SLOTS, &w->a), "cspace a");
	must(cspace_create(w->child, B_SLOTS, &w->b), "cspace b");
	must(kobj_alloc(w->child, CAP_ENDPOINT, &w->ep), "endpoint");
	must(kobj_alloc(w->child, CAP_NOTIFICATION, &w->ntfn), "notification");
	must(pool_alloc_frame(w->child, FRAME_USER, &w->frame), "frame");
	give(w->a, S_EP, CAP_ENDPOINT, RIGHTS_ALL, 0, w->ep, 0);
	give(w->a, S_NTFN, CAP_NOTIFICATION, RIGHT_READ | RIGHT_WRITE, 0, w->ntfn, 0);
	give(w->a, S_FRAME, CAP_FRAME, RIGHT_READ | RIGHT_WRITE, 0, NULL, w->frame);
	give(w->a, S_CSB, CAP_CSPACE, RIGHTS_ALL, 0, &w->b->obj, 0);
	give(w->a, S_POOL, CAP_POOL, RIGHTS_ALL, 0, &w->child->obj, 0);
	kobj_ref(w->ep);
	give(w->a, S_EPB, CAP_ENDPOINT, RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT, 7, w->ep, 0);
}

/* Drop the test's references (cspace a, root pool): everything goes. */
#define WORLD_END(w)                                                                               \
	do {                                                                                       \
		kobj_unref(&(w)->a->obj);                                                          \
		CHECK_EQ((w)->root->used, 0);                                                      \
		CHECK_EQ((w)->root->obj.refs, 1);                                                  \
		kobj_unref(&(w)->root->obj);                                                       \
		CHECK_ALL_FREE();                                                                  \
	} while (0)

/* Everything a rejected operation must leave alone. */
typedef struct snap {
	cap_t a[A_SLOTS], b[B_SLOTS];
	uint32_t refs_root, refs_child, refs_a, refs_b, refs_ep, refs_ntfn, frame_refs;
	uint64_t used_root, used_child;
	size_t free;
	unsigned long live[CAP_NTYPES], destroyed[CAP_NTYPES];
} snap_t;

static void snap_take(const world_t *w, snap_t *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < A_SLOTS; i++)
		s->a[i] = *slot(w->a, i);
	for (unsigned i = 0; i < B_SLOTS; i++)
		s->b[i] = *slot(w->b, i);
	s->refs_root = w->root->obj.refs;
	s->refs_child = w->child->obj.refs;
	s->refs_a = w->a->obj.refs;
	s->refs_b = w->b->obj.refs;
	s->refs_ep = w->ep->refs;
	s->refs_ntfn = w->ntfn->refs;
	s->frame_refs = frame_refs(w->frame);
	s->used_root = w->root->used;
	s->used_child = w->child->used;
	s->free = frame_free_count();
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		s->live[t] = kobj_live(t);
	memcpy(s->destroyed, destroyed, sizeof(destroyed));
}

/* NULL if equal, else the first field that differs. */
static const char *snap_diff(const snap_t *x, const snap_t *y)
{
#define SAME(f)                                                                                    \
	if (memcmp(&x->f, &y->f, sizeof(x->f)))                                                    \
	return #f
	SAME(a);
	SAME(b);
	SAME(refs_root);
	SAME(refs_child);
	SAME(refs_a);
	SAME(refs_b);
	SAME(refs_ep);
	SAME(refs_ntfn);
	SAME(frame_refs);
	SAME(used_root);
	SAME(used_child);
	SAME(free);
	SAME(live);
	SAME(destroyed);
#undef SAME
	return NULL;
}

#define CHECK_UNCHANGED(w, before)                                                                 \
	do {                                                                                       \
		snap_t now_;                                                                       \
		snap_take(w, &now_);                                                               \
		const char *diff_ = snap_diff(before, &now_);                                      \
		if (diff_)                                                                         \
			printf("    changed: %s\n", diff_);                                        \
		CHECK(diff_ == NULL);                                                              \
	} while (0)

/* decode_cspace_op returns err and nothing at all changed. */
#define CHECK_REJECT(w, from, to, label, src, dst, rights, badge, err)                             \
	do {                                                                                       \
		snap_t before_;                                                                    \
		cspace_op_t op_;                                                                   \
		snap_take(w, &before_);                                                            \
		CHECK_EQ(decode_cspace_op(from, to, label, src, dst, rights, badge, &op_), err);   \
		CHECK_UNCHANGED(w, &before_);                                                      \
	} while (0)

/* Decode (must succeed) and perform. */
#define DO_OP(from, to, label, src, dst, rights, badge)                                            \
	do {                                                                                       \
		cspace_op_t op_;                                                                   \
		CHECK_EQ(decode_cspace_op(from, to, label, src, dst, rights, badge, &op_), 0);     \
		perform_cspace_op(&op_);                                                           \
	} while (0)

/* ------------------------------------------------------- cspace_create --- */

static void test_create_bad_sizes(void)
{
	world_t w;
	world_begin(&w, __func__);
	CHECK_EQ(cspace_frames(0), 0);
	CHECK_EQ(cspace_frames(CSPACE_MAX_SLOTS + 1), 0);
	CHECK_EQ(cspace_frames(UINT64_MAX), 0);
	uint64_t bad[] = {0, CSPACE_MAX_SLOTS + 1, 1ULL << 32, UINT64_MAX};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cspace_t *cs = (cspace_t *)0x1;
		snap_t before;
		snap_take(&w, &before);
		CHECK_EQ(cspace_create(w.child, bad[i], &cs), E_INVAL);
		CHECK_EQ(cspace_create(NULL, bad[i], &cs), E_INVAL);
		CHECK(cs == (cspace_t *)0x1);
		CHECK_UNCHANGED(&w, &before);
	}
	WORLD_END(&w);
}

/* 1 + ceil(n / CAPS_PER_PAGE) frames, charged up the chain, all returned. */
static void test_create_cost(void)
{
	setup(__func__, NPAGES);
	pool_t *root = pool_create_root(), *child;
	must(pool_create(root, 100, &child), "child");
	const uint64_t sizes[] = {
	    1, 2, CAPS_PER_PAGE, CAPS_PER_PAGE + 1, 2 * CAPS_PER_PAGE + 1, 1000, CSPACE_MAX_SLOTS};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i];
		size_t cost = 1 + (n + CAPS_PER_PAGE - 1) / CAPS_PER_PAGE;
		CHECK_EQ(cspace_frames(n), cost);
		size_t free0 = frame_free_count();
		uint64_t used_child = child->used, used_root = root->used;
		uint32_t refs = child->obj.refs;
		cspace_t *cs;
		CHECK_EQ(cspace_create(child, n, &cs), 0);
		CHECK_EQ(frame_free_count(), free0 - cost);
		CHECK_EQ(child->used, used_child + cost);
		CHECK_EQ(root->used, used_root + cost);
		CHECK_EQ(child->obj.refs, refs + 1);
		CHECK_EQ(live(CAP_CSPACE), 1);
		CHECK_EQ(cs->obj.refs, 1);
		CHECK(cs->obj.pool == child);
		CHECK_EQ(cs->nslots, n);
		CHECK_EQ(cs->npages, cost - 1);
		CHECK_EQ(frame_kind(kva2pa(cs)), FRAME_KOBJ);
		for (uint32_t p = 0; p < cs->npages; p++)
			CHECK_EQ(frame_kind(cs->pages[p]), FRAME_KOBJ);
		for (uint64_t s = 0; s < n; s++) {
			cap_t *c = (cap_t *)0x1;
			CHECK_EQ(cspace_lookup(cs, s, &c), E_BADCAP);
			CHECK(c == (cap_t *)0x1);
			CHECK(slot_empty(cs, s));
			CHECK_EQ(kva2pa(slot(cs, s)) & ~PAGE_MASK, cs->pages[s / CAPS_PER_PAGE]);
		}
		CHECK(cspace_slot(cs, n) == NULL);
		CHECK(cspace_slot(cs, UINT64_MAX) == NULL);
		kobj_unref(&cs->obj);
		CHECK_EQ(frame_free_count(), free0);
		CHECK_EQ(child->used, used_child);
		CHECK_EQ(root->used, used_root);
		CHECK_EQ(child->obj.refs, refs);
		CHECK_EQ(live(CAP_CSPACE), 0);
		CHECK_EQ(frame_check(true), 0);
	}

	/* The quota must cover the slot pages too: exactly enough, one short. */
	pool_t *tight;
	size_t cost = cspace_frames(CAPS_PER_PAGE + 1); /* 3 */
	must(pool_create(root, cost - 1, &tight), "tight");
	size_t free0 = frame_free_count();
	cspace_t *cs = (cspace_t *)0x1;
	CHECK_EQ(cspace_create(tight, CAPS_PER_PAGE + 1, &cs), E_NOMEM);
	CHECK(cs == (cspace_t *)0x1);
	CHECK_EQ(tight->used, 0);
	CHECK_EQ(tight->obj.refs, 1);
	CHECK_EQ(frame_free_count(), free0);
	CHECK_EQ(live(CAP_CSPACE), 0);
	tight->quota = cost;
	CHECK_EQ(cspace_create(tight, CAPS_PER_PAGE + 1, &cs), 0);
	CHECK_EQ(tight->used, cost);
	kobj_unref(&cs->obj);
	CHECK_EQ(tight->used, 0);

	/* Boot cspaces are charged to nobody. */
	uint64_t used_root = root->used;
	CHECK_EQ(cspace_create(NULL, 2 * CAPS_PER_PAGE, &cs), 0);
	CHECK(cs->obj.pool == NULL);
	CHECK_EQ(frame_free_count(), free0 - 3);
	CHECK_EQ(root->used, used_root);
	kobj_unref(&cs->obj);
	CHECK_EQ(frame_free_count(), free0);

	kobj_unref(&tight->obj);
	kobj_unref(&child->obj);
	CHECK_EQ(root->used, 0);
	kobj_unref(&root->obj);
	CHECK_ALL_FREE();
}

/* ---------------------------------------------------- decode rejects --- */

static void test_decode_rejects(void)
{
	world_t w;
	world_begin(&w, __func__);
	cspace_t *a = w.a, *b = w.b;
	const unsigned labels[] = {CSPACE_COPY, CSPACE_MINT, CSPACE_MOVE};

	for (size_t i = 0; i < 3; i++) {
		unsigned l = labels[i];
		/* Source out of range or empty. */
		CHECK_REJECT(&w, a, b, l, A_SLOTS, 0, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, a, b, l, 1ULL << 32, 0, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, a, b, l, UINT64_MAX, 0, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, a, b, l, 0, 0, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, a, b, l, 15, 0, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, b, a, l, 0, 8, RIGHTS_ALL, 5, E_BADCAP);
		/* Destination out of range (of the destination cspace). */
		CHECK_REJECT(&w, a, b, l, S_EP, B_SLOTS, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, a, b, l, S_EP, 10, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, a, a, l, S_EP, A_SLOTS, RIGHTS_ALL, 5, E_BADCAP);
		CHECK_REJECT(&w, a, b, l, S_EP, UINT64_MAX, RIGHTS_ALL, 5, E_BADCAP);
		/* Destination occupied. */
		CHECK_REJECT(&w, a, a, l, S_EP, S_NTFN, RIGHTS_ALL, 5, E_EXISTS);
		CHECK_REJECT(&w, a, a, l, S_EP, S_EPB, RIGHTS_ALL, 5, E_EXISTS);
	}
	/* Rights masks with bits outside RIGHTS_ALL (the mask is a COPY and
	 * MINT argument; MOVE has none). */
	const uint64_t bad_rights[] = {RIGHTS_ALL + 1, 0x100, 1ULL << 32, 1ULL << 63, UINT64_MAX};
	for (size_t i = 0; i < sizeof(bad_rights) / sizeof(bad_rights[0]); i++) {
		CHECK_REJECT(&w, a, b, CSPACE_COPY, S_EP, 0, bad_rights[i], 0, E_INVAL);
		CHECK_REJECT(&w, a, b, CSPACE_COPY, S_FRAME, 0, bad_rights[i], 0, E_INVAL);
		CHECK_REJECT(&w, a, b, CSPACE_MINT, S_EP, 0, bad_rights[i], 5, E_INVAL);
	}
	/* Mint: only endpoints and notifications carry badges. */
	CHECK_REJECT(&w, a, b, CSPACE_MINT, S_FRAME, 0, RIGHTS_ALL, 5, E_TYPE);
	CHECK_REJECT(&w, a, b, CSPACE_MINT, S_CSB, 0, RIGHTS_ALL, 5, E_TYPE);
	CHECK_REJECT(&w, a, b, CSPACE_MINT, S_POOL, 0, RIGHTS_ALL, 5, E_TYPE);
	/* Mint: a badge is non-zero and set once. */
	CHECK_REJECT(&w, a, b, CSPACE_MINT, S_EP, 0, RIGHTS_ALL, 0, E_INVAL);
	CHECK_REJECT(&w, a, b, CSPACE_MINT, S_NTFN, 0, RIGHTS_ALL, 0, E_INVAL);
	CHECK_REJECT(&w, a, b, CSPACE_MINT, S_EPB, 0, RIGHTS_ALL, 9, E_INVAL);
	CHECK_REJECT(&w, a, b, CSPACE_MINT, S_EPB, 0, RIGHTS_ALL, 7, E_INVAL);
	/* Delete: the slot (src) of the invoked cspace (to). */
	CHECK_REJECT(&w, a, a, CSPACE_DELETE, 0, 0, 0, 0, E_BADCAP);
	CHECK_REJECT(&w, a, a, CSPACE_DELETE, 15, 0, 0, 0, E_BADCAP);
	CHECK_REJECT(&w, a, a, CSPACE_DELETE, A_SLOTS, 0, 0, 0, E_BADCAP);
	CHECK_REJECT(&w, a, a, CSPACE_DELETE, UINT64_MAX, 0, 0, 0, E_BADCAP);
	CHECK_REJECT(&w, a, b, CSPACE_DELETE, 0, 0, 0, 0, E_BADCAP);
	CHECK_REJECT(&w, a, b, CSPACE_DELETE, S_EP, 0, 0, 0, E_BADCAP); /* full in a, empty in b */
	CHECK_REJECT(&w, a, b, CSPACE_DELETE, B_SLOTS, 0, 0, 0, E_BADCAP);
	WORLD_END(&w);
}

/*
 * Moving a capability onto its own slot is a malformed request (E_INVAL,
 * as decode_cspace_op's own src == dst check says).  Checked in two steps
 * so that a wrong error code is reported apart from a state change.
 */
static void test_move_onto_itself(void)
{
	world_t w;
	world_begin(&w, __func__);
	const uint64_t slots[] = {S_EP, S_FRAME, S_CSB};
	int err[3];
	for (size_t i = 0; i < 3; i++) {
		snap_t before;
		cspace_op_t op;
		snap_take(&w, &before);
		err[i] = decode_cspace_op(w.a, w.a, CSPACE_MOVE, slots[i], slots[i], 0, 0, &op);
		CHECK_UNCHANGED(&w, &before);
	}
	for (size_t i = 0; i < 3; i++)
		CHECK_EQ(err[i], E_INVAL);
	WORLD_END(&w);
}

/* --------------------------------------------------------- performs --- */

static void test_copy(void)
{
	world_t w;
	world_begin(&w, __func__);
	cspace_t *a = w.a, *b = w.b;
	cap_t src = *slot(a, S_EP);
	size_t free0 = frame_free_count();
	uint64_t used_child = w.child->used, used_root = w.root->used;

	/* Between two cspaces, rights reduced, one more reference. */
	DO_OP(a, b, CSPACE_COPY, S_EP, 0, RIGHT_READ, 0);
	cap_t *c = slot(b, 0);
	CHECK_EQ(c->type, CAP_ENDPOINT);
	CHECK_EQ(c->rights, RIGHT_READ);
	CHECK_EQ(c->badge, 0);
	CHECK(c->obj == w.ep);
	CHECK_EQ(w.ep->refs, 3);
	CHECK(memcmp(slot(a, S_EP), &src, sizeof(src)) == 0);

	/* Rights never grow; copying back the other way. */
	DO_OP(b, a, CSPACE_COPY, 0, 8, RIGHTS_ALL, 0);
	CHECK_EQ(slot(a, 8)->rights, RIGHT_READ);
	CHECK(slot(a, 8)->obj == w.ep);
	CHECK_EQ(w.ep->refs, 4);

	/* A copy of a badged capability keeps the badge; rights 0 is allowed. */
	DO_OP(a, a, CSPACE_COPY, S_EPB, 9, 0, 0);
	CHECK_EQ(slot(a, 9)->badge, 7);
	CHECK_EQ(slot(a, 9)->rights, 0);
	CHECK_EQ(w.ep->refs, 5);

	/* Frames: the frame table's count is the reference. */
	CHECK_EQ(frame_refs(w.frame), 1);
	DO_OP(a, b, CSPACE_COPY, S_FRAME, 7, RIGHT_READ | RIGHT_EXEC, 0);
	CHECK_EQ(slot(b, 7)->type, CAP_FRAME);
	CHECK_EQ(slot(b, 7)->pa, w.frame);
	CHECK_EQ(slot(b, 7)->rights, RIGHT_READ);
	CHECK_EQ(frame_refs(w.frame), 2);
	CHECK_EQ(frame_kind(w.frame), FRAME_USER);

	/* Cspace and pool capabilities: kobj references. */
	DO_OP(a, a, CSPACE_COPY, S_CSB, 10, RIGHTS_ALL, 0);
	CHECK_EQ(w.b->obj.refs, 2);
	uint32_t child_refs = w.child->obj.refs;
	DO_OP(a, b, CSPACE_COPY, S_POOL, 1, RIGHT_READ, 0);
	CHECK_EQ(w.child->obj.refs, child_refs + 1);
	DO_OP(a, a, CSPACE_COPY, S_NTFN, 11, RIGHT_WRITE, 0);
	CHECK_EQ(w.ntfn->refs, 2);

	/* Copies cost no memory. */
	CHECK_EQ(frame_free_count(), free0);
	CHECK_EQ(w.child->used, used_child);
	CHECK_EQ(w.root->used, used_root);
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		CHECK_EQ(destroyed[t], 0);
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
	CHECK_EQ(destroyed[CAP_ENDPOINT], 1);
	CHECK_EQ(destroyed[CAP_NOTIFICATION], 1);
}

static void test_mint(void)
{
	world_t w;
	world_begin(&w, __func__);
	cspace_t *a = w.a, *b = w.b;
	size_t free0 = frame_free_count();

	DO_OP(a, b, CSPACE_MINT, S_EP, 3, RIGHT_WRITE | RIGHT_GRANT, 0x1234);
	cap_t *c = slot(b, 3);
	CHECK_EQ(c->type, CAP_ENDPOINT);
	CHECK_EQ(c->rights, RIGHT_WRITE | RIGHT_GRANT);
	CHECK_EQ(c->badge, 0x1234);
	CHECK(c->obj == w.ep);
	CHECK_EQ(w.ep->refs, 3);
	CHECK_EQ(slot(a, S_EP)->badge, 0); /* the source stays unbadged */

	/* Notification: rights are the source's at most. */
	DO_OP(a, a, CSPACE_MINT, S_NTFN, 12, RIGHTS_ALL, UINT64_MAX);
	CHECK_EQ(slot(a, 12)->badge, UINT64_MAX);
	CHECK_EQ(slot(a, 12)->rights, RIGHT_READ | RIGHT_WRITE);
	CHECK_EQ(w.ntfn->refs, 2);

	/* A minted capability cannot be re-badged, but copies keep its badge. */
	CHECK_REJECT(&w, b, a, CSPACE_MINT, 3, 13, RIGHTS_ALL, 0x99, E_INVAL);
	DO_OP(b, a, CSPACE_COPY, 3, 13, RIGHTS_ALL, 0);
	CHECK_EQ(slot(a, 13)->badge, 0x1234);
	CHECK_EQ(slot(a, 13)->rights, RIGHT_WRITE | RIGHT_GRANT);
	CHECK_EQ(w.ep->refs, 4);
	CHECK_EQ(frame_free_count(), free0);
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
}

static void test_move(void)
{
	world_t w;
	world_begin(&w, __func__);
	cspace_t *a = w.a, *b = w.b;
	size_t free0 = frame_free_count();
	uint64_t used_child = w.child->used;

	/* Frame to another cspace: same reference, source emptied. */
	cap_t old = *slot(a, S_FRAME);
	DO_OP(a, b, CSPACE_MOVE, S_FRAME, 5, 0, 0);
	CHECK(memcmp(slot(b, 5), &old, sizeof(old)) == 0);
	CHECK(slot_empty(a, S_FRAME));
	CHECK_EQ(frame_refs(w.frame), 1);

	/* Badged endpoint: badge and all rights kept (MOVE takes no mask). */
	old = *slot(a, S_EPB);
	DO_OP(a, b, CSPACE_MOVE, S_EPB, 0, 0, 0);
	CHECK(memcmp(slot(b, 0), &old, sizeof(old)) == 0);
	CHECK(slot_empty(a, S_EPB));
	CHECK_EQ(w.ep->refs, 2);

	/* Within one cspace, and back to where it was. */
	old = *slot(a, S_CSB);
	DO_OP(a, a, CSPACE_MOVE, S_CSB, 15, 0, 0);
	CHECK(memcmp(slot(a, 15), &old, sizeof(old)) == 0);
	CHECK(slot_empty(a, S_CSB));
	CHECK_EQ(w.b->obj.refs, 1);
	DO_OP(a, a, CSPACE_MOVE, 15, S_CSB, 0, 0);
	DO_OP(b, a, CSPACE_MOVE, 5, S_FRAME, 0, 0);
	CHECK(slot_empty(b, 5));
	CHECK_EQ(slot(a, S_FRAME)->pa, w.frame);

	/* The source is now empty: moving it again is rejected. */
	CHECK_REJECT(&w, b, a, CSPACE_MOVE, 5, 14, 0, 0, E_BADCAP);
	CHECK_EQ(frame_free_count(), free0);
	CHECK_EQ(w.child->used, used_child);
	for (unsigned t = 0; t < CAP_NTYPES; t++)
		CHECK_EQ(destroyed[t], 0);
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
}

static void test_delete(void)
{
	world_t w;
	world_begin(&w, __func__);
	cspace_t *a = w.a, *b = w.b;

	/* Deleting a copy drops one reference and destroys nothing. */
	DO_OP(a, a, CSPACE_COPY, S_NTFN, 8, RIGHTS_ALL, 0);
	CHECK_EQ(w.ntfn->refs, 2);
	size_t free0 = frame_free_count();
	DO_OP(a, a, CSPACE_DELETE, 8, 0, 0, 0);
	CHECK(slot_empty(a, 8));
	CHECK_EQ(w.ntfn->refs, 1);
	CHECK_EQ(destroyed[CAP_NOTIFICATION], 0);
	CHECK_EQ(frame_free_count(), free0);

	/* The last one destroys the object and uncharges its pool. */
	uint64_t uc = w.child->used, ur = w.root->used;
	uint32_t rc = w.child->obj.refs;
	DO_OP(a, a, CSPACE_DELETE, S_NTFN, 0, 0, 0);
	CHECK(slot_empty(a, S_NTFN));
	CHECK_EQ(destroyed[CAP_NOTIFICATION], 1);
	CHECK_EQ(live(CAP_NOTIFICATION), 0);
	CHECK_EQ(w.child->used, uc - 1);
	CHECK_EQ(w.root->used, ur - 1);
	CHECK_EQ(w.child->obj.refs, rc - 1);
	CHECK_EQ(frame_free_count(), free0 + 1);

	/* A user frame: freed, its payer uncharged and unreferenced. */
	DO_OP(a, a, CSPACE_DELETE, S_FRAME, 0, 0, 0);
	CHECK_EQ(frame_kind(w.frame), FRAME_FREE);
	CHECK_EQ(w.child->used, uc - 2);
	CHECK_EQ(w.root->used, ur - 2);
	CHECK_EQ(w.child->obj.refs, rc - 2);
	CHECK_EQ(frame_free_count(), free0 + 2);

	/* The endpoint has two capabilities: the first delete keeps it. */
	DO_OP(a, b, CSPACE_COPY, S_EP, 2, RIGHTS_ALL, 0); /* a third, held by b */
	DO_OP(a, a, CSPACE_DELETE, S_EP, 0, 0, 0);
	DO_OP(a, a, CSPACE_DELETE, S_EPB, 0, 0, 0);
	CHECK_EQ(destroyed[CAP_ENDPOINT], 0);
	CHECK_EQ(w.ep->refs, 1);

	/* Deleting the cspace b drops what it holds: the endpoint's last. */
	DO_OP(a, a, CSPACE_DELETE, S_CSB, 0, 0, 0);
	CHECK_EQ(destroyed[CAP_ENDPOINT], 1);
	CHECK_EQ(live(CAP_CSPACE), 1);
	CHECK_EQ(live(CAP_ENDPOINT), 0);
	CHECK_EQ(w.child->used, 0);
	CHECK_EQ(w.child->obj.refs, 1);
	CHECK_EQ(frame_free_count(), free0 + 2 + 1 + 2);

	/* The pool's last capability: nothing else holds it, it goes too. */
	DO_OP(a, a, CSPACE_DELETE, S_POOL, 0, 0, 0);
	CHECK_EQ(live(CAP_POOL), 1);
	CHECK_EQ(w.root->used, cspace_frames(A_SLOTS));
	CHECK_EQ(frame_free_count(), free0 + 2 + 1 + 2 + 1);
	for (unsigned i = 0; i < A_SLOTS; i++)
		CHECK(slot_empty(a, i));
	CHECK_EQ(frame_check(true), 0);
	WORLD_END(&w);
}

/* ---------------------------------------------------- lookup_typed --- */

static void test_lookup_typed(void)
{
	world_t w;
	world_begin(&w, __func__);
	cspace_t *a = w.a;
	cap_t *const unset = (cap_t *)0x1;
	cap_t *c = unset;
	snap_t before;
	snap_take(&w, &before);

	CHECK_EQ(cspace_lookup_typed(a, A_SLOTS, CAP_ENDPOINT, 0, &c), E_BADCAP);
	CHECK_EQ(cspace_lookup_typed(a, UINT64_MAX, CAP_ENDPOINT, 0, &c), E_BADCAP);
	CHECK_EQ(cspace_lookup_typed(a, 0, CAP_ENDPOINT, 0, &c), E_BADCAP);
	CHECK_EQ(cspace_lookup_typed(a, 0, CAP_NULL, 0, &c), E_BADCAP);
	CHECK_EQ(cspace_lookup_typed(a, S_EP, CAP_NOTIFICATION, 0, &c), E_TYPE);
	CHECK_EQ(cspace_lookup_typed(a, S_FRAME, CAP_DEVFRAME, RIGHT_READ, &c), E_TYPE);
	/* Type is checked before rights. */
	CHECK_EQ(cspace_lookup_typed(a, S_NTFN, CAP_ENDPOINT, RIGHT_GRANT, &c), E_TYPE);
	CHECK_EQ(cspace_lookup_typed(a, S_NTFN, CAP_NOTIFICATION, RIGHT_GRANT, &c), E_PERM);
	CHECK_EQ(cspace_lookup_typed(a, S_NTFN, CAP_NOTIFICATION, RIGHTS_ALL, &c), E_PERM);
	CHECK_EQ(cspace_lookup_typed(a, S_FRAME, CAP_FRAME, RIGHT_EXEC, &c), E_PERM);
	CHECK(c == unset);
	CHECK_UNCHANGED(&w, &before);

	CHECK_EQ(cspace_lookup_typed(a, S_NTFN, CAP_NOTIFICATION, RIGHT_READ | RIGHT_WRITE, &c), 0);
	CHECK(c == slot(a, S_NTFN));
	CHECK_EQ(cspace_lookup_typed(a, S_EPB, CAP_ENDPOINT, 0, &c), 0);
	CHECK(c == slot(a, S_EPB));
	CHECK_EQ(c->badge, 7);
	CHECK_EQ(cspace_lookup_typed(w.b, B_SLOTS - 1, CAP_ENDPOINT, 0, &c), E_BADCAP);
	CHECK_UNCHANGED(&w, &before);
	WORLD_END(&w);
}

/* ------------------------------------------------------------- pools --- */

#define CHECK_USED(p, n) CHECK_EQ((p)->used, (n))

/* pool_charge returns E_NOMEM and no pool of the chain changed. */
#define CHECK_CHARGE_FAILS(p, n, r, c, g)                                                          \
	do {                                                                                       \
		uint64_t ur_ = (r)->used, uc_ = (c)->used, ug_ = (g)->used;                        \
		size_t free_ = frame_free_count();                                                 \
		CHECK(!pool_can_charge(p, n));                                                     \
		CHECK_EQ(pool_charge(p, n), E_NOMEM);                                              \
		CHECK_EQ((r)->used, ur_);                                                          \
		CHECK_EQ((c)->used, uc_);                                                          \
		CHECK_EQ((g)->used, ug_);                                                          \
		CHECK_EQ(frame_free_count(), free_);                                               \
	} while (0)

static void test_pool_chain(void)
{
	setup(__func__, NPAGES);
	pool_t *root = pool_create_root(), *child, *gc, *sib;
	CHECK_EQ(root->quota, NPAGES - 1);
	CHECK_USED(root, 0);
	must(pool_create(root, 20, &child), "child");
	must(pool_create(child, 8, &gc), "grandchild");
	must(pool_create(root, 100, &sib), "sibling");
	CHECK(gc->parent == child && child->parent == root && root->parent == NULL);
	/* A pool's own frame is charged to its parent. */
	CHECK_USED(root, 3);
	CHECK_USED(child, 1);
	CHECK_USED(gc, 0);
	CHECK_EQ(child->obj.refs, 2);
	CHECK_EQ(root->obj.refs, 3);

	CHECK_EQ(pool_charge(gc, 3), 0);
	CHECK_USED(gc, 3);
	CHECK_USED(child, 4);
	CHECK_USED(root, 6);
	CHECK(pool_can_charge(gc, 5));
	/* Grandchild's own quota. */
	CHECK_CHARGE_FAILS(gc, 6, root, child, gc);
	CHECK_CHARGE_FAILS(gc, SIZE_MAX, root, child, gc);
	/* The child's quota, with room left in the grandchild. */
	CHECK_EQ(pool_charge(child, 14), 0);
	CHECK_USED(child, 18);
	CHECK_USED(root, 20);
	CHECK_CHARGE_FAILS(gc, 3, root, child, gc);
	CHECK_CHARGE_FAILS(child, 3, root, child, gc);
	CHECK_EQ(pool_charge(gc, 2), 0);
	CHECK_USED(gc, 5);
	CHECK_USED(child, 20);
	CHECK_USED(root, 22);
	CHECK_CHARGE_FAILS(gc, 1, root, child, gc);
	/* Objects and pools from a full chain: E_NOMEM, nothing changed. */
	kobj_t *o = (kobj_t *)0x1;
	pool_t *p = (pool_t *)0x1;
	paddr_t pa = 0x1;
	size_t free0 = frame_free_count();
	uint32_t gc_refs = gc->obj.refs;
	CHECK_EQ(kobj_alloc(gc, CAP_ENDPOINT, &o), E_NOMEM);
	CHECK_EQ(pool_create(gc, 1, &p), E_NOMEM);
	CHECK_EQ(pool_alloc_frame(gc, FRAME_USER, &pa), E_NOMEM);
	CHECK(!kobj_can_alloc(gc, 1));
	CHECK(o == (kobj_t *)0x1 && p == (pool_t *)0x1 && pa == 0x1);
	CHECK_EQ(frame_free_count(), free0);
	CHECK_EQ(gc->obj.refs, gc_refs);
	CHECK_USED(gc, 5);
	CHECK_USED(child, 20);
	CHECK_USED(root, 22);
	CHECK_EQ(live(CAP_POOL), 4);
	CHECK_EQ(live(CAP_ENDPOINT), 0);
	/* The root's quota, with room in the sibling (and in RAM). */
	uint64_t q = root->quota;
	root->quota = root->used + 2;
	CHECK_CHARGE_FAILS(sib, 3, root, child, sib);
	CHECK_EQ(pool_charge(sib, 2), 0);
	CHECK_USED(sib, 2);
	CHECK_USED(root, 24);
	root->quota = q;

	pool_uncharge(sib, 2);
	pool_uncharge(gc, 5);
	pool_uncharge(child, 14);
	CHECK_USED(gc, 0);
	CHECK_USED(child, 1);
	CHECK_USED(root, 3);
	kobj_unref(&gc->obj);
	CHECK_USED(child, 0);
	CHECK_USED(root, 2);
	CHECK_EQ(child->obj.refs, 1);
	kobj_unref(&child->obj);
	kobj_unref(&sib->obj);
	CHECK_USED(root, 0);
	CHECK_EQ(root->obj.refs, 1);
	kobj_unref(&root->obj);
	CHECK_ALL_FREE();
}

/* User frames hold their pool: it outlives its last capability. */
static void test_pool_kept_by_frames(void)
{
	setup(__func__, NPAGES);
	pool_t *root = pool_create_root(), *child;
	cspace_t *cs;
	paddr_t f1, f2;
	must(cspace_create(root, 4, &cs), "cspace");
	must(pool_create(root, 10, &child), "child");
	give(cs, 0, CAP_POOL, RIGHTS_ALL, 0, &child->obj, 0);
	CHECK_EQ(pool_alloc_frame(child, FRAME_USER, &f1), 0);
	CHECK_EQ(pool_alloc_frame(child, FRAME_USER, &f2), 0);
	give(cs, 1, CAP_FRAME, RIGHTS_ALL, 0, NULL, f1);
	give(cs, 2, CAP_FRAME, RIGHTS_ALL, 0, NULL, f2);
	CHECK(frame_owner(f1) != 0);
	CHECK_EQ(frame_owner(f1), frame_owner(f2));
	CHECK_EQ(frame_kind(f1), FRAME_USER);
	CHECK_USED(child, 2);
	CHECK_USED(root, 2 + 1 + 2);
	CHECK_EQ(child->obj.refs, 3);
	size_t free0 = frame_free_count();

	DO_OP(cs, cs, CSPACE_DELETE, 0, 0, 0, 0);
	CHECK_EQ(live(CAP_POOL), 2);
	CHECK_EQ(child->obj.refs, 2);
	CHECK_USED(child, 2);
	CHECK_EQ(frame_free_count(), free0);

	DO_OP(cs, cs, CSPACE_DELETE, 1, 0, 0, 0);
	CHECK_EQ(frame_kind(f1), FRAME_FREE);
	CHECK_EQ(live(CAP_POOL), 2);
	CHECK_EQ(child->obj.refs, 1);
	CHECK_USED(child, 1);
	CHECK_USED(root, 4);
	CHECK_EQ(frame_free_count(), free0 + 1);

	/* The last frame: uncharged, then the pool itself goes. */
	DO_OP(cs, cs, CSPACE_DELETE, 2, 0, 0, 0);
	CHECK_EQ(frame_kind(f2), FRAME_FREE);
	CHECK_EQ(live(CAP_POOL), 1);
	CHECK_USED(root, 2);
	CHECK_EQ(root->obj.refs, 2);
	CHECK_EQ(frame_free_count(), free0 + 3);
	CHECK_EQ(frame_check(true), 0);

	kobj_unref(&cs->obj);
	CHECK_USED(root, 0);
	kobj_unref(&root->obj);
	CHECK_ALL_FREE();
}

/* A shared frame dropped last elsewhere uncharges the pool that paid. */
static void test_shared_frame_uncharges_payer(void)
{
	setup(__func__, NPAGES);
	pool_t *root = pool_create_root(), *pa_pool, *pb_pool;
	cspace_t *csa, *csb;
	paddr_t f;
	must(pool_create(root, 4, &pa_pool), "pool A");
	must(pool_create(root, 4, &pb_pool), "pool B");
	must(cspace_create(pa_pool, 2, &csa), "cspace A");
	must(cspace_create(pb_pool, 2, &csb), "cspace B");
	must(pool_alloc_frame(pa_pool, FRAME_USER, &f), "frame");
	give(csa, 0, CAP_FRAME, RIGHTS_ALL, 0, NULL, f);
	CHECK_USED(pa_pool, 3);
	CHECK_USED(pb_pool, 2);
	CHECK_USED(root, 2 + 3 + 2);

	/* B gets a copy; a third reference stands for a mapping (COW share). */
	DO_OP(csa, csb, CSPACE_COPY, 0, 1, RIGHT_READ, 0);
	frame_ref(f);
	CHECK_EQ(frame_refs(f), 3);
	CHECK_USED(pb_pool, 2);

	/* A's process goes away entirely: its cspace and its pool cap. */
	kobj_unref(&csa->obj);
	kobj_unref(&pa_pool->obj);
	CHECK_EQ(frame_refs(f), 2);
	CHECK_EQ(live(CAP_POOL), 3);
	CHECK_EQ(pa_pool->obj.refs, 1); /* the frame's */
	CHECK_USED(pa_pool, 1);
	CHECK_USED(root, 2 + 1 + 2); /* pools, A's frame, B's cspace */

	user_frame_unref(f); /* the mapping */
	CHECK_EQ(frame_refs(f), 1);
	CHECK_USED(pa_pool, 1);
	CHECK_EQ(live(CAP_POOL), 3);

	/* B drops the last reference: A is uncharged and destroyed. */
	size_t free0 = frame_free_count();
	DO_OP(csb, csb, CSPACE_DELETE, 1, 0, 0, 0);
	CHECK_EQ(frame_kind(f), FRAME_FREE);
	CHECK_EQ(live(CAP_POOL), 2);
	CHECK_USED(pb_pool, 2);
	CHECK_USED(root, 1 + 2);
	CHECK_EQ(frame_free_count(), free0 + 2); /* the frame and A's object */
	CHECK_EQ(frame_check(true), 0);

	kobj_unref(&csb->obj);
	kobj_unref(&pb_pool->obj);
	CHECK_USED(root, 0);
	kobj_unref(&root->obj);
	CHECK_ALL_FREE();
}

/* Out of RAM (not of quota): E_NOMEM from every allocator, no change. */
static void test_ram_exhausted(void)
{
	setup(__func__, 16);
	pool_t *root = pool_create_root();
	cspace_t *cs;
	CHECK_EQ(root->quota, 15);
	must(cspace_create(root, 4, &cs), "cspace");
	paddr_t grab[16];
	size_t n = 0;
	while (frame_free_count() > 1)
		must(frame_alloc(FRAME_KERNEL, &grab[n++]), "grab");
	CHECK_EQ(n, 12);

	uint64_t used = root->used;
	uint32_t refs = root->obj.refs;
	cspace_t *out = (cspace_t *)0x1;
	CHECK_EQ(cspace_create(root, 1, &out), E_NOMEM); /* needs 2 */
	CHECK_EQ(cspace_create(NULL, 1, &out), E_NOMEM);
	CHECK(out == (cspace_t *)0x1);
	CHECK_EQ(frame_free_count(), 1);
	CHECK_USED(root, used);
	CHECK_EQ(root->obj.refs, refs);
	CHECK_EQ(live(CAP_CSPACE), 1);

	must(frame_alloc(FRAME_KERNEL, &grab[n++]), "grab last");
	kobj_t *o = (kobj_t *)0x1;
	pool_t *p = (pool_t *)0x1;
	paddr_t pa = 0x1;
	CHECK(root->used + 1 <= root->quota); /* the quota has room */
	CHECK(!pool_can_charge(root, 1));
	CHECK(!kobj_can_alloc(root, 1));
	CHECK(!kobj_can_alloc(NULL, 1));
	CHECK_EQ(pool_charge(root, 1), E_NOMEM);
	CHECK_EQ(pool_alloc_frame(root, FRAME_USER, &pa), E_NOMEM);
	CHECK_EQ(kobj_alloc(root, CAP_ENDPOINT, &o), E_NOMEM);
	CHECK_EQ(kobj_alloc(NULL, CAP_ENDPOINT, &o), E_NOMEM);
	CHECK_EQ(pool_create(root, 1, &p), E_NOMEM);
	CHECK_EQ(cspace_create(root, 1, &out), E_NOMEM);
	CHECK(o == (kobj_t *)0x1 && p == (pool_t *)0x1 && pa == 0x1);
	CHECK(out == (cspace_t *)0x1);
	CHECK_EQ(frame_free_count(), 0);
	CHECK_USED(root, used);
	CHECK_EQ(root->obj.refs, refs);
	CHECK_EQ(live(CAP_POOL), 1);
	CHECK_EQ(live(CAP_ENDPOINT), 0);
	CHECK_EQ(frame_check(true), 0);

	/* One frame back: a one-frame object fits again. */
	frame_unref(grab[--n]);
	CHECK_EQ(kobj_alloc(root, CAP_ENDPOINT, &o), 0);
	CHECK_USED(root, used + 1);
	kobj_unref(o);
	CHECK_EQ(destroyed[CAP_ENDPOINT], 1);
	while (n)
		frame_unref(grab[--n]);
	kobj_unref(&cs->obj);
	kobj_unref(&root->obj);
	CHECK_ALL_FREE();
}

/* ---------------------------------------------------- object lifetime --- */

/* Objects made at boot (no pool) are charged to nobody and freed alike. */
static void test_boot_objects(void)
{
	setup(__func__, NPAGES);
	kobj_t *o;
	CHECK_EQ(kobj_alloc(NULL, CAP_THREAD, &o), 0);
	CHECK(o->pool == NULL);
	CHECK_EQ(o->refs, 1);
	CHECK_EQ(o->type, CAP_THREAD);
	CHECK_EQ(frame_kind(kva2pa(o)), FRAME_KOBJ);
	CHECK_EQ(live(CAP_THREAD), 1);
	CHECK_EQ(frame_free_count(), NPAGES - 1);
	kobj_ref(o);
	kobj_unref(o);
	CHECK_EQ(destroyed[CAP_THREAD], 0);
	kobj_unref(o);
	CHECK_EQ(destroyed[CAP_THREAD], 1);
	/* Each type reaches its own destroy function. */
	const unsigned types[] = {CAP_ASPACE, CAP_THREAD, CAP_ENDPOINT, CAP_NOTIFICATION, CAP_IRQ};
	for (size_t i = 0; i < 5; i++) {
		CHECK_EQ(kobj_alloc(NULL, types[i], &o), 0);
		kobj_unref(o);
		CHECK_EQ(destroyed[types[i]], types[i] == CAP_THREAD ? 2 : 1);
	}
	CHECK_ALL_FREE();
}

/*
 * cspace[0] holds the only capability to cspace[1], which holds the only
 * one to cspace[2], ...; each also holds the only capability to an
 * endpoint, whose destroy stub records its stack depth.  Deleting the
 * capability to cspace[0] must free all of it without recursing.
 */
#define CHAIN 1200

static void test_destroy_chain_iterative(void)
{
	setup(__func__, NPAGES);
	pool_t *root = pool_create_root(), *pool;
	cspace_t *holder, *cs, *prev = NULL;
	must(pool_create(root, 4 * CHAIN, &pool), "pool");
	must(cspace_create(root, 1, &holder), "holder");
	size_t free0 = frame_free_count();
	for (unsigned i = 0; i < CHAIN; i++) {
		kobj_t *ep;
		must(cspace_create(pool, 2, &cs), "chain cspace");
		must(kobj_alloc(pool, CAP_ENDPOINT, &ep), "chain endpoint");
		give(cs, 1, CAP_ENDPOINT, RIGHTS_ALL, 0, ep, 0);
		if (prev)
			give(prev, 0, CAP_CSPACE, RIGHTS_ALL, 0, &cs->obj, 0);
		else
			give(holder, 0, CAP_CSPACE, RIGHTS_ALL, 0, &cs->obj, 0);
		prev = cs;
	}
	CHECK_EQ(live(CAP_CSPACE), CHAIN + 1);
	CHECK_EQ(live(CAP_ENDPOINT), CHAIN);
	CHECK_USED(pool, 3 * CHAIN);
	CHECK_EQ(frame_free_count(), free0 - 3 * CHAIN);
	CHECK_EQ(pool->obj.refs, 1 + 2 * CHAIN);

	uintptr_t top = (uintptr_t)__builtin_frame_address(0);
	deepest_destroy = 0;
	DO_OP(holder, holder, CSPACE_DELETE, 0, 0, 0, 0);
	CHECK_EQ(destroyed[CAP_ENDPOINT], CHAIN);
	CHECK_EQ(live(CAP_CSPACE), 1);
	CHECK_EQ(live(CAP_ENDPOINT), 0);
	CHECK_USED(pool, 0);
	CHECK_EQ(pool->obj.refs, 1);
	CHECK_EQ(frame_free_count(), free0);
	/* Recursion would put the last destroy tens of KiB below the first. */
	CHECK(deepest_destroy != 0 && deepest_destroy < top);
	printf("    deepest destroy %lu bytes below the test\n",
	       (unsigned long)(top - deepest_destroy));
	CHECK(top - deepest_destroy < 16384);
	CHECK_EQ(frame_check(true), 0);

	kobj_unref(&holder->obj);
	kobj_unref(&pool->obj);
	CHECK_USED(root, 0);
	kobj_unref(&root->obj);
	CHECK_ALL_FREE();
}

int main(void)
{
	RUN(test_create_bad_sizes);
	RUN(test_create_cost);
	RUN(test_decode_rejects);
	RUN(test_move_onto_itself);
	RUN(test_copy);
	RUN(test_mint);
	RUN(test_move);
	RUN(test_delete);
	RUN(test_lookup_typed);
	RUN(test_pool_chain);
	RUN(test_pool_kept_by_frames);
	RUN(test_shared_frame_uncharges_payer);
	RUN(test_ram_exhausted);
	RUN(test_boot_objects);
	RUN(test_destroy_chain_iterative);
	free(fake_ram);
	free(storage);
	UNIT_EXIT();
}
