/*
 * console: the user-level UART driver and line discipline.
 *
 * procsrv starts it at boot (parent 0) with the stdout UART's registers
 * mapped at PROC_DEV_VA, the UART's IRQ handler in PSLOT_IRQ bound to its
 * notification (PSLOT_NTFN), and argv = console KIND OFFSET SHIFT, KIND
 * being "ns16550a" or "sifive".  It owns no descriptors; it speaks to
 * procsrv with PS_CONS_INPUT (typed lines) and PS_CONS_OUTPUT (what
 * processes wrote), procsrv_proto.h.
 *
 * One loop: take every received byte through the line discipline, hand
 * the finished lines to procsrv, print everything procsrv has for the
 * console, acknowledge the interrupt and wait on the notification, which
 * the UART's receive interrupt and procsrv (output waiting, room for
 * input again) both signal.  When procsrv's input queue is full the bytes
 * wait here (pend); when pend is full too, the receive interrupt is
 * switched off and the bytes wait in the UART (QEMU then stops reading its
 * input: nothing is dropped; a Ctrl-C typed then is seen only once the
 * bytes before it have found room).  Transmission polls the UART's ready
 * bit before each byte, so nothing is dropped on output either; at most
 * OUT_BUDGET bytes are printed between two looks at the input.
 *
 * Line discipline (canonical mode): bytes are echoed; Enter (CR or LF)
 * ends a line (echo CR LF); Backspace or DEL erases a byte, Ctrl-U the
 * line; Ctrl-D hands over the line without a newline, or end of file if
 * the line is empty; Ctrl-C drops the line and all typed-ahead input and
 * has procsrv end the foreground process group.  Tab is kept like a
 * printable byte; escape sequences (the arrow keys) and other control
 * bytes are ignored.  Output LF becomes
 * CR LF.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <posix.h>
#include <sys.h>

#define LINE_MAX 1024
#define PEND_MAX 8192
#define EOF_MARK 0x04 /* in pend: end of file here (never data) */

#define CTRL(c) ((c)&0x1f)

static volatile uint8_t *regs;
static unsigned shift;
static bool sifive;

/* ---- the UART ---- */

/* ns16550 registers (index << reg-shift) and bits. */
enum { NS_RBR = 0, NS_THR = 0, NS_IER = 1, NS_MCR = 4, NS_LSR = 5 };
#define NS_IER_RDA  0x01
#define NS_MCR_OUT2 0x08
#define NS_LSR_DR   0x01
#define NS_LSR_THRE 0x20

/* sifive,uart0 registers (32 bits) and bits. */
enum { SF_TXDATA = 0x00, SF_RXDATA = 0x04, SF_TXCTRL = 0x08, SF_RXCTRL = 0x0c, SF_IE = 0x10 };
#define SF_FULL	 0x80000000u /* txdata: FIFO full */
#define SF_EMPTY 0x80000000u /* rxdata: nothing received */
#define SF_EN	 1u
#define SF_RXWM	 2u

static uint8_t ns_get(unsigned r)
{
	return regs[r << shift];
}

static void ns_set(unsigned r, uint8_t v)
{
	regs[r << shift] = v;
}

static volatile uint32_t *sf(unsigned off)
{
	return (volatile uint32_t *)(regs + off);
}

static void uart_putc(char c)
{
	if (sifive) {
		while (*sf(SF_TXDATA) & SF_FULL)
			;
		*sf(SF_TXDATA) = (uint8_t)c;
	} else {
		while (!(ns_get(NS_LSR) & NS_LSR_THRE))
			;
		ns_set(NS_THR, (uint8_t)c);
	}
}

/* A received byte, or -1. */
static int uart_getc(void)
{
	if (sifive) {
		uint32_t v = *sf(SF_RXDATA);

		return (v & SF_EMPTY) ? -1 : (int)(v & 0xff);
	}
	return (ns_get(NS_LSR) & NS_LSR_DR) ? ns_get(NS_RBR) : -1;
}

static void uart_rx_irq(bool on)
{
	if (sifive)
		*sf(SF_IE) = on ? SF_RXWM : 0;
	else
		ns_set(NS_IER, on ? NS_IER_RDA : 0);
}

static void uart_init(void)
{
	if (sifive) {
		*sf(SF_TXCTRL) |= SF_EN;
		*sf(SF_RXCTRL) = SF_EN; /* watermark 0: interrupt while not empty */
	} else {
		ns_set(NS_MCR, ns_get(NS_MCR) | NS_MCR_OUT2);
	}
	uart_rx_irq(true);
}

static void put_str(const char *s)
{
	while (*s != '\0')
		uart_putc(*s++);
}

/* ---- to and from procsrv ---- */

static char pend[PEND_MAX]; /* finished input procsrv has not taken */
static size_t pend_head, pend_len;
static bool intr; /* a Ctrl-C to report */

static sysret_t cons_call(unsigned long label, unsigned long w0, const unsigned long *w)
{
	msg_t m = {MSG_INFO(label, 4), {w0, w ? w[0] : 0, w ? w[1] : 0, w ? w[2] : 0}, 0};

	return sys_call(PSLOT_PROCSRV, &m);
}

