/*
 * The PL011 console (PL011 TRM DDI 0183; Linux drivers/tty/serial/amba-pl011.c).
 *
 * Output is polled: UARTDR written once UARTFR.TXFF is clear. Input is interrupt-driven:
 * the receive and receive-timeout interrupts drain the FIFO. There is no tty behind it:
 * the only thing input is for is magic SysRq over serial, as Linux's serial core does it
 * (uart_handle_break / uart_prepare_sysrq_char): a break condition (a character with
 * UARTDR.BE set, data 0) arms SysRq for 5 s, and the next character is the SysRq key,
 * handled in the interrupt.
 */
#include <kgdb-lab/delay.h>
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/serial.h>
#include <kgdb-lab/sysrq.h>
#include <asm/io.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIMSC 0x038
#define UARTICR 0x044

#define UARTDR_BE (1u << 10)
#define UARTFR_RXFE (1u << 4)
#define UARTFR_TXFF (1u << 5)
#define UARTLCR_H_FEN (1u << 4)
#define UARTLCR_H_WLEN_8 (3u << 5)
#define UARTCR_UARTEN (1u << 0)
#define UARTCR_TXE (1u << 8)
#define UARTCR_RXE (1u << 9)
#define UART011_RXIM (1u << 4)
#define UART011_RTIM (1u << 6)
#define UART011_ALL_INTS 0x7ff

static phys_addr_t uart_base;
/* jiffies until which the next character is a SysRq key (0: not armed). */
static unsigned long port_sysrq;
static unsigned long rx_chars, rx_breaks;

void pl011_init(phys_addr_t base)
{
	uart_base = base;
}

void pl011_putc(char c)
{
	if (!uart_base)
		return;
	while (readl(uart_base + UARTFR) & UARTFR_TXFF)
		;
	writel((u8)c, uart_base + UARTDR);
}

void pl011_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pl011_putc(s[i]);
}

/* A break: arm SysRq, or disarm it if already armed (uart_handle_break). Returns 1 if consumed. */
static int uart_handle_break(void)
{
	rx_breaks++;
	if (!port_sysrq) {
		port_sysrq = jiffies + SYSRQ_TIMEOUT;
		/* 0 means "not armed": never store it. */
		if (!port_sysrq)
			port_sysrq = 1;
		return 1;
	}
	port_sysrq = 0;
	return 0;
}

/* The character after a break is the SysRq key if it came in time (uart_prepare_sysrq_char). */
static int uart_handle_sysrq_char(unsigned int ch)
{
	if (ch && port_sysrq && time_before(jiffies, port_sysrq)) {
		port_sysrq = 0;
		handle_sysrq((int)ch);
		return 1;
	}
	port_sysrq = 0;
	return 0;
}

static void pl011_rx_chars(void)
{
	while (!(readl(uart_base + UARTFR) & UARTFR_RXFE)) {
		u32 ch = readl(uart_base + UARTDR);
		rx_chars++;
		if (ch & UARTDR_BE) {
			if (uart_handle_break())
				continue;
		}
		uart_handle_sysrq_char(ch & 0xff);
	}
}

static irqreturn_t pl011_int(int irq, void *dev_id)
{
	(void)irq;
	(void)dev_id;
	/* Clear first, then drain: a character arriving meanwhile raises the interrupt again. */
	writel(UART011_RXIM | UART011_RTIM, uart_base + UARTICR);
	pl011_rx_chars();
	return IRQ_HANDLED;
}

void pl011_enable_rx(unsigned int intid)
{
	if (!uart_base)
		return;
	writel(UARTLCR_H_FEN | UARTLCR_H_WLEN_8, uart_base + UARTLCR_H);
	writel(UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE, uart_base + UARTCR);
	writel(UART011_ALL_INTS, uart_base + UARTICR);
	int err = request_irq(intid, pl011_int, 0, "uart-pl011", NULL);
	if (err) {
		printk("uart-pl011: cannot request IRQ %u (%d): no console input\n", intid, err);
		return;
	}
	writel(UART011_RXIM | UART011_RTIM, uart_base + UARTIMSC);
	/* Characters that came before the interrupt was enabled. */
	pl011_rx_chars();
}
