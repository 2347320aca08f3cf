/*
 * PL011 console and a small printf for the guest test programs.
 *
 * Output goes to UART0 (QEMU virt 0x09000000) by polling UARTFR.TXFF (bit 5) and writing
 * UARTDR (PL011 TRM, DDI 0183). Each printf call formats into a local buffer first and
 * writes it under one console lock, so lines printed by different CPUs never interleave.
 */
#include "rt.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFF (1u << 5)

/* Console lock: a ticket lock; waiters sleep in WFE. */
static rt_ticket_lock_t console_lock;

void rt_putc_raw(char c)
{
	while (mmio_read32(RT_UART0_BASE + UARTFR) & UARTFR_TXFF)
		;
	mmio_write32(RT_UART0_BASE + UARTDR, (u8)c);
}

void rt_write_raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rt_putc_raw(s[i]);
}

/* ---- formatting ---- */

struct out {
	char *buf;
	size_t size; /* capacity including the terminating NUL */
	size_t len;  /* characters produced so far (may exceed size) */
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_c(o, c);
}

/* Emit digits of v in base (10 or 16) with width/flags; sign is '-', '+' or 0 (none). */
static void out_num(struct out *o, u64 v, unsigned base, bool upper, char sign, int width,
		    bool left, bool zero, int prefix0x)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (sign ? 1 : 0) + (prefix0x ? 2 : 0);
	if (!left && !zero)
		out_pad(o, ' ', width - len);
	if (sign)
		out_c(o, sign);
	if (prefix0x) {
		out_c(o, '0');
		out_c(o, 'x');
	}
	if (!left && zero)
		out_pad(o, '0', width - len);
	while (n)
		out_c(o, tmp[--n]);
	if (left)
		out_pad(o, ' ', width - len);
}

/*
 * Supports %d %i %u %x %X %c %s %p %%, flags '-', '0' and '+', a width (digits or '*'),
 * length modifiers h hh l ll z. Returns the length the full output would have.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_c(&o, *p);
			continue;
		}
		p++;
		bool left = false, zero = false, plus = false;
		for (;; p++) {
			if (*p == '-')
				left = true;
			else if (*p == '+')
				plus = true;
			else if (*p == '0')
				zero = true;
			else
				break;
		}
		int width = 0;
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long */
		for (;; p++) {
			if (*p == 'l' || *p == 'z')
				lng = 1;
			else if (*p == 'h')
				lng = lng == -1 ? -2 : -1;
			else
				break;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			s64 v = lng == 1 ? va_arg(ap, s64) : (s64)va_arg(ap, int);
			if (lng == -1)
				v = (s16)v;
			else if (lng == -2)
				v = (s8)v;
			char sign = v < 0 ? '-' : plus ? '+' : 0;
			out_num(&o, v < 0 ? -(u64)v : (u64)v, 10, false, sign, width, left, zero, 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			u64 v = lng == 1 ? va_arg(ap, u64) : (u64)va_arg(ap, unsigned);
			if (lng == -1)
				v = (u16)v;
			else if (lng == -2)
				v = (u8)v;
			out_num(&o, v, *p == 'u' ? 10 : 16, *p == 'X', 0, width, left, zero, 0);
			break;
		}
		case 'p':
			out_num(&o, (u64)va_arg(ap, void *), 16, false, 0, width, left, zero, 1);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!left)
				out_pad(&o, ' ', width - 1);
			out_c(&o, c);
			if (left)
				out_pad(&o, ' ', width - 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			if (!left)
				out_pad(&o, ' ', width - len);
			while (*s)
				out_c(&o, *s++);
			if (left)
				out_pad(&o, ' ', width - len);
			break;
		}
		case '%':
			out_c(&o, '%');
			break;
		case '\0':
			p--; /* lone '%' at the end */
			break;
		default: /* unknown conversion: print it verbatim */
			out_c(&o, '%');
			out_c(&o, *p);
			break;
		}
	}
	if (size)
		o.buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Format into a stack buffer, then write it in one piece under the console lock. */
static int vprint_locked(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	size_t plen = strlen(prefix);
	memcpy(buf, prefix, plen);
	int n = vsnprintf(buf + plen, sizeof(buf) - plen, fmt, ap);
	size_t total = plen + (size_t)n;
	if (total > sizeof(buf) - 1)
		total = sizeof(buf) - 1; /* truncated: tests keep lines far shorter */
	rt_ticket_lock(&console_lock);
	rt_write_raw(buf, total);
	rt_ticket_unlock(&console_lock);
	return (int)total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprint_locked("", fmt, ap);
	va_end(ap);
	return n;
}

int cpu_printf(const char *fmt, ...)
{
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "[cpu%u] ", rt_cpu_index());
	va_list ap;
	va_start(ap, fmt);
	int n = vprint_locked(prefix, fmt, ap);
	va_end(ap);
	return n;
}
