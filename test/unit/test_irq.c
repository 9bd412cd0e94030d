/*
 * Host tests for IRQ handler objects and interrupt delivery (kern/irq.c)
 * over the real capability, pool and object code and a fake interrupt
 * controller that logs every enable ("e10"), disable ("d10") and
 * completion ("c10") and hands out the claims a case queues.
 *
 * A rejected IRQ_BIND must change nothing (no controller access, no
 * reference taken); a source is enabled once per binding, completed only
 * when pending, and always completed before it is disabled (the PLIC
 * ignores the completion of a disabled source).
 */
#include <string.h>

#include <abi/error.h>
#include <kern/cspace.h>
#include <kern/frame.h>
#include <kern/irq.h>
#include <kern/kobj.h>
#include <kern/notification.h>
#include <kern/pool.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/trapentry.h>

#include "unit.h"

UNIT_MAIN("irq");

/* ------------------------------------------ the fake interrupt controller */

#define NSOURCES 96

static char ctl_log[256];
static uint32_t claims[8];
static unsigned nclaims, next_claim;

static void log_event(char what, uint32_t src)
{
	size_t n = strlen(ctl_log);
	snprintf(ctl_log + n, sizeof(ctl_log) - n, "%c%u ", what, src);
}

bool arch_irq_valid(uint32_t src)
{
	return src >= 1 && src <= NSOURCES;
}

void arch_irq_enable(uint32_t src)
{
	log_event('e', src);
}

void arch_irq_disable(uint32_t src)
{
	log_event('d', src);
}

void arch_irq_complete(uint32_t src)
{
	log_event('c', src);
}

uint32_t arch_irq_claim(void)
{
	return next_claim < nclaims ? claims[next_claim++] : 0;
}

/* An interrupt whose claim returns src. */
static void interrupt(uint32_t src)
{
	nclaims = next_claim = 0;
	claims[nclaims++] = src;
	kern_irq_external();
}

/* ---------------------------------------------- what the kernel needs --- */

/* panic, kprintf: test/unit/kern_stubs.c; fake RAM: fake_ram.c */

static unsigned long signals, ntfn_destroyed;
static notification_t *signalled;
static uint64_t signal_bits;

void ntfn_signal(notification_t *n, uint64_t bits)
{
	signals++;
	signalled = n;
	signal_bits = bits;
}

void ntfn_destroy(notification_t *n)
{
	ntfn_destroyed++;
}

void aspace_destroy(aspace_t *as)
{
	abort();
}

void thread_destroy(thread_t *t)
{
	abort();
}

void ep_destroy(endpoint_t *ep)
{
}

/* ------------------------------------------------------------ set-up --- */

#define BASE   0x80000000UL
#define NPAGES 256

static void *storage;

/*
 * The caller's cspace:
 *   1 IRQ handler for source 10, all rights   5 endpoint
 *   2 the same handler, READ only              6 the notification, badge 0x40, WRITE
 *   3 notification, READ|WRITE                 7 a second notification, WRITE
 *   4 the same notification, READ only         8 IRQ handler for source 10 (another)
 *                                              9 IRQ handler for source 200 (none)
 */
enum { S_IRQ = 1, S_IRQ_RO, S_NTFN, S_NTFN_RO, S_EP, S_NTFN_B, S_NTFN2, S_IRQ2, S_IRQ_BAD };

typedef struct world {
	pool_t *root;
	cspace_t *cs;
	irq_t *irq, *irq2, *irq_bad;
	kobj_t *ntfn, *ntfn2, *ep;
	thread_t self;
	irq_stats_t st0;
	unsigned long count10, count11;
} world_t;

static void must(int err)
{
	if (err)
		abort();
}

static void give(cspace_t *cs, uint64_t idx, unsigned type, unsigned rights, uint64_t badge,
		 kobj_t *o)
{
	cspace_install(
	    cspace_slot(cs, idx),
	    &(cap_t){.type = (uint8_t)type, .rights = (uint8_t)rights, .badge = badge, .obj = o});
}

