/*
 * Memory pools: frame allocation, object creation, object costs, quota
 * exhaustion in child pools (and their ancestors), rights.
 */
#include "utest.h"

#define RW (RIGHT_READ | RIGHT_WRITE)

typedef struct poolinfo {
	long err;
	unsigned long quota, used;
} poolinfo_t;

static poolinfo_t pool_info(unsigned long pool)
{
	sysret_t r = sys_invoke(pool, POOL_INFO, 0, 0, 0, 0, 0);
	poolinfo_t pi = {r.r0, r.r[0], r.r[1]};

	return pi;
}

/* Create an object of type from pool into a new slot. */
static long create_from(unsigned long pool, unsigned long type, unsigned long arg)
{
	long slot = slot_alloc();
	long err;

	if (slot < 0)
		return slot;
	err = INV3(pool, POOL_CREATE, type, slot, arg);
	return err < 0 ? err : slot;
}

static long frame_from(unsigned long pool)
{
	long slot = slot_alloc();
	long err;

	if (slot < 0)
		return slot;
	err = INV1(pool, POOL_ALLOC_FRAME, slot);
	return err < 0 ? err : slot;
}

static int test_pool_alloc_frame(void)
{
	long f, g, empty;
	capinfo_t ci;

	CHECK_OK(f, frame_from(SLOT_POOL));
	ci = cap_info(SLOT_CSPACE, f);
	CHECK_EQ(ci.type, CAP_FRAME);
	CHECK_EQ(ci.rights, RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC);
	CHECK_EQ(ci.badge, 0);
	CHECK_EQ(INV3(SLOT_ASPACE, ASPACE_MAP, f, TWIN_VA(0), RW), 0);
	for (unsigned long i = 0; i < PAGE_SIZE / 8; i++) {
		if (((volatile uint64_t *)TWIN_VA(0))[i] != 0)
			return FAIL("new frame not zero at word %lu", i);
		((volatile uint64_t *)TWIN_VA(0))[i] = ~i;
	}
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(cap_delete(f), 0);
	/* The next frame is zeroed again, even if it is the same page. */
	CHECK_OK(g, frame_alloc_map(TWIN_VA(0), RIGHT_READ));
	for (unsigned long i = 0; i < PAGE_SIZE / 8; i++) {
		if (((volatile uint64_t *)TWIN_VA(0))[i] != 0)
			return FAIL("reused frame not zero at word %lu", i);
	}
	CHECK_OK(empty, slot_alloc());
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, g), E_EXISTS);
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, ROOT_CSPACE_SLOTS), E_BADCAP);
	CHECK_EQ(cap_type(empty), CAP_NULL);
	CHECK_EQ(INV1(SLOT_ASPACE, ASPACE_UNMAP, TWIN_VA(0)), 0);
	CHECK_EQ(cap_delete(g), 0);
	return 0;
}

static int test_pool_create(void)
{
	static const unsigned long ok[][2] = {
	    {CAP_POOL, 4},     {CAP_ASPACE, 0},	      {CAP_THREAD, 0},
	    {CAP_ENDPOINT, 0}, {CAP_NOTIFICATION, 0}, {CAP_CSPACE, 16},
	};
	static const unsigned long bad[] = {CAP_NULL,  CAP_FRAME,  CAP_DEVFRAME, CAP_IRQ,
					    CAP_DEBUG, CAP_NTYPES, 1000,	 ~0UL};
	long s, empty;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		capinfo_t ci;

		CHECK_OK(s, obj_create(ok[i][0], ok[i][1]));
		ci = cap_info(SLOT_CSPACE, s);
		CHECK_EQ(ci.type, ok[i][0]);
		CHECK_EQ(ci.rights, RIGHTS_ALL);
		CHECK_EQ(ci.badge, 0);
		CHECK_EQ(cap_delete(s), 0);
	}
	CHECK_OK(empty, slot_alloc());
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (INV3(SLOT_POOL, POOL_CREATE, bad[i], empty, 1) != E_INVAL)
			return FAIL("POOL_CREATE of type %#lx is not E_INVAL", bad[i]);
	}
	CHECK_EQ(INV3(SLOT_POOL, POOL_CREATE, CAP_CSPACE, empty, 0), E_INVAL);
	CHECK_EQ(INV3(SLOT_POOL, POOL_CREATE, CAP_CSPACE, empty, 4097), E_INVAL);
	CHECK_EQ(INV3(SLOT_POOL, POOL_CREATE, CAP_CSPACE, empty, ~0UL), E_INVAL);
	CHECK_EQ(INV3(SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, ROOT_CSPACE_SLOTS, 0), E_BADCAP);
	CHECK_EQ(INV3(SLOT_POOL, POOL_CREATE, CAP_ENDPOINT, SLOT_DEBUG, 0), E_EXISTS);
	CHECK_EQ(cap_type(empty), CAP_NULL);
	CHECK_EQ(cap_type(SLOT_DEBUG), CAP_DEBUG);
	/* The smallest and largest cspaces. */
	CHECK_OK(s, obj_create(CAP_CSPACE, 1));
	CHECK_EQ(cap_info(s, 0).err, 1);
	CHECK_EQ(cap_delete(s), 0);
	CHECK_OK(s, obj_create(CAP_CSPACE, 4096));
	CHECK_EQ(cap_info(s, 4095).err, 4096);
	CHECK_EQ(cap_delete(s), 0);
	return 0;
}

