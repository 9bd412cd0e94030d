/*
 * Capability-space invocations: COPY, MINT, MOVE, DELETE, INFO, with
 * valid input and every error class, and the rights they need.
 */
#include "utest.h"

#define RW (RIGHT_READ | RIGHT_WRITE)

static int test_cspace_info(void)
{
	capinfo_t ci;
	long empty, cs;

	CHECK_OK(empty, slot_alloc());
	ci = cap_info(SLOT_CSPACE, empty);
	CHECK_EQ(ci.err, ROOT_CSPACE_SLOTS);
	CHECK_EQ(ci.type, CAP_NULL);
	CHECK_EQ(cap_info(SLOT_CSPACE, ROOT_CSPACE_SLOTS).err, E_BADCAP);
	CHECK_EQ(cap_info(SLOT_CSPACE, ~0UL).err, E_BADCAP);
	CHECK_OK(cs, obj_create(CAP_CSPACE, 8));
	ci = cap_info(SLOT_CSPACE, cs);
	CHECK_EQ(ci.type, CAP_CSPACE);
	CHECK_EQ(ci.rights, RIGHTS_ALL);
	CHECK_EQ(ci.badge, 0);
	ci = cap_info(cs, 7);
	CHECK_EQ(ci.err, 8);
	CHECK_EQ(ci.type, CAP_NULL);
	CHECK_EQ(cap_info(cs, 8).err, E_BADCAP);
	CHECK_EQ(cap_delete(cs), 0);
	return 0;
}

static int test_cspace_copy(void)
{
	long ep, a, b, empty;
	capinfo_t ci;

	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(a, slot_alloc());
	CHECK_OK(b, slot_alloc());
	CHECK_OK(empty, slot_alloc());
	ci = cap_info(SLOT_CSPACE, ep);
	CHECK_EQ(ci.type, CAP_ENDPOINT);
	CHECK_EQ(ci.rights, RIGHTS_ALL);
	/* dst rights = src rights & mask */
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, a, RW), 0);
	ci = cap_info(SLOT_CSPACE, a);
	CHECK_EQ(ci.type, CAP_ENDPOINT);
	CHECK_EQ(ci.rights, RW);
	CHECK_EQ(ci.badge, 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, a, b, RIGHT_WRITE | RIGHT_GRANT), 0);
	CHECK_EQ(cap_info(SLOT_CSPACE, b).rights, RIGHT_WRITE);
	CHECK_EQ(cap_delete(b), 0);
	/* Errors change nothing. */
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, b, RIGHTS_ALL | 16), E_INVAL);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, b, ~0UL), E_INVAL);
	CHECK_EQ(cap_copy(SLOT_CSPACE, empty, b, RIGHTS_ALL), E_BADCAP);
	CHECK_EQ(cap_copy(SLOT_CSPACE, SLOT_NULL, b, RIGHTS_ALL), E_BADCAP);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ROOT_CSPACE_SLOTS, b, RIGHTS_ALL), E_BADCAP);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, ROOT_CSPACE_SLOTS, RIGHTS_ALL), E_BADCAP);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, ~0UL, RIGHTS_ALL), E_BADCAP);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, a, RIGHTS_ALL), E_EXISTS);
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, ep, RIGHTS_ALL), E_EXISTS);
	CHECK_EQ(cap_info(SLOT_CSPACE, b).type, CAP_NULL);
	CHECK_EQ(cap_info(SLOT_CSPACE, a).rights, RW);
	CHECK_EQ(cap_delete(a), 0);
	CHECK_EQ(cap_delete(ep), 0);
	return 0;
}

