/*
 * printk: format into a per-call buffer, then write the whole message under a spinlock so
 * lines from different CPUs never interleave. Each message is prefixed "[cpuN] " (like
 * Linux's CONFIG_PRINTK_CALLER), which also lets tests compare output per CPU.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/serial.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/string.h>
#include <asm/psci.h>
#include <asm/spinlock.h>

#define PRINTK_BUF 512

static arch_spinlock_t console_lock = __ARCH_SPIN_LOCK_UNLOCKED;

static int vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];
	int n = snprintf(buf, sizeof(buf), "[cpu%u] ", smp_processor_id());
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (n > PRINTK_BUF - 1)
		n = PRINTK_BUF - 1;
	arch_spin_lock(&console_lock);
	pl011_write(buf, (size_t)n);
	arch_spin_unlock(&console_lock);
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

__noreturn void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("Kernel panic - not syncing: %s\n", buf);
	psci_system_off();
}
