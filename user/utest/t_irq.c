/*
 * Device interrupts through the PLIC: IRQ_BIND, IRQ_ACK, IRQ_UNBIND and
 * the kernel's delivery path, with the console UART as the device.
 *
 * The root task maps the UART's device frame and makes the UART raise its
 * interrupt line:
 *   - ns16550a: IER bit 1 (ETBEI), the transmitter-holding-register-empty
 *     interrupt, which is pending at once because THR is empty;
 *   - sifive,uart0: txctrl watermark 1 and ie.txwm, pending at once
 *     because the transmit FIFO is empty (fewer than 1 entries).
 * The line stays up until the test lowers it again.  While a source is
 * pending the tests lower and raise the line once more: nothing may
 * arrive until IRQ_ACK, and then exactly one interrupt.  (QEMU's PLIC
 * latches a request when the line is raised and forgets it when the line
 * goes down; it does not look at the line again when a source is
 * completed, so only a new raise makes the source pending again.)  The kernel's SBI console
 * shares the UART: every test ends with its interrupt enables at 0 (and
 * the ns16550's FIFO and modem control as OpenSBI set them), and nothing
 * prints while the UART is changed.
 *
 * Interrupts taken in user mode happen at the store that raises the line.
 * irq_idle makes one arrive while the kernel idles in wfi: the ns16550's
 * receive-timeout interrupt, which fires a few character times after a
 * byte arrives in a FIFO below its trigger level (loopback mode feeds it
 * the byte).  The SiFive UART has no delayed interrupt; there that test
 * says so and checks nothing.
 *
 * The last test destroys the root task's one IRQ handler object while it
 * is bound and pending (test_expect_destroyed tells the runner that the
 * object and its frame are gone on purpose); no test of the IRQ handler
 * may follow it.
 */
#include <string.h>

#include "utest.h"

#define UART_VA TWIN_VA(TWIN_PAGES - 1)

/* ns16550 registers (reg-shift 0, as on QEMU virt). */
enum { NS_THR = 0, NS_RBR = 0, NS_IER = 1, NS_IIR = 2, NS_FCR = 2, NS_MCR = 4, NS_LSR = 5 };
#define NS_IER_ERBFI   0x01
#define NS_IER_ETBEI   0x02
#define NS_IIR_NONE    0x01 /* no interrupt pending */
#define NS_FCR_OPENSBI 0x01 /* FIFO on, trigger level 1: what OpenSBI sets */
#define NS_FCR_TRIG4   0x41 /* FIFO on, trigger level 4 */
#define NS_MCR_LOOP    0x10
#define NS_LSR_DR      0x01

/* SiFive UART registers (32-bit words). */
enum { SF_TXCTRL = 0x08 / 4, SF_IE = 0x10 / 4, SF_IP = 0x14 / 4 };
#define SF_TXCNT(n) ((unsigned)(n) << 16) /* txctrl watermark, bits 16..18 */
#define SF_TXCNT_M  SF_TXCNT(7)
#define SF_IE_TXWM  1u

typedef struct uart {
	const bootinfo_device_t *dev;
	int sifive;
	uint32_t txctrl; /* SiFive: txctrl before the test */
} uart_t;

static uart_t uart;

static volatile uint8_t *ns(void)
{
	return (volatile uint8_t *)UART_VA;
}

static volatile uint32_t *sf(void)
{
	return (volatile uint32_t *)UART_VA;
}

/* The console UART of bootinfo with an interrupt, or NULL. */
static const bootinfo_device_t *find_uart(void)
{
	for (uint32_t i = 0; i < test_bi->ndevices && i < BOOTINFO_MAX_DEVICES; i++) {
		const bootinfo_device_t *d = &test_bi->devices[i];
		if (d->irq && d->irq_slot &&
		    (!strcmp(d->compatible, "ns16550a") || !strcmp(d->compatible, "sifive,uart0")))
			return d;
	}
	return NULL;
}

/* Raise / lower the UART's interrupt line. */
static void uart_raise(void)
{
	if (uart.sifive) {
		sf()[SF_TXCTRL] = (uart.txctrl & ~SF_TXCNT_M) | SF_TXCNT(1);
		sf()[SF_IE] = SF_IE_TXWM;
	} else {
		ns()[NS_IER] = NS_IER_ETBEI;
	}
}

static void uart_lower(void)
{
	if (uart.sifive) {
		sf()[SF_IE] = 0;
		sf()[SF_TXCTRL] = uart.txctrl;
	} else {
		ns()[NS_IER] = 0;
	}
}