/* Every object costs one frame, an address space two (object and root
 * table), a cspace 1 + ceil(slots / 128), charged to its pool and to every
 * ancestor of that pool. */
static int test_pool_costs(void)
{
	static const struct {
		unsigned long type, arg, cost;
	} objs[] = {
	    {CAP_ENDPOINT, 0, 1}, {CAP_NOTIFICATION, 0, 1}, {CAP_THREAD, 0, 1},
	    {CAP_ASPACE, 0, 2},	  {CAP_POOL, 3, 1},	    {CAP_CSPACE, 1, 2},
	    {CAP_CSPACE, 128, 2}, {CAP_CSPACE, 129, 3},	    {CAP_CSPACE, 4096, 33},
	};
	long p, s[sizeof(objs) / sizeof(objs[0])], f;
	poolinfo_t root0, root1, pi;
	kstats_t k0, k1;
	unsigned long total = 0;

	root0 = pool_info(SLOT_POOL);
	CHECK_EQ(root0.err, 0);
	CHECK(root0.used <= root0.quota);
	CHECK_EQ(kstats(&k0), 0);
	CHECK_OK(p, create_from(SLOT_POOL, CAP_POOL, 100));
	pi = pool_info(p);
	CHECK_EQ(pi.err, 0);
	CHECK_EQ(pi.quota, 100);
	CHECK_EQ(pi.used, 0);
	CHECK_EQ(pool_info(SLOT_POOL).used, root0.used + 1);

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		CHECK_OK(s[i], create_from(p, objs[i].type, objs[i].arg));
		total += objs[i].cost;
		pi = pool_info(p);
		if (pi.used != total)
			return FAIL("pool used %lu after creating type %lu (%lu), want %lu",
				    pi.used, objs[i].type, objs[i].arg, total);
	}
	CHECK_OK(f, frame_from(p));
	total++;
	CHECK_EQ(pool_info(p).used, total);
	root1 = pool_info(SLOT_POOL);
	CHECK_EQ(root1.used, root0.used + 1 + total);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.frames_free, k0.frames_free - 1 - total);

	CHECK_EQ(cap_delete(f), 0);
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		CHECK_EQ(cap_delete(s[i]), 0);
	CHECK_EQ(pool_info(p).used, 0);
	CHECK_EQ(pool_info(SLOT_POOL).used, root0.used + 1);
	CHECK_EQ(cap_delete(p), 0);
	CHECK_EQ(pool_info(SLOT_POOL).used, root0.used);
	return 0;
}

/* A child pool runs out at its quota; all of it comes back on delete. */
static int test_pool_quota(void)
{
	long p, f[4], s, ep[4];

	CHECK_OK(p, create_from(SLOT_POOL, CAP_POOL, 4));
	for (int i = 0; i < 4; i++)
		CHECK_OK(f[i], frame_from(p));
	CHECK_OK(s, slot_alloc());
	CHECK_EQ(INV1(p, POOL_ALLOC_FRAME, s), E_NOMEM);
	CHECK_EQ(INV3(p, POOL_CREATE, CAP_ENDPOINT, s, 0), E_NOMEM);
	CHECK_EQ(INV3(p, POOL_CREATE, CAP_CSPACE, s, 1), E_NOMEM);
	CHECK_EQ(cap_type(s), CAP_NULL);
	CHECK_EQ(pool_info(p).used, 4);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(cap_delete(f[i]), 0);
	CHECK_EQ(pool_info(p).used, 0);
	/* All four frames can be had again, as objects this time. */
	for (int i = 0; i < 4; i++)
		CHECK_OK(ep[i], create_from(p, CAP_ENDPOINT, 0));
	CHECK_EQ(INV3(p, POOL_CREATE, CAP_NOTIFICATION, s, 0), E_NOMEM);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(cap_delete(ep[i]), 0);
	CHECK_EQ(pool_info(p).used, 0);
	CHECK_EQ(cap_delete(p), 0);
	return 0;
}