static void world_begin(world_t *w, const char *name)
{
	unit_case = name;
	free(fake_ram);
	free(storage);
	fake_ram_base = BASE;
	fake_ram_size = NPAGES * PAGE_SIZE;
	fake_ram = malloc(fake_ram_size);
	frame_range_t ram = {BASE, NPAGES * PAGE_SIZE};
	storage = malloc(frame_table_bytes(&ram, 1));
	if (!fake_ram || !storage || frame_init(storage, &ram, 1))
		abort();
	frame_seal();
	memset(w, 0, sizeof(*w));
	w->root = pool_create_root();
	must(cspace_create(w->root, 16, &w->cs));
	must(irq_create(w->root, 10, &w->irq));
	must(irq_create(w->root, 10, &w->irq2));
	must(irq_create(w->root, 200, &w->irq_bad));
	must(kobj_alloc(w->root, CAP_NOTIFICATION, &w->ntfn));
	must(kobj_alloc(w->root, CAP_NOTIFICATION, &w->ntfn2));
	must(kobj_alloc(w->root, CAP_ENDPOINT, &w->ep));
	give(w->cs, S_IRQ, CAP_IRQ, RIGHTS_ALL, 0, &w->irq->obj);
	kobj_ref(&w->irq->obj);
	give(w->cs, S_IRQ_RO, CAP_IRQ, RIGHT_READ, 0, &w->irq->obj);
	give(w->cs, S_NTFN, CAP_NOTIFICATION, RIGHT_READ | RIGHT_WRITE, 0, w->ntfn);
	kobj_ref(w->ntfn);
	give(w->cs, S_NTFN_RO, CAP_NOTIFICATION, RIGHT_READ, 0, w->ntfn);
	give(w->cs, S_EP, CAP_ENDPOINT, RIGHTS_ALL, 0, w->ep);
	kobj_ref(w->ntfn);
	give(w->cs, S_NTFN_B, CAP_NOTIFICATION, RIGHT_WRITE, 0x40, w->ntfn);
	give(w->cs, S_NTFN2, CAP_NOTIFICATION, RIGHT_WRITE, 0, w->ntfn2);
	give(w->cs, S_IRQ2, CAP_IRQ, RIGHTS_ALL, 0, &w->irq2->obj);
	give(w->cs, S_IRQ_BAD, CAP_IRQ, RIGHTS_ALL, 0, &w->irq_bad->obj);
	w->self.cs = w->cs;
	ctl_log[0] = 0;
	signals = ntfn_destroyed = 0;
	signalled = NULL;
	irq_get_stats(&w->st0);
	w->count10 = w->st0.count[10];
	w->count11 = w->st0.count[11];
}

/* Dropping the cspace drops every capability: every frame comes back. */
#define WORLD_END(w)                                                                               \
	do {                                                                                       \
		kobj_unref(&(w)->cs->obj);                                                         \
		CHECK_EQ((w)->root->used, 0);                                                      \
		kobj_unref(&(w)->root->obj);                                                       \
		CHECK_EQ(frame_free_count(), NPAGES);                                              \
		for (unsigned t_ = 0; t_ < CAP_NTYPES; t_++)                                       \
			CHECK_EQ(kobj_live(t_), 0);                                                \
	} while (0)

/* Invoke the capability in slot with label and a2. */
static long inv(world_t *w, uint64_t slot, uint64_t label, uint64_t a2)
{
	sysargs_t a = {.self = &w->self, .arg = {slot, label, a2}};
	cap_t *c = cspace_slot(w->cs, slot);
	if (!c || c->type != CAP_IRQ)
		abort();
	return invoke_irq((irq_t *)c->obj, c, &a);
}

/* ------------------------------------------------------------- cases --- */