static void pend_put(char c)
{
	pend[(pend_head + pend_len++) % PEND_MAX] = c;
}

/* Hand pend to procsrv until it is empty or procsrv's queue is full. */
static void push_input(void)
{
	if (intr) {
		cons_call(PS_CONS_INPUT, PS_CONS_INTR, NULL);
		intr = false;
	}
	while (pend_len > 0) {
		unsigned long w[3] = {0, 0, 0}, flags = 0;
		char *b = (char *)w;
		size_t n = 0, used;
		sysret_t r;

		while (n < PS_IO_CHUNK && n < pend_len &&
		       pend[(pend_head + n) % PEND_MAX] != EOF_MARK) {
			b[n] = pend[(pend_head + n) % PEND_MAX];
			n++;
		}
		used = n;
		if (n < pend_len && n < PS_IO_CHUNK &&
		    pend[(pend_head + n) % PEND_MAX] == EOF_MARK) {
			flags |= PS_CONS_EOF;
			used++;
		}
		r = cons_call(PS_CONS_INPUT, n | flags, w);
		if (r.r0 < 0 || (long)r.r[1] != 1)
			return; /* full: procsrv signals when there is room */
		pend_head = (pend_head + used) % PEND_MAX;
		pend_len -= used;
	}
}

/*
 * Print what procsrv has for the console, at most OUT_BUDGET bytes: a
 * program that prints without end must not keep the receive side (and a
 * Ctrl-C) from being looked at.  True if more may be waiting.
 */
#define OUT_BUDGET 512

static bool pull_output(void)
{
	long printed = 0, total = 0;

	for (;;) {
		sysret_t r = cons_call(PS_CONS_OUTPUT, (unsigned long)printed,
				       NULL); /* confirms what was printed */
		long n = (long)r.r[1];
		const char *s = (const char *)&r.r[2];

		if (r.r0 < 0 || n <= 0)
			return false;
		if (total >= OUT_BUDGET)
			return true; /* n bytes taken but not printed: offered again */
		for (long i = 0; i < n; i++) {
			if (s[i] == '\n')
				uart_putc('\r');
			uart_putc(s[i]);
		}
		printed = n;
		total += n;
	}
}

/* ---- line discipline ---- */

static char line[LINE_MAX];
static size_t line_len;

static void end_line(bool eof_if_empty)
{
	if (line_len == 0 && eof_if_empty) {
		pend_put(EOF_MARK);
		return;
	}
	for (size_t i = 0; i < line_len; i++)
		pend_put(line[i]);
	line_len = 0;
}

/* Inside an escape sequence (ESC [ ... final byte): the arrow and
 * function keys of a terminal.  Line editing has no use for them; they
 * are swallowed whole instead of leaving "[A" in the line. */
static int esc;

static void discipline(char c)
{
	if (esc == 1) {
		esc = c == '[' || c == 'O' ? 2 : 0;
		return;
	}
	if (esc == 2) {
		if (c >= 0x40 && c <= 0x7e)
			esc = 0; /* the final byte */
		return;
	}
	switch (c) {
	case 0x1b: esc = 1; return;
	case '\r':
	case '\n':
		line[line_len++] = '\n';
		end_line(false);
		put_str("\r\n");
		return;
	case '\b':
	case 0x7f:
		if (line_len > 0) {
			line_len--;
			put_str("\b \b");
		}
		return;
	case CTRL('U'):
		for (; line_len > 0; line_len--)
			put_str("\b \b");
		return;
	case CTRL('D'): end_line(true); return;
	case CTRL('C'):
		/* Typed-ahead input goes too (procsrv drops its queue). */
		line_len = 0;
		pend_len = 0;
		put_str("^C\r\n");
		intr = true;
		return;
	}
	if ((unsigned char)c < 0x20 && c != '\t')
		return;
	if (line_len == LINE_MAX - 1)
		end_line(false); /* a line too long goes in pieces */
	line[line_len++] = c;
	uart_putc(c);
}

/* Room in pend for one more byte's worst case (a whole line and a mark). */
static bool pend_room(void)
{
	return PEND_MAX - pend_len >= LINE_MAX + 1;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	sifive = strcmp(argv[1], "sifive") == 0;
	regs = (volatile uint8_t *)(PROC_DEV_VA + strtoul(argv[2], NULL, 0));
	shift = (unsigned)strtoul(argv[3], NULL, 0);
	uart_init();
	for (;;) {
		bool more;
		int c;

		do {
			more = false;
			while (pend_room() && (c = uart_getc()) >= 0) {
				discipline((char)c);
				more = true;
			}
			push_input();
		} while (more && pend_room());
		if (pull_output())
			continue; /* more to print: look at the input first, no wait */
		/* Bytes left in the UART wait there until pend has room. */
		uart_rx_irq(pend_room());
		sys_invoke(PSLOT_IRQ, IRQ_ACK, 0, 0, 0, 0, 0);
		sys_wait(PSLOT_NTFN);
	}
}
