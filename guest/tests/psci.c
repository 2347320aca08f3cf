/*
 * PSCI over HVC as QEMU virt implements it (target/arm/psci.c; DEN0022 PSCI 1.1):
 * PSCI_VERSION, PSCI_FEATURES, AFFINITY_INFO, CPU_ON (fresh, already on, bad MPIDR,
 * restart after CPU_OFF), the state a CPU starts in (EL1h, DAIF masked, x0 = context ID),
 * and CPU_OFF. Run with 4 CPUs. Lines are "[cpuN] ..." and compared per CPU.
 */
#include "rt.h"

static volatile u32 started[RT_MAX_CPUS];

/* Runs on a freshly started CPU (via rt_secondary_entry); context arrives as idx. */
static void secondary(unsigned idx)
{
	u64 daif = read_sysreg(daif);
	u64 el = read_sysreg(CurrentEL);
	u64 spsel = read_sysreg(spsel);
	cpu_printf("up (start %u): currentel=%lx spsel=%lu daif=%lx mpidr affinity=%lx\n", started[idx] + 1, el, spsel,
		   daif, rt_read_mpidr() & 0xffffff);
	__atomic_store_n(&started[idx], started[idx] + 1, __ATOMIC_RELEASE);
}

/* Written by psci_park_entry: x0 at entry, CurrentEL, DAIF, and 1 when done. */
volatile u64 entry_regs[4];

static s64 affinity(unsigned idx)
{
	return psci_call(PSCI_AFFINITY_INFO, rt_cpu_mpidr(idx), 0, 0);
}

static void wait_off(unsigned idx)
{
	unsigned spins = 0;
	while (affinity(idx) != 1 && ++spins < 100000000)
		;
}

static void wait_started(unsigned idx, u32 count)
{
	unsigned spins = 0;
	while (__atomic_load_n(&started[idx], __ATOMIC_ACQUIRE) < count && ++spins < 100000000)
		;
}

void test_main(void)
{
	unsigned n = rt_cpu_count();
	cpu_printf("psci: %u cpus\n", n);
	cpu_printf("PSCI_VERSION=%lx\n", psci_call(PSCI_VERSION, 0, 0, 0));
	static const struct { const char *name; u64 id; } feats[] = {
		{ "CPU_ON", PSCI_CPU_ON }, { "CPU_OFF", PSCI_CPU_OFF }, { "AFFINITY_INFO", PSCI_AFFINITY_INFO },
		{ "SYSTEM_OFF", PSCI_SYSTEM_OFF }, { "SYSTEM_RESET", PSCI_SYSTEM_RESET }, { "0x84001234", 0x84001234 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(feats); i++)
		cpu_printf("PSCI_FEATURES(%s)=%ld\n", feats[i].name, psci_call(PSCI_FEATURES, feats[i].id, 0, 0));
	for (unsigned i = 0; i < n; i++)
		cpu_printf("AFFINITY_INFO(cpu%u)=%ld\n", i, affinity(i));
	cpu_printf("AFFINITY_INFO(no such cpu)=%ld\n", psci_call(PSCI_AFFINITY_INFO, rt_cpu_mpidr(n), 0, 0));
	cpu_printf("CPU_ON(no such cpu)=%ld\n", psci_call(PSCI_CPU_ON, rt_cpu_mpidr(n), (u64)rt_secondary_entry, 0));
	cpu_printf("CPU_ON(cpu0, itself)=%ld\n", psci_call(PSCI_CPU_ON, rt_cpu_mpidr(0), (u64)rt_secondary_entry, 0));
	cpu_printf("unknown function 0x8400ffff=%ld\n", psci_call(0x8400ffffUL, 0, 0, 0));

	for (unsigned i = 1; i < n; i++) {
		s64 r = rt_start_cpu(i, secondary);
		wait_started(i, 1);
		cpu_printf("CPU_ON(cpu%u)=%ld, it ran: %s\n", i, r, started[i] == 1 ? "yes" : "no");
	}
	if (n > 1) {
		/* The CPU is still on (it may be past its function and in CPU_OFF, so retry on ON). */
		wait_off(1);
		cpu_printf("cpu1 after its function returned: AFFINITY_INFO=%ld\n", affinity(1));
		s64 r = rt_start_cpu(1, secondary);
		wait_started(1, 2);
		cpu_printf("CPU_ON(cpu1) again=%ld, it ran again: %s\n", r, started[1] == 2 ? "yes" : "no");
	}
	/* A CPU that stays on: CPU_ON to it must report ALREADY_ON. */
	if (n > 2) {
		extern char psci_park_entry[];
		wait_off(2);
		s64 r = psci_call(PSCI_CPU_ON, rt_cpu_mpidr(2) , (u64)psci_park_entry, 0x1234);
		cpu_printf("park cpu2: CPU_ON=%ld\n", r);
		unsigned spins = 0;
		while (entry_regs[3] != 1 && ++spins < 100000000)
			;
		cpu_printf("cpu2 entry: x0=%lx currentel=%lx daif=%lx\n", entry_regs[0], entry_regs[1], entry_regs[2]);
		cpu_printf("CPU_ON(cpu2, parked)=%ld AFFINITY_INFO=%ld\n",
			   psci_call(PSCI_CPU_ON, rt_cpu_mpidr(2), (u64)psci_park_entry, 0), affinity(2));
	}
	for (unsigned i = 1; i < n; i++)
		if (i != 2)
			wait_off(i);
	for (unsigned i = 0; i < n; i++)
		cpu_printf("final AFFINITY_INFO(cpu%u)=%ld\n", i, affinity(i));
}

/* Parked CPU: record x0 (the context ID), CurrentEL and DAIF as it arrives, then wait forever. */
__asm__(".text\n"
	".global psci_park_entry\n"
	"psci_park_entry:\n"
	"	adrp x1, entry_regs\n"
	"	add x1, x1, :lo12:entry_regs\n"
	"	str x0, [x1]\n"
	"	mrs x2, CurrentEL\n"
	"	str x2, [x1, #8]\n"
	"	mrs x2, daif\n"
	"	str x2, [x1, #16]\n"
	"	mov x2, #1\n"
	"	add x1, x1, #24\n"
	"	stlr x2, [x1]\n"
	"1:	wfi\n"
	"	b 1b\n");
