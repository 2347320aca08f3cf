/*
 * printk: format the message, then write each of its lines whole to the console under a
 * lock, prefixed with a Linux-style timestamp and the calling CPU:
 *
 *   [    0.001234] [cpu2] text
 *
 * The timestamp is the virtual counter (CNTVCT_EL0) in seconds and microseconds, as
 * Linux's "[%5lu.%06lu] " from local_clock(). The CPU tag plays the part of Linux's
 * CONFIG_PRINTK_CALLER and lets tests compare output per CPU.
 *
 * The console lock is Linux's printk_cpu_sync: one CPU may take it again while holding it
 * (an NMI that interrupts a printk on the same CPU must not deadlock), and other CPUs wait
 * in WFE. It masks interrupts while held, so an IRQ handler cannot split a line; pseudo-NMIs
 * can still come in (with pseudo-NMI, "IRQs off" is a PMR setting).
 */
#include <kgdb-lab/delay.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/serial.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/string.h>
#include <asm/irqflags.h>

#define PRINTK_BUF 512
#define PREFIX_MAX 40

/* CPU number + 1 of the holder, 0 when free. */
static u32 printk_cpu_sync_owner;
/* Nesting depth of the holder (touched only by the holder). */
static unsigned int printk_cpu_sync_nested;

/* Spin for the lock: LDAXR arms the exclusive monitor, so the holder's release store wakes WFE. */
static void printk_cpu_sync_wait_and_take(u32 me)
{
	u32 tmp, status;
	__asm__ volatile(
		"1:	ldaxr	%w0, %2\n"
		"	cbnz	%w0, 2f\n"
		"	stxr	%w1, %w3, %2\n"
		"	cbnz	%w1, 1b\n"
		"	b	3f\n"
		"2:	wfe\n"
		"	b	1b\n"
		"3:"
		: "=&r"(tmp), "=&r"(status), "+Q"(printk_cpu_sync_owner)
		: "r"(me)
		: "memory");
}

unsigned long printk_cpu_sync_get_irqsave(void)
{
	unsigned long flags;
	u32 me = smp_processor_id() + 1;
	local_irq_save(flags);
	if (READ_ONCE(printk_cpu_sync_owner) == me) {
		printk_cpu_sync_nested++;
		return flags;
	}
	printk_cpu_sync_wait_and_take(me);
	return flags;
}

void printk_cpu_sync_put_irqrestore(unsigned long flags)
{
	if (printk_cpu_sync_nested) {
		printk_cpu_sync_nested--;
	} else {
		/* STLR clears the waiters' monitors: that is their wake-up. */
		__asm__ volatile("stlr wzr, %0" : "=Q"(printk_cpu_sync_owner) : : "memory");
	}
	local_irq_restore(flags);
}

int vprintk(const char *fmt, va_list ap)
{
	char text[PRINTK_BUF];
	char prefix[PREFIX_MAX];
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	size_t len = (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;
	u64 ns = local_clock();
	int plen = snprintf(prefix, sizeof(prefix), "[%5lu.%06lu] [cpu%u] ", ns / 1000000000UL,
			    (ns % 1000000000UL) / 1000UL, smp_processor_id());

	unsigned long flags = printk_cpu_sync_get_irqsave();
	size_t start = 0;
	while (start < len) {
		size_t end = start;
		while (end < len && text[end] != '\n')
			end++;
		pl011_write(prefix, (size_t)plen);
		pl011_write(text + start, end - start);
		pl011_putc('\n');
		start = end + 1;
	}
	printk_cpu_sync_put_irqrestore(flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