/* Every rejected IRQ_BIND: no controller access, no reference taken. */
static void bind_rejects(void)
{
	world_t w;
	world_begin(&w, "bind_rejects");
	uint32_t refs = w.ntfn->refs;
	static const struct {
		uint64_t slot, label, arg;
		long err;
	} bad[] = {
	    {S_IRQ, IRQ_BIND, 0, E_BADCAP},
	    {S_IRQ, IRQ_BIND, 12, E_BADCAP},
	    {S_IRQ, IRQ_BIND, 16, E_BADCAP},
	    {S_IRQ, IRQ_BIND, ~0UL, E_BADCAP},
	    {S_IRQ, IRQ_BIND, S_EP, E_TYPE},
	    {S_IRQ, IRQ_BIND, S_IRQ2, E_TYPE},
	    {S_IRQ, IRQ_BIND, S_NTFN_RO, E_PERM},
	    {S_IRQ_RO, IRQ_BIND, S_NTFN, E_PERM},
	    {S_IRQ_RO, IRQ_ACK, 0, E_PERM},
	    {S_IRQ_RO, IRQ_UNBIND, 0, E_PERM},
	    {S_IRQ, IRQ_BIND - 1, S_NTFN, E_NOSYS},
	    {S_IRQ, IRQ_UNBIND + 1, S_NTFN, E_NOSYS},
	    {S_IRQ, (1UL << 32) | IRQ_BIND, S_NTFN, E_NOSYS},
	    {S_IRQ_BAD, IRQ_BIND, S_NTFN, E_NOENT}, /* no such source */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(inv(&w, bad[i].slot, bad[i].label, bad[i].arg), bad[i].err);
		CHECK_EQ(w.ntfn->refs, refs);
		CHECK(w.irq->ntfn == NULL && w.irq_bad->ntfn == NULL);
		CHECK_EQ(strlen(ctl_log), 0);
	}
	/* Another handler for a bound source. */
	CHECK_EQ(inv(&w, S_IRQ, IRQ_BIND, S_NTFN), 0);
	CHECK_EQ(inv(&w, S_IRQ2, IRQ_BIND, S_NTFN2), E_BUSY);
	CHECK(w.irq2->ntfn == NULL);
	CHECK_EQ(w.ntfn2->refs, 1);
	CHECK(!strcmp(ctl_log, "e10 "));
	CHECK_EQ(inv(&w, S_IRQ, IRQ_UNBIND, 0), 0);
	WORLD_END(&w);
}

/* Bind, interrupt, ack; rebinding while pending keeps it pending. */
static void bind_signal_ack(void)
{
	world_t w;
	world_begin(&w, "bind_signal_ack");
	CHECK_EQ(inv(&w, S_IRQ, IRQ_ACK, 0), 0); /* unbound: nothing */
	CHECK_EQ(inv(&w, S_IRQ, IRQ_BIND, S_NTFN_B), 0);
	CHECK_EQ(w.ntfn->refs, 4);
	CHECK(!strcmp(ctl_log, "e10 "));
	CHECK_EQ(inv(&w, S_IRQ, IRQ_ACK, 0), 0); /* not pending: nothing */
	CHECK(!strcmp(ctl_log, "e10 "));

	interrupt(10);
	CHECK_EQ(signals, 1);
	CHECK(signalled == (notification_t *)w.ntfn);
	CHECK_EQ(signal_bits, 0x40); /* the binding capability's badge */
	CHECK(w.irq->pending);
	CHECK(!strcmp(ctl_log, "e10 ")); /* claimed, not completed: masked */
	irq_stats_t st;
	irq_get_stats(&st);
	CHECK_EQ(st.count[10], w.count10 + 1);

	/* Rebind while pending: the old notification is let go, no enable. */
	CHECK_EQ(inv(&w, S_IRQ, IRQ_BIND, S_NTFN2), 0);
	CHECK_EQ(w.ntfn->refs, 3);
	CHECK_EQ(w.ntfn2->refs, 2);
	CHECK(w.irq->pending);
	CHECK(!strcmp(ctl_log, "e10 "));
	CHECK_EQ(inv(&w, S_IRQ, IRQ_ACK, 0), 0);
	CHECK(!strcmp(ctl_log, "e10 c10 "));
	CHECK(!w.irq->pending);
	CHECK_EQ(inv(&w, S_IRQ, IRQ_ACK, 0), 0);
	CHECK(!strcmp(ctl_log, "e10 c10 "));

	interrupt(10);
	CHECK(signalled == (notification_t *)w.ntfn2);
	CHECK_EQ(signal_bits, 0); /* unbadged: the notification ORs in 1 */
	CHECK_EQ(inv(&w, S_IRQ, IRQ_UNBIND, 0), 0);
	CHECK(!strcmp(ctl_log, "e10 c10 c10 d10 "));
	CHECK_EQ(w.ntfn2->refs, 1);
	CHECK_EQ(inv(&w, S_IRQ, IRQ_UNBIND, 0), 0); /* not bound: nothing */
	CHECK(!strcmp(ctl_log, "e10 c10 c10 d10 "));
	WORLD_END(&w);
}