static int test_cspace_mint(void)
{
	long ep, ntfn, frame, a, b, c;
	capinfo_t ci;

	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(ntfn, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(frame, slot_alloc());
	CHECK_EQ(INV1(SLOT_POOL, POOL_ALLOC_FRAME, frame), 0);
	CHECK_OK(a, slot_alloc());
	CHECK_OK(b, slot_alloc());
	CHECK_OK(c, slot_alloc());

	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, a, RIGHT_WRITE | RIGHT_GRANT, 0x77), 0);
	ci = cap_info(SLOT_CSPACE, a);
	CHECK_EQ(ci.type, CAP_ENDPOINT);
	CHECK_EQ(ci.rights, RIGHT_WRITE | RIGHT_GRANT);
	CHECK_EQ(ci.badge, 0x77);
	/* A badged cap cannot be re-badged, but copies keep the badge. */
	CHECK_EQ(cap_mint(SLOT_CSPACE, a, b, RIGHTS_ALL, 0x78), E_INVAL);
	CHECK_EQ(cap_copy(SLOT_CSPACE, a, b, RIGHTS_ALL), 0);
	ci = cap_info(SLOT_CSPACE, b);
	CHECK_EQ(ci.badge, 0x77);
	CHECK_EQ(ci.rights, RIGHT_WRITE | RIGHT_GRANT);
	CHECK_EQ(cap_delete(b), 0);

	CHECK_EQ(cap_mint(SLOT_CSPACE, ntfn, b, RIGHT_WRITE, 1UL << 63), 0);
	ci = cap_info(SLOT_CSPACE, b);
	CHECK_EQ(ci.type, CAP_NOTIFICATION);
	CHECK_EQ(ci.badge, 1UL << 63);
	CHECK_EQ(cap_delete(b), 0);

	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b, RIGHTS_ALL, 0), E_INVAL);
	CHECK_EQ(cap_mint(SLOT_CSPACE, frame, b, RIGHTS_ALL, 1), E_TYPE);
	CHECK_EQ(cap_mint(SLOT_CSPACE, SLOT_POOL, b, RIGHTS_ALL, 1), E_TYPE);
	CHECK_EQ(cap_mint(SLOT_CSPACE, SLOT_CSPACE, b, RIGHTS_ALL, 1), E_TYPE);
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, b, 0x30, 1), E_INVAL);
	CHECK_EQ(cap_mint(SLOT_CSPACE, c, b, RIGHTS_ALL, 1), E_BADCAP);
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, ROOT_CSPACE_SLOTS, RIGHTS_ALL, 1), E_BADCAP);
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, a, RIGHTS_ALL, 1), E_EXISTS);
	CHECK_EQ(cap_info(SLOT_CSPACE, b).type, CAP_NULL);
	CHECK_EQ(cap_info(SLOT_CSPACE, a).badge, 0x77);

	cap_delete(a);
	cap_delete(frame);
	cap_delete(ntfn);
	cap_delete(ep);
	return 0;
}

static int test_cspace_move(void)
{
	long ep, a, b, cs, empty;
	capinfo_t ci;

	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(a, slot_alloc());
	CHECK_OK(b, slot_alloc());
	CHECK_OK(empty, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, ep, a, RIGHT_READ | RIGHT_WRITE, 5), 0);

	CHECK_EQ(INV2(SLOT_CSPACE, CSPACE_MOVE, a, b), 0);
	CHECK_EQ(cap_info(SLOT_CSPACE, a).type, CAP_NULL);
	ci = cap_info(SLOT_CSPACE, b);
	CHECK_EQ(ci.type, CAP_ENDPOINT);
	CHECK_EQ(ci.rights, RIGHT_READ | RIGHT_WRITE);
	CHECK_EQ(ci.badge, 5);

	CHECK_EQ(INV2(SLOT_CSPACE, CSPACE_MOVE, b, b), E_INVAL);
	CHECK_EQ(INV2(SLOT_CSPACE, CSPACE_MOVE, empty, a), E_BADCAP);
	CHECK_EQ(INV2(SLOT_CSPACE, CSPACE_MOVE, ROOT_CSPACE_SLOTS, a), E_BADCAP);
	CHECK_EQ(INV2(SLOT_CSPACE, CSPACE_MOVE, b, ROOT_CSPACE_SLOTS), E_BADCAP);
	CHECK_EQ(INV2(SLOT_CSPACE, CSPACE_MOVE, b, ep), E_EXISTS);
	CHECK_EQ(cap_info(SLOT_CSPACE, b).badge, 5);
	CHECK_EQ(cap_info(SLOT_CSPACE, ep).badge, 0);

	/* Into another cspace: the source is in the caller's. */
	CHECK_OK(cs, obj_create(CAP_CSPACE, 4));
	CHECK_EQ(INV2(cs, CSPACE_MOVE, b, 4), E_BADCAP);
	CHECK_EQ(INV2(cs, CSPACE_MOVE, b, 3), 0);
	CHECK_EQ(cap_info(SLOT_CSPACE, b).type, CAP_NULL);
	ci = cap_info(cs, 3);
	CHECK_EQ(ci.type, CAP_ENDPOINT);
	CHECK_EQ(ci.badge, 5);
	CHECK_EQ(INV1(cs, CSPACE_DELETE, 3), 0);
	CHECK_EQ(cap_info(cs, 3).type, CAP_NULL);
	CHECK_EQ(cap_delete(cs), 0);
	CHECK_EQ(cap_delete(ep), 0);
	return 0;
}