static unsigned long irq_count(void)
{
	kstats_t k;
	if (kstats(&k) < 0 || uart.dev->irq >= KSTATS_IRQS)
		return ~0UL;
	return k.irq_count[uart.dev->irq];
}

/*
 * Run body with the UART mapped at UART_VA; afterwards, whatever body did,
 * lower the line, unbind the handler and unmap the UART.
 */
static int with_uart(int (*body)(unsigned long irq))
{
	uart.dev = find_uart();
	if (!uart.dev)
		return FAIL("no UART with an interrupt in bootinfo");
	if (uart.dev->irq >= KSTATS_IRQS)
		return FAIL("UART irq %u not listed in kstats", uart.dev->irq);
	uart.sifive = !strcmp(uart.dev->compatible, "sifive,uart0");
	long err =
	    INV3(SLOT_ASPACE, ASPACE_MAP, uart.dev->first_slot, UART_VA, RIGHT_READ | RIGHT_WRITE);
	if (err)
		return FAIL("mapping the UART: %s", error_name((int)err));
	if (uart.sifive)
		uart.txctrl = sf()[SF_TXCTRL];
	int rc = body(uart.dev->irq_slot);
	uart_lower();
	INV0(uart.dev->irq_slot, IRQ_UNBIND);
	INV1(SLOT_ASPACE, ASPACE_UNMAP, UART_VA);
	return rc;
}

/* The line up, one interrupt, the source masked until IRQ_ACK. */
static int irq_uart(unsigned long irq)
{
	long n, b;
	unsigned long c0, c1;
	sysret_t r;

	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(b, slot_alloc());
	CHECK_EQ(cap_mint(SLOT_CSPACE, n, b, RIGHT_WRITE, 0x40), 0);
	CHECK_EQ(INV1(irq, IRQ_BIND, b), 0); /* a signal ORs in this badge */
	c0 = irq_count();
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	uart_raise();
	r = sys_wait(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 0x40);
	c1 = irq_count();
	CHECK_EQ(c1, c0 + 1);
	/* Masked until the ack: the line goes down and up, nothing arrives. */
	uart_lower();
	uart_raise();
	spin_ms(2);
	sys_yield();
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	CHECK_EQ(irq_count(), c1);
	/* Acknowledged with the line up: the held-back interrupt arrives. */
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	r = sys_wait(n);
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 0x40);
	CHECK_EQ(irq_count(), c1 + 1);
	/* The driver's part: quiet the device, then acknowledge. */
	uart_lower();
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	spin_ms(2);
	CHECK_EQ(irq_count(), c1 + 1);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	CHECK_EQ(cap_delete(b), 0);
	CHECK_EQ(cap_delete(n), 0);
	return 0;
}

static int test_irq_uart(void)
{
	return with_uart(irq_uart);
}

/* One try at an interrupt that arrives while the kernel idles: 1 if the
 * interrupt was already pending before the wait (try again), 0 if it
 * arrived during the wait, or TEST_FAILED. */
static int idle_once(unsigned long irq, long n, unsigned long c0)
{
	ns()[NS_FCR] = NS_FCR_TRIG4;
	ns()[NS_MCR] = NS_MCR_LOOP;
	ns()[NS_IER] = NS_IER_ERBFI;
	ns()[NS_THR] = 'i'; /* looped back: 1 byte in the FIFO, below 4 */
	int early = !(ns()[NS_IIR] & NS_IIR_NONE);
	sysret_t r = sys_wait(n); /* nothing else runs: the kernel idles */
	ns()[NS_IER] = 0;
	while (ns()[NS_LSR] & NS_LSR_DR)
		(void)ns()[NS_RBR];
	ns()[NS_MCR] = 0;
	ns()[NS_FCR] = NS_FCR_OPENSBI;
	CHECK_EQ(r.r0, 0);
	CHECK_EQ(r.r[0], 1);
	CHECK_EQ(irq_count(), c0 + 1);
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	return early;
}

static int irq_idle(unsigned long irq)
{
	long n;
	int rc = 1;

	if (uart.sifive) {
		uprintf("utest: irq_idle: the SiFive UART has no delayed interrupt: not tested\n");
		return 0;
	}
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_EQ(INV1(irq, IRQ_BIND, n), 0);
	for (int tries = 0; tries < 3 && rc == 1; tries++)
		rc = idle_once(irq, n, irq_count());
	if (rc == 1)
		return FAIL("the receive timeout fired before the wait, three times");
	if (rc)
		return rc;
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	CHECK_EQ(cap_delete(n), 0);
	return 0;
}