/* Nothing to claim, a source nobody handles, a number out of range. */
static void spurious_unbound(void)
{
	world_t w;
	irq_stats_t st;
	world_begin(&w, "spurious_unbound");
	interrupt(0);
	irq_get_stats(&st);
	CHECK_EQ(st.spurious, w.st0.spurious + 1);
	CHECK_EQ(strlen(ctl_log), 0);
	interrupt(11);
	irq_get_stats(&st);
	CHECK_EQ(st.unbound, w.st0.unbound + 1);
	CHECK_EQ(st.count[11], w.count11 + 1);
	CHECK(!strcmp(ctl_log, "c11 d11 ")); /* completed while still enabled */
	interrupt(5000);
	irq_get_stats(&st);
	CHECK_EQ(st.unbound, w.st0.unbound + 2);
	CHECK(!strcmp(ctl_log, "c11 d11 c5000 d5000 "));
	CHECK_EQ(signals, 0);
	WORLD_END(&w);
}

/* The last capability of a bound, pending handler goes. */
static void destroy_pending(void)
{
	world_t w;
	world_begin(&w, "destroy_pending");
	CHECK_EQ(inv(&w, S_IRQ, IRQ_BIND, S_NTFN), 0);
	interrupt(10);
	CHECK(w.irq->pending);
	cap_drop(cspace_slot(w.cs, S_IRQ_RO));
	CHECK(!strcmp(ctl_log, "e10 ")); /* one capability left */
	cap_drop(cspace_slot(w.cs, S_IRQ));
	CHECK(!strcmp(ctl_log, "e10 c10 d10 "));
	CHECK_EQ(w.ntfn->refs, 3); /* the binding's reference is gone */
	CHECK_EQ(kobj_live(CAP_IRQ), 2);
	/* The source is free for the other handler now. */
	CHECK_EQ(inv(&w, S_IRQ2, IRQ_BIND, S_NTFN2), 0);
	CHECK(!strcmp(ctl_log, "e10 c10 d10 e10 "));
	interrupt(10);
	CHECK(signalled == (notification_t *)w.ntfn2);
	/* A bound notification outlives its capabilities. */
	cap_drop(cspace_slot(w.cs, S_NTFN2));
	CHECK_EQ(ntfn_destroyed, 0);
	CHECK_EQ(inv(&w, S_IRQ2, IRQ_UNBIND, 0), 0);
	CHECK_EQ(ntfn_destroyed, 1);
	CHECK(!strcmp(ctl_log, "e10 c10 d10 e10 c10 d10 "));
	WORLD_END(&w);
}

int main(void)
{
	RUN(bind_rejects);
	RUN(bind_signal_ack);
	RUN(spurious_unbound);
	RUN(destroy_pending);
	UNIT_EXIT();
}