static int test_cspace_delete(void)
{
	kstats_t k0, k1;
	long ep, a, empty, cs;

	CHECK_EQ(kstats(&k0), 0);
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(a, slot_alloc());
	CHECK_OK(empty, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, ep, a, RIGHTS_ALL), 0);
	CHECK_EQ(cap_delete(empty), E_BADCAP);
	CHECK_EQ(cap_delete(SLOT_NULL), E_BADCAP);
	CHECK_EQ(cap_delete(ROOT_CSPACE_SLOTS), E_BADCAP);
	CHECK_EQ(cap_delete(~0UL), E_BADCAP);
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(cap_type(ep), CAP_NULL);
	CHECK_EQ(cap_delete(ep), E_BADCAP);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.objects[CAP_ENDPOINT], k0.objects[CAP_ENDPOINT] + 1);
	CHECK_EQ(cap_delete(a), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.objects[CAP_ENDPOINT], k0.objects[CAP_ENDPOINT]);

	/* Deleting a cspace deletes the caps inside it. */
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(cs, obj_create(CAP_CSPACE, 2));
	CHECK_EQ(cap_copy(cs, ep, 1, RIGHTS_ALL), 0);
	CHECK_EQ(INV1(cs, CSPACE_DELETE, 0), E_BADCAP);
	CHECK_EQ(INV1(cs, CSPACE_DELETE, 2), E_BADCAP);
	CHECK_EQ(cap_delete(ep), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.objects[CAP_ENDPOINT], k0.objects[CAP_ENDPOINT] + 1);
	CHECK_EQ(cap_delete(cs), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.objects[CAP_ENDPOINT], k0.objects[CAP_ENDPOINT]);
	CHECK_EQ(k1.objects[CAP_CSPACE], k0.objects[CAP_CSPACE]);
	CHECK_EQ(k1.frames_free, k0.frames_free);
	return 0;
}

/* Changing a cspace needs WRITE on its cap, reading it needs READ. */
static int test_cspace_rights(void)
{
	long cs, ro, wo, ep;

	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(cs, obj_create(CAP_CSPACE, 4));
	CHECK_OK(ro, slot_alloc());
	CHECK_OK(wo, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, cs, ro, RIGHT_READ), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, cs, wo, RIGHT_WRITE), 0);

	CHECK_EQ(cap_copy(ro, ep, 1, RIGHTS_ALL), E_PERM);
	CHECK_EQ(cap_mint(ro, ep, 1, RIGHTS_ALL, 9), E_PERM);
	CHECK_EQ(INV2(ro, CSPACE_MOVE, ep, 1), E_PERM);
	CHECK_EQ(cap_type(ep), CAP_ENDPOINT);
	CHECK_EQ(cap_info(ro, 1).type, CAP_NULL);

	CHECK_EQ(cap_copy(wo, ep, 1, RIGHTS_ALL), 0);
	CHECK_EQ(cap_info(wo, 1).err, E_PERM);
	CHECK_EQ(INV1(ro, CSPACE_DELETE, 1), E_PERM);
	CHECK_EQ(cap_info(ro, 1).type, CAP_ENDPOINT);
	CHECK_EQ(INV1(wo, CSPACE_DELETE, 1), 0);

	cap_delete(wo);
	cap_delete(ro);
	cap_delete(cs);
	cap_delete(ep);
	return 0;
}

const test_t tests_cspace[] = {
    {"cspace_info", test_cspace_info},	   {"cspace_copy", test_cspace_copy},
    {"cspace_mint", test_cspace_mint},	   {"cspace_move", test_cspace_move},
    {"cspace_delete", test_cspace_delete}, {"cspace_rights", test_cspace_rights},
};
const int tests_cspace_count = sizeof(tests_cspace) / sizeof(tests_cspace[0]);