static int test_irq_idle(void)
{
	return with_uart(irq_idle);
}

/* IRQ_ACK and IRQ_UNBIND with nothing pending (or nothing bound) do nothing. */
static int irq_ack_idle(unsigned long irq)
{
	long n;
	unsigned long c0 = irq_count();

	CHECK_EQ(INV0(irq, IRQ_ACK), 0); /* not bound */
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_EQ(INV1(irq, IRQ_BIND, n), 0);
	CHECK_EQ(INV0(irq, IRQ_ACK), 0); /* bound, nothing pending */
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	CHECK_EQ(irq_count(), c0);
	/* Still works afterwards. */
	uart_raise();
	CHECK_EQ(sys_wait(n).r0, 0);
	uart_lower();
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	CHECK_EQ(irq_count(), c0 + 1);
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	CHECK_EQ(cap_delete(n), 0);
	return 0;
}

static int test_irq_ack_idle(void)
{
	return with_uart(irq_ack_idle);
}

/* Bad bindings change nothing: the source stays disabled. */
static int irq_errors(unsigned long irq)
{
	long n, ep, ro, wo, irq_ro;
	unsigned long c0 = irq_count();

	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(ep, obj_create(CAP_ENDPOINT, 0));
	CHECK_OK(ro, slot_alloc());
	CHECK_OK(wo, slot_alloc());
	CHECK_OK(irq_ro, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, n, ro, RIGHT_READ), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, n, wo, RIGHT_WRITE), 0);
	CHECK_EQ(cap_copy(SLOT_CSPACE, irq, irq_ro, RIGHT_READ), 0);
	CHECK_EQ(INV1(irq, IRQ_BIND, ep), E_TYPE);
	CHECK_EQ(INV1(irq, IRQ_BIND, SLOT_POOL), E_TYPE);
	CHECK_EQ(INV1(irq, IRQ_BIND, irq), E_TYPE);
	CHECK_EQ(INV1(irq, IRQ_BIND, ro), E_PERM); /* a signal needs WRITE */
	CHECK_EQ(INV1(irq, IRQ_BIND, SLOT_NULL), E_BADCAP);
	CHECK_EQ(INV1(irq, IRQ_BIND, ROOT_CSPACE_SLOTS), E_BADCAP);
	CHECK_EQ(INV1(irq, IRQ_BIND, ~0UL), E_BADCAP);
	CHECK_EQ(INV1(irq_ro, IRQ_BIND, n), E_PERM);
	CHECK_EQ(INV0(irq_ro, IRQ_ACK), E_PERM);
	CHECK_EQ(INV0(irq_ro, IRQ_UNBIND), E_PERM);
	CHECK_EQ(INV0(irq, IRQ_UNBIND + 1), E_NOSYS);
	CHECK_EQ(INV0(irq, IRQ_BIND - 1), E_NOSYS);
	CHECK_EQ(INV0(n, IRQ_ACK), E_NOSYS);
	/* Nothing was bound: the line goes up and down unseen. */
	uart_raise();
	spin_ms(2);
	uart_lower();
	CHECK_EQ(irq_count(), c0);
	CHECK_EQ(sys_poll(n).r0, E_AGAIN);
	/* A write-only notification capability is enough. */
	CHECK_EQ(INV1(irq, IRQ_BIND, wo), 0);
	uart_raise();
	CHECK_EQ(sys_wait(n).r0, 0);
	uart_lower();
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	CHECK_EQ(irq_count(), c0 + 1);
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	cap_delete(irq_ro);
	cap_delete(wo);
	cap_delete(ro);
	cap_delete(ep);
	cap_delete(n);
	return 0;
}

static int test_irq_errors(void)
{
	return with_uart(irq_errors);
}

/* Rebinding keeps a pending interrupt pending; the next one goes to the
 * new notification.  Unbinding a pending source completes and disables it. */
