/*
 * Bare-metal runtime shared by the guest test programs (not by the bundled guest).
 *
 * Machine: QEMU `virt` (gic-version=3) or kgdb-lab, MMU off, EL1h.
 * With the MMU off every data access is Device memory, so any unaligned access faults:
 * the runtime and the tests only make naturally aligned accesses unless a test means to fault.
 *
 * A test program defines test_main(), which runs on CPU 0 after the runtime has set up
 * the stack, VBAR_EL1 and .bss. When test_main() returns, the runtime prints
 * RT_END_MARKER and powers the machine off with PSCI SYSTEM_OFF.
 */
#ifndef RT_H
#define RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long s64;
typedef unsigned long uintptr_t;
typedef unsigned long size_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline))

/* Must match start.S. */
#define RT_MAX_CPUS 256
#define RT_STACK_SIZE 0x4000

/* Printed by the runtime after test_main() returns; the harness requires it. */
#define RT_END_MARKER "-- end of test --\n"

/* Physical addresses of the QEMU virt board (hw/arm/virt.c base_memmap[]). */
#define RT_UART0_BASE 0x09000000UL
#define RT_DTB_BASE 0x40000000UL
#define RT_GICD_BASE 0x08000000UL
#define RT_GICR_BASE 0x080a0000UL

/* PSCI 1.0 function IDs (SMC calling convention, DEN0022). */
#define PSCI_VERSION 0x84000000UL
#define PSCI_CPU_SUSPEND 0xc4000001UL
#define PSCI_CPU_OFF 0x84000002UL
#define PSCI_CPU_ON 0xc4000003UL
#define PSCI_AFFINITY_INFO 0xc4000004UL
#define PSCI_SYSTEM_OFF 0x84000008UL
#define PSCI_SYSTEM_RESET 0x84000009UL
#define PSCI_FEATURES 0x8400000aUL

/* PSCI return codes. */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)

/*
 * Register state saved by the exception vectors (vectors.S). Handlers may change any
 * field; x[], elr and spsr are written back before ERET. sp is SP_EL1 as it was before
 * the exception (informational). Size 288 bytes, a multiple of 16.
 */
struct rt_frame {
	u64 x[31];
	u64 sp;
	u64 elr;
	u64 spsr;
	u64 esr;
	u64 far;
};

/* Vector numbers: VBAR offset / 0x80. */
enum {
	RT_VEC_SYNC_SP0 = 0, RT_VEC_IRQ_SP0, RT_VEC_FIQ_SP0, RT_VEC_SERR_SP0,
	RT_VEC_SYNC_SPX, RT_VEC_IRQ_SPX, RT_VEC_FIQ_SPX, RT_VEC_SERR_SPX,
	RT_VEC_SYNC_A64, RT_VEC_IRQ_A64, RT_VEC_FIQ_A64, RT_VEC_SERR_A64,
	RT_VEC_SYNC_A32, RT_VEC_IRQ_A32, RT_VEC_FIQ_A32, RT_VEC_SERR_A32,
};

/*
 * An exception handler: returns nonzero if it handled the exception (the frame is then
 * restored and ERET executed), zero to fall through to the "unexpected exception" report,
 * which prints ESR/ELR/FAR and powers off.
 */
typedef int (*rt_handler_t)(struct rt_frame *f, unsigned vector);

/* Entry point each test program provides. */
void test_main(void);

/* ---- console (PL011 UART0) ---- */
void rt_putc_raw(char c);
void rt_write_raw(const char *s, size_t n);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* printf with a "[cpuN] " prefix, for tests whose output is compared per CPU. */
int cpu_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- locks (lock.S): ticket lock, waiters sleep in WFE, unlock is a plain STLR ---- */
typedef struct {
	u32 owner; /* low half: ticket being served; high half: next ticket (one 32-bit word) */
} rt_ticket_lock_t;
void rt_ticket_lock(rt_ticket_lock_t *l);
void rt_ticket_unlock(rt_ticket_lock_t *l);

/* ---- CPUs ---- */
unsigned rt_cpu_index(void);
u64 rt_read_mpidr(void);
/* MPIDR affinity (Aff1:Aff0) of CPU `idx` as QEMU virt numbers CPUs: Aff0 = idx % 16, Aff1 = idx / 16. */
u64 rt_cpu_mpidr(unsigned idx);
/* Number of /cpus/cpu@* nodes in the DTB at RT_DTB_BASE (cached after the first call). */
unsigned rt_cpu_count(void);
/* Start CPU idx at fn(idx) with PSCI CPU_ON; returns the PSCI result. */
s64 rt_start_cpu(unsigned idx, void (*fn)(unsigned idx));
/* Entry address for PSCI CPU_ON (start.S): sets SP and VBAR, then calls rt_secondary_main. */
extern char rt_secondary_entry[];

/* ---- DTB ---- */
/* Visit every cpu@* node under /cpus; returns the count. regs[] (if non-null) gets each reg. */
unsigned fdt_cpus(const void *fdt, u64 *regs, unsigned max);
/* Return a pointer to property `prop` of node at `path` ("/chosen"), or NULL; *len gets its size. */
const void *fdt_getprop(const void *fdt, const char *path, const char *prop, u32 *len);

/* ---- PSCI (psci.S) ---- */
s64 psci_call(u64 fn, u64 a1, u64 a2, u64 a3);
NORETURN void psci_system_off(void);

/* ---- exceptions ---- */
void rt_set_sync_handler(rt_handler_t h);
void rt_set_irq_handler(rt_handler_t h);
const char *rt_vector_name(unsigned vector);
/* Report an unexpected exception and power off. */
NORETURN void rt_unexpected(struct rt_frame *f, unsigned vector);

/* Power off after printing RT_END_MARKER (the normal end of a test). */
NORETURN void rt_exit(void);
/* Print a failure line and power off without the end marker. */
NORETURN void rt_fail(const char *what);

/* ---- string helpers (gcc may emit calls to these even with -ffreestanding) ---- */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* ---- system register access ---- */
#define read_sysreg(r) ({ u64 __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) do { u64 __v = (u64)(v); __asm__ volatile("msr " #r ", %0" : : "r"(__v)); } while (0)
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")

static inline u32 mmio_read32(uintptr_t a) { return *(volatile u32 *)a; }
static inline void mmio_write32(uintptr_t a, u32 v) { *(volatile u32 *)a = v; }
static inline u64 mmio_read64(uintptr_t a) { return *(volatile u64 *)a; }
static inline void mmio_write64(uintptr_t a, u64 v) { *(volatile u64 *)a = v; }

/* ---- deterministic PRNG and result hashing for random-operand tests ---- */
/* xorshift64* (Vigna 2014); state must be nonzero. */
static inline u64 rt_rand(u64 *s)
{
	u64 x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dUL;
}

/* Operand generator biased towards edge cases: small values, sign boundaries, all ones, powers of two. */
u64 rt_rand_operand(u64 *s);

/* FNV-1a style fold of a 64-bit value into a running hash (bijective in v for a fixed h). */
static inline u64 rt_hash(u64 h, u64 v)
{
	h ^= v;
	h *= 0x100000001b3UL;
	h ^= h >> 29;
	return h;
}
#define RT_HASH_INIT 0xcbf29ce484222325UL

#endif
