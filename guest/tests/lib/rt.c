/*
 * Runtime core: C entry points called from start.S and vectors.S, CPU numbering,
 * secondary start-up through PSCI CPU_ON, and exception dispatch.
 */
#include "rt.h"

static rt_handler_t sync_handler;
static rt_handler_t irq_handler;
/* Function each secondary CPU runs after rt_secondary_entry; indexed by CPU index. */
static void (*volatile secondary_fn[RT_MAX_CPUS])(unsigned idx);
static unsigned cpu_count_cache;

void rt_main(void);
void rt_secondary_main(unsigned idx, u64 context);
void rt_exception_dispatch(struct rt_frame *f, unsigned vector);

/* SCTLR_EL1.A: alignment check for all data accesses (ARM ARM D17.2.118). */
#define SCTLR_A (1UL << 1)

void rt_main(void)
{
	/*
	 * With the MMU off all data accesses are Device-nGnRnE and an unaligned access must
	 * take an Alignment fault whatever SCTLR_EL1.A says; QEMU 7.2 only checks that for
	 * exclusives/atomics unless A is set (measured). Setting A makes QEMU fault on every
	 * unaligned access too, so the tests cannot depend on that difference by accident.
	 */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_A);
	isb();
	test_main();
	rt_exit();
}

/* Secondary CPUs arrive here with their own stack; context is the CPU_ON context ID. */
void rt_secondary_main(unsigned idx, u64 context)
{
	(void)context;
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_A);
	isb();
	void (*fn)(unsigned) = secondary_fn[idx];
	if (fn)
		fn(idx);
	/* Nothing left to do: power this CPU off (PSCI CPU_OFF does not return on success). */
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

NORETURN void rt_exit(void)
{
	printf("%s", RT_END_MARKER);
	psci_system_off();
}

NORETURN void rt_fail(const char *what)
{
	printf("FAIL: %s\n", what);
	psci_system_off();
}

u64 rt_read_mpidr(void)
{
	return read_sysreg(mpidr_el1);
}

unsigned rt_cpu_index(void)
{
	u64 m = rt_read_mpidr();
	return (unsigned)((m & 0xff) + 16 * ((m >> 8) & 0xff));
}

u64 rt_cpu_mpidr(unsigned idx)
{
	return ((u64)(idx / 16) << 8) | (idx % 16);
}

unsigned rt_cpu_count(void)
{
	if (!cpu_count_cache)
		cpu_count_cache = fdt_cpus((const void *)RT_DTB_BASE, NULL, 0);
	return cpu_count_cache;
}

s64 rt_start_cpu(unsigned idx, void (*fn)(unsigned idx))
{
	if (idx >= RT_MAX_CPUS)
		return PSCI_INVALID_PARAMETERS;
	secondary_fn[idx] = fn;
	dsb(sy);
	return psci_call(PSCI_CPU_ON, rt_cpu_mpidr(idx), (u64)rt_secondary_entry, idx);
}

void rt_set_sync_handler(rt_handler_t h) { sync_handler = h; }
void rt_set_irq_handler(rt_handler_t h) { irq_handler = h; }

const char *rt_vector_name(unsigned vector)
{
	static const char *const names[16] = {
		"sync-el1t", "irq-el1t", "fiq-el1t", "serror-el1t",
		"sync-el1h", "irq-el1h", "fiq-el1h", "serror-el1h",
		"sync-el0-64", "irq-el0-64", "fiq-el0-64", "serror-el0-64",
		"sync-el0-32", "irq-el0-32", "fiq-el0-32", "serror-el0-32",
	};
	return vector < 16 ? names[vector] : "?";
}

NORETURN void rt_unexpected(struct rt_frame *f, unsigned vector)
{
	printf("!! unexpected exception on cpu%u: %s esr=0x%lx elr=0x%lx far=0x%lx spsr=0x%lx\n",
	       rt_cpu_index(), rt_vector_name(vector), f->esr, f->elr, f->far, f->spsr);
	psci_system_off();
}

void rt_exception_dispatch(struct rt_frame *f, unsigned vector)
{
	unsigned kind = vector & 3; /* 0 sync, 1 irq, 2 fiq, 3 serror */
	rt_handler_t h = kind == 0 ? sync_handler : kind == 1 ? irq_handler : NULL;
	if (h && h(f, vector))
		return;
	rt_unexpected(f, vector);
}

u64 rt_rand_operand(u64 *s)
{
	u64 r = rt_rand(s);
	switch (r & 15) {
	case 0: return r >> 60;                       /* tiny */
	case 1: return (u64)(s64)(s8)(r >> 8);        /* small signed */
	case 2: return 1UL << ((r >> 8) & 63);        /* power of two */
	case 3: return (1UL << ((r >> 8) & 63)) - 1;  /* mask */
	case 4: return -(1UL << ((r >> 8) & 63));     /* negative power of two */
	case 5: return (u32)(r >> 16);                /* 32-bit */
	case 6: return (u64)(s64)(s32)(r >> 16);      /* sign-extended 32-bit */
	case 7: return 0x8000000000000000UL + ((r >> 8) & 3) - 2; /* around INT64_MIN */
	case 8: return 0x80000000UL + ((r >> 8) & 3) - 2;         /* around INT32_MIN */
	case 9: return ~0UL - ((r >> 8) & 3);        /* around -1 */
	default: return r;                            /* full random */
	}
}
