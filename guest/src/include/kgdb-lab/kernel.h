/* Kernel-wide helpers: printk, panic, attribute shorthands. */
#ifndef KGDB_LAB_KERNEL_H
#define KGDB_LAB_KERNEL_H
#include <kgdb-lab/compiler.h>
#include <kgdb-lab/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

/*
 * Print one message. Every line of it goes out whole, under the console lock, prefixed
 * with a Linux-style timestamp from CNTVCT_EL0 and the calling CPU:
 * "[    0.001234] [cpu2] text". Returns the length of the formatted message.
 */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * printk_cpu_sync (Linux kernel/printk/printk.c): a lock that one CPU may take recursively,
 * so that a multi-line report (a register dump, a backtrace) from one CPU is not
 * interleaved with another CPU's lines, even when an NMI interrupts a printk on the same
 * CPU. printk() takes it around every message. Masks interrupts (not NMIs) while held.
 */
unsigned long printk_cpu_sync_get_irqsave(void);
void printk_cpu_sync_put_irqrestore(unsigned long flags);

/* Print "Kernel panic - not syncing: ...", stop the other CPUs and power the machine off. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Oops counter and the die() path (arch/arm64/kernel/traps.c). */
struct pt_regs;
/* Report a fatal kernel fault; returns only if a debugger (kgdb, via the die notifier) handled it. */
void die(const char *str, struct pt_regs *regs, unsigned long err, int signo);

/* Release string printed by show_regs (init_utsname()->release in Linux). */
extern const char linux_banner_release[];

#endif
