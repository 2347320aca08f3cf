/*
 * Polled PL011 output (PL011 TRM, DDI 0183: UARTDR at 0x000, UARTFR at 0x018 with TXFF at
 * bit 5). No interrupts and no receive yet; kgdb's console I/O will add polled receive.
 */
#include <kgdb-lab/serial.h>
#include <asm/io.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFF (1u << 5)

static phys_addr_t uart_base;

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