static int irq_rebind(unsigned long irq)
{
	long n1, n2;
	unsigned long c0 = irq_count();

	CHECK_OK(n1, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(n2, obj_create(CAP_NOTIFICATION, 0));
	CHECK_EQ(INV1(irq, IRQ_BIND, n1), 0);
	uart_raise();
	CHECK_EQ(sys_wait(n1).r0, 0);
	CHECK_EQ(INV1(irq, IRQ_BIND, n2), 0); /* pending: nothing new */
	CHECK_EQ(sys_poll(n2).r0, E_AGAIN);
	CHECK_EQ(irq_count(), c0 + 1);
	uart_lower();
	uart_raise(); /* held back until the ack, which lets it through */
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	CHECK_EQ(sys_wait(n2).r0, 0);
	CHECK_EQ(sys_poll(n1).r0, E_AGAIN);
	CHECK_EQ(irq_count(), c0 + 2);
	/* Pending, and held back again: unbinding stops it for good. */
	uart_lower();
	uart_raise();
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	spin_ms(2);
	CHECK_EQ(irq_count(), c0 + 2);
	uart_lower();
	/* The binding held the notifications: n1 goes now, n2 with its cap. */
	CHECK_EQ(cap_delete(n1), 0);
	/* Bound again, with the line down: quiet, and working. */
	CHECK_EQ(INV1(irq, IRQ_BIND, n2), 0);
	spin_ms(2);
	CHECK_EQ(sys_poll(n2).r0, E_AGAIN);
	uart_raise();
	CHECK_EQ(sys_wait(n2).r0, 0);
	uart_lower();
	CHECK_EQ(INV0(irq, IRQ_ACK), 0);
	CHECK_EQ(irq_count(), c0 + 3);
	CHECK_EQ(INV0(irq, IRQ_UNBIND), 0);
	CHECK_EQ(cap_delete(n2), 0);
	return 0;
}

static int test_irq_rebind(void)
{
	return with_uart(irq_rebind);
}

/*
 * Deleting IRQ handler capabilities while bound: a copy (the object
 * lives on, still bound), then the last one while an interrupt is pending
 * (the object goes, the notification is released, the source is
 * disabled).  The system runs on.
 */
static int irq_delete(unsigned long irq)
{
	long n, copy, n2;
	kstats_t k0, k1;
	unsigned long c0 = irq_count();

	CHECK_OK(n, obj_create(CAP_NOTIFICATION, 0));
	CHECK_OK(copy, slot_alloc());
	CHECK_EQ(cap_copy(SLOT_CSPACE, irq, copy, RIGHTS_ALL), 0);
	CHECK_EQ(INV1(copy, IRQ_BIND, n), 0);
	CHECK_EQ(cap_delete(copy), 0);
	uart_raise();
	CHECK_EQ(sys_wait(n).r0, 0);
	CHECK_EQ(irq_count(), c0 + 1);
	/* Pending, line up: now the last capability. */
	CHECK_EQ(kstats(&k0), 0);
	test_expect_destroyed(CAP_IRQ);
	CHECK_EQ(cap_delete(irq), 0);
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.objects[CAP_IRQ], k0.objects[CAP_IRQ] - 1);
	CHECK_EQ(k1.objects[CAP_NOTIFICATION], k0.objects[CAP_NOTIFICATION]);
	spin_ms(2);
	CHECK_EQ(irq_count(), c0 + 1); /* disabled: the line is not seen */
	uart_lower();
	uart_raise();
	spin_ms(2);
	uart_lower();
	CHECK_EQ(irq_count(), c0 + 1);
	CHECK_EQ(kstats(&k0), 0);
	CHECK_EQ(cap_delete(n), 0); /* the last reference now */
	CHECK_EQ(kstats(&k1), 0);
	CHECK_EQ(k1.objects[CAP_NOTIFICATION], k0.objects[CAP_NOTIFICATION] - 1);
	CHECK_EQ(k1.irq_unbound, k0.irq_unbound);
	/* Everything else still works. */
	CHECK_EQ(sys_null(), 0);
	CHECK_OK(n2, obj_create(CAP_NOTIFICATION, 0));
	CHECK_EQ(sys_signal(n2), 0);
	CHECK_EQ(sys_wait(n2).r[0], 1);
	CHECK_EQ(cap_delete(n2), 0);
	CHECK_EQ(INV0(SLOT_DEBUG, DEBUG_CHECK), 0);
	return 0;
}

static int test_irq_delete(void)
{
	return with_uart(irq_delete);
}

/* irq_delete last: it destroys the IRQ handler. */
const test_t tests_irq[] = {
    {"irq_uart", test_irq_uart},	 {"irq_idle", test_irq_idle},
    {"irq_ack_idle", test_irq_ack_idle}, {"irq_errors", test_irq_errors},
    {"irq_rebind", test_irq_rebind},	 {"irq_delete", test_irq_delete},
};
const int tests_irq_count = sizeof(tests_irq) / sizeof(tests_irq[0]);