/* What a grandchild pool allocates is charged to the child pool too. */
static int test_pool_quota_ancestors(void)
{
	long child, grand, f[2], g[3], s;

	CHECK_OK(child, create_from(SLOT_POOL, CAP_POOL, 6));
	CHECK_OK(f[0], frame_from(child));
	CHECK_OK(f[1], frame_from(child));
	CHECK_OK(grand, create_from(child, CAP_POOL, 4));
	CHECK_EQ(pool_info(child).used, 3);
	for (int i = 0; i < 3; i++)
		CHECK_OK(g[i], frame_from(grand));
	CHECK_EQ(pool_info(grand).used, 3);
	CHECK_EQ(pool_info(child).used, 6);
	/* The grandchild has quota left, its parent has not. */
	CHECK_OK(s, slot_alloc());
	CHECK_EQ(INV1(grand, POOL_ALLOC_FRAME, s), E_NOMEM);
	CHECK_EQ(INV1(child, POOL_ALLOC_FRAME, s), E_NOMEM);
	CHECK_EQ(pool_info(grand).used, 3);
	CHECK_EQ(pool_info(child).used, 6);
	/* Freeing in the grandchild frees in the child. */
	CHECK_EQ(cap_delete(g[0]), 0);
	CHECK_EQ(pool_info(child).used, 5);
	CHECK_EQ(INV1(child, POOL_ALLOC_FRAME, s), 0);
	CHECK_EQ(cap_delete(s), 0);
	for (int i = 1; i < 3; i++)
		CHECK_EQ(cap_delete(g[i]), 0);
	CHECK_EQ(pool_info(grand).used, 0);
	CHECK_EQ(cap_delete(grand), 0);
	CHECK_EQ(cap_delete(f[0]), 0);
	CHECK_EQ(cap_delete(f[1]), 0);
	CHECK_EQ(pool_info(child).used, 0);
	CHECK_EQ(cap_delete(child), 0);
	return 0;
}

/* Page tables of an address space are charged to the pool it came from. */
static int test_pool_quota_pagetables(void)
{
	long p, as, f;

	CHECK_OK(p, create_from(SLOT_POOL, CAP_POOL, 4));
	CHECK_OK(as, create_from(p, CAP_ASPACE, 0));
	CHECK_EQ(pool_info(p).used, 2); /* the object and its root table */
	CHECK_OK(f, frame_from(SLOT_POOL));
	/* Sv39: a 4 KiB leaf needs a level-1 and a level-0 table. */
	CHECK_EQ(INV3(as, ASPACE_MAP, f, 0x10000000UL, RW), 0);
	CHECK_EQ(pool_info(p).used, 4);
	CHECK_EQ(INV3(as, ASPACE_MAP, f, 0x10001000UL, RW), 0);
	CHECK_EQ(INV3(as, ASPACE_MAP, f, 0x2000000000UL, RW), E_NOMEM);
	CHECK_EQ(INV1(as, ASPACE_QUERY, 0x2000000000UL), 0);
	CHECK_EQ(pool_info(p).used, 4);
	/* Destroying the aspace unmaps the frame and frees its tables. */
	CHECK_EQ(cap_delete(as), 0);
	CHECK_EQ(pool_info(p).used, 0);
	CHECK_EQ(cap_delete(f), 0);
	CHECK_EQ(cap_delete(p), 0);
	return 0;
}

static int test_pool_rights(void)
{
	long ro, wo, s;

	CHECK_OK(ro, slot_alloc());
	CHECK_OK(wo, slot_alloc());
	CHECK_OK(s, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_POOL, ro, RIGHT_READ), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_POOL, wo, RIGHT_WRITE), 0);
	CHECK_EQ(INV1(ro, POOL_ALLOC_FRAME, s), E_PERM);
	CHECK_EQ(INV3(ro, POOL_CREATE, CAP_ENDPOINT, s, 0), E_PERM);
	CHECK_EQ(pool_info(ro).err, 0);
	CHECK_EQ(pool_info(wo).err, E_PERM);
	CHECK_EQ(cap_type(s), CAP_NULL);
	CHECK_EQ(INV1(wo, POOL_ALLOC_FRAME, s), 0);
	CHECK_EQ(cap_delete(s), 0);
	CHECK_EQ(cap_delete(ro), 0);
	CHECK_EQ(cap_delete(wo), 0);
	return 0;
}

const test_t tests_pool[] = {
    {"pool_alloc_frame", test_pool_alloc_frame},
    {"pool_create", test_pool_create},
    {"pool_costs", test_pool_costs},
    {"pool_quota", test_pool_quota},
    {"pool_quota_ancestors", test_pool_quota_ancestors},
    {"pool_quota_pagetables", test_pool_quota_pagetables},
    {"pool_rights", test_pool_rights},
};
const int tests_pool_count = sizeof(tests_pool) / sizeof(tests_pool[0]);
