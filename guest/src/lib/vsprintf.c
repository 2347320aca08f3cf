/*
 * A small vsnprintf: %d %i %u %x %X %c %s %p %%, flags '-', '0', '+', a width (digits or
 * '*'), length modifiers h hh l ll z, and three of Linux's pointer extensions
 * (lib/vsprintf.c): %pS (symbol+0xoff/0xsize), %ps (symbol) and %*pbl (a bitmap of
 * `width` bits as a range list, e.g. "0-3,6"). Returns the length the full output would
 * have had.
 */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/kallsyms.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/string.h>

struct sink {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

static void number(struct sink *s, u64 v, unsigned int base, bool upper, char sign, int width, bool left,
		   bool zero, bool prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (sign ? 1 : 0) + (prefix ? 2 : 0);
	if (!left && !zero)
		pad(s, ' ', width - len);
	if (sign)
		put(s, sign);
	if (prefix) {
		put(s, '0');
		put(s, 'x');
	}
	if (!left && zero)
		pad(s, '0', width - len);
	while (n)
		put(s, tmp[--n]);
	if (left)
		pad(s, ' ', width - len);
}

static void puts_padded(struct sink *s, const char *str, int width, bool left)
{
	int len = (int)strlen(str);
	if (!left)
		pad(s, ' ', width - len);
	while (*str)
		put(s, *str++);
	if (left)
		pad(s, ' ', width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { buf, size, 0 };
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&s, *p);
			continue;
		}
		p++;
		bool left = false, zero = false, plus = false;
		for (;; p++) {
			if (*p == '-')
				left = true;
			else if (*p == '0')
				zero = true;
			else if (*p == '+')
				plus = true;
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
		int size_mod = 0; /* -2 hh, -1 h, 0 int, 1 long */
		for (;; p++) {
			if (*p == 'l' || *p == 'z')
				size_mod = 1;
			else if (*p == 'h')
				size_mod = size_mod == -1 ? -2 : -1;
			else
				break;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			s64 v = size_mod == 1 ? va_arg(ap, s64) : (s64)va_arg(ap, int);
			if (size_mod == -1)
				v = (s16)v;
			else if (size_mod == -2)
				v = (s8)v;
			char sign = v < 0 ? '-' : plus ? '+' : 0;
			number(&s, v < 0 ? -(u64)v : (u64)v, 10, false, sign, width, left, zero, false);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			u64 v = size_mod == 1 ? va_arg(ap, u64) : (u64)va_arg(ap, unsigned int);
			if (size_mod == -1)
				v = (u16)v;
			else if (size_mod == -2)
				v = (u8)v;
			number(&s, v, *p == 'u' ? 10 : 16, *p == 'X', 0, width, left, zero, false);
			break;
		}
		case 'p': {
			void *ptr = va_arg(ap, void *);
			char tmp[KSYM_SYMBOL_LEN];
			if (p[1] == 'S' || p[1] == 's') {
				if (p[1] == 'S')
					sprint_symbol(tmp, (unsigned long)ptr);
				else
					sprint_symbol_no_offset(tmp, (unsigned long)ptr);
				p++;
				puts_padded(&s, tmp, width, left);
			} else if (p[1] == 'b' && p[2] == 'l') {
				/* Only CPU masks are printed this way here; width is their bit count. */
				char list[4 * NR_CPUS];
				cpumask_print_list(list, sizeof(list), (const struct cpumask *)ptr);
				p += 2;
				puts_padded(&s, list, 0, false);
			} else {
				number(&s, (u64)ptr, 16, false, 0, width, left, zero, true);
			}
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!left)
				pad(&s, ' ', width - 1);
			put(&s, c);
			if (left)
				pad(&s, ' ', width - 1);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			puts_padded(&s, str ? str : "(null)", width, left);
			break;
		}
		case '%':
			put(&s, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			put(&s, '%');
			put(&s, *p);
			break;
		}
	}
	if (size)
		s.buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
