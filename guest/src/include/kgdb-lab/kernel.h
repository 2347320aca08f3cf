/* Kernel-wide helpers: printk, panic, attribute shorthands. */
#ifndef KGDB_LAB_KERNEL_H
#define KGDB_LAB_KERNEL_H
#include <kgdb-lab/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __aligned(n) __attribute__((aligned(n)))
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* Print one message; each call is written whole, prefixed "[cpuN] " with the calling CPU. */
int printk(const char *fmt, ...) __printf(1, 2);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* Print "Kernel panic - not syncing: ..." and power the machine off. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#endif
