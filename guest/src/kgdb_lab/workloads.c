/*
 * The workloads of the kgdb-lab scenarios. Each is a short chain of real (noipa: never
 * inlined, cloned or renamed) functions, so that a backtrace taken on that CPU by any
 * debugger reads like a story: busy_compute_loop ← kgdb_lab_cpu_main ← kgdb_lab_secondary ←
 * secondary_start_kernel ← secondary_entry.
 *
 * Every workload prints one line saying what it does, enters its state (IRQs off, PSTATE
 * masked, ...), reports its arrival, and never returns.
 */
#include <kgdb-lab/atomic.h>
#include <kgdb-lab/delay.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/kgdb.h>
#include <kgdb-lab/sched.h>
#include <kgdb-lab/spinlock.h>
#include <asm/barrier.h>
#include <asm/daifflags.h>
#include <asm/irqflags.h>
#include "internal.h"

/* A function that must appear under its own name in backtraces. */
#define __workload __attribute__((noipa))

/* Levels of recurse_deeply() before the CPU settles at the bottom. */
#define RECURSION_DEPTH 40
/* The "late" scenario: IRQs off this long (ms of machine time), then on this long. */
#define LATE_IRQS_OFF_MS 2000
#define LATE_IRQS_ON_MS 10
/* The "breakpoint" scenario: delay before kgdb_breakpoint() (ms of machine time). */
#define BREAKPOINT_DELAY_MS 1000
/*
 * The "breakpoint-pair" scenario: cpu_relax() rounds each later pair CPU waits per rank
 * before trapping, so the rank-0 CPU's trap always wins and the others trap while it holds
 * the debugger (on an emulator that interleaves CPUs, "at once" would otherwise depend on
 * where a time slice ends: whether a gdb breakpoint is still in memory for the second).
 */
#define PAIR_STAGGER_RELAXES 10000
/* The "oops-*" scenarios: delay before the fault (ms of machine time). */
#define FAULT_DELAY_MS 200
/* A physical address nothing answers at on QEMU virt: loads take a synchronous external abort. */
#define UNASSIGNED_PA 0x09ff0000UL

/* Results of the compute loops, published so the work cannot be optimised away. */
u64 kgdb_lab_compute_result[NR_CPUS];

/* The lock nobody releases: CPU 0 takes it in leak_lock(). */
static DEFINE_SPINLOCK(kgdb_lab_leaked_lock);

/* One FNV-1a-style pass over a block of words. */
static __workload u64 checksum_block(u64 *block, unsigned int words, u64 seed)
{
	u64 h = seed ^ 0xcbf29ce484222325UL;
	for (unsigned int i = 0; i < words; i++) {
		h = (h ^ block[i]) * 0x100000001b3UL;
		block[i] = h >> 7;
	}
	return h;
}

/* Compute forever (IRQs on). */
__workload __noreturn void busy_compute_loop(void)
{
	u64 block[32] = { 0 };
	u64 h = smp_processor_id();

	kgdb_lab_announce("busy computing in busy_compute_loop()");
	kgdb_lab_arrive();
	for (;;) {
		h = checksum_block(block, 32, h);
		WRITE_ONCE(kgdb_lab_compute_result[smp_processor_id()], h);
	}
}

void leak_lock(void)
{
	spin_lock(&kgdb_lab_leaked_lock);
	printk("kgdb_lab: CPU%u: took kgdb_lab_leaked_lock and will never release it\n", smp_processor_id());
}

/* Deadlock with IRQs off: spin_lock_irqsave() on the lock CPU 0 leaked. */
__workload __noreturn void deadlock_on_leaked_lock(void)
{
	unsigned long flags;

	kgdb_lab_announce("deadlocking in deadlock_on_leaked_lock(): spin_lock_irqsave() on a lock never released");
	kgdb_lab_arrive();
	spin_lock_irqsave(&kgdb_lab_leaked_lock, flags);
	keep_frame();
	(void)flags;
	panic("kgdb_lab: CPU%u got kgdb_lab_leaked_lock, which is never released", smp_processor_id());
}

/* Busy at the bottom of the recursion (IRQs on). */
static __workload __noreturn void recursion_bottom(unsigned int depth)
{
	u64 block[16] = { 0 };
	u64 h = depth;

	kgdb_lab_arrive();
	for (;;) {
		h = checksum_block(block, 16, h);
		WRITE_ONCE(kgdb_lab_compute_result[smp_processor_id()], h);
	}
}

/* Recurse RECURSION_DEPTH levels, then stay busy down there. */
__workload __noreturn void recurse_deeply(unsigned int depth)
{
	/* A local the compiler must keep in this frame: every level really has one. */
	volatile unsigned int level = depth;

	if (depth == 0)
		kgdb_lab_announce("busy in deep recursion: recurse_deeply(), 40 levels");
	if (level < RECURSION_DEPTH)
		recurse_deeply(level + 1);
	else
		recursion_bottom(level);
	keep_frame();
}

/* Idle: the ordinary idle loop, tick stopped (NO_HZ idle), waking on interrupts. */
__workload __noreturn void idle_in_cpu_startup_entry(void)
{
	kgdb_lab_announce("idle in cpu_startup_entry()");
	kgdb_lab_arrive();
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

/* Spin with every PSTATE exception bit set: no interrupt of any priority gets in. */
__workload __noreturn void spin_with_daif_masked(void)
{
	kgdb_lab_announce("spinning with PSTATE.DAIF masked (local_daif_mask) in spin_with_daif_masked()");
	local_daif_mask();
	kgdb_lab_arrive();
	for (;;)
		cpu_relax();
}

/* Spin with interrupts enabled: ticks and IPIs are taken, the loop never ends. */
__workload __noreturn void spin_with_irqs_on(void)
{
	kgdb_lab_announce("spinning with IRQs on in spin_with_irqs_on()");
	kgdb_lab_arrive();
	for (;;)
		cpu_relax();
}

/* Keep IRQs off for LATE_IRQS_OFF_MS, open them for LATE_IRQS_ON_MS, and again. */
__workload __noreturn void irqs_off_for_seconds(void)
{
	unsigned long flags;
	u64 off_cycles = arch_timer_rate / 1000 * LATE_IRQS_OFF_MS;

	kgdb_lab_announce("IRQs off for 2 s at a time, then briefly on, in irqs_off_for_seconds()");
	local_irq_save(flags);
	kgdb_lab_arrive();
	for (;;) {
		u64 start = get_cycles();
		while (get_cycles() - start < off_cycles)
			cpu_relax();
		local_irq_restore(flags);
		mdelay(LATE_IRQS_ON_MS);
		local_irq_save(flags);
	}
}

/* After a while, trap into the debugger; afterwards, idle. */
__workload __noreturn void breakpoint_after_a_while(void)
{
	kgdb_lab_announce("waiting in breakpoint_after_a_while(), then kgdb_breakpoint() in about 1 s");
	kgdb_lab_arrive();
	mdelay(BREAKPOINT_DELAY_MS);
	kgdb_breakpoint();
	keep_frame();
	printk("kgdb_lab: CPU%u: back from kgdb_breakpoint()\n", smp_processor_id());
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

/* The "breakpoint-pair" scenario: set from the debugger to start it. */
int kgdb_lab_pair_go;
/* Pair CPUs that reached the meeting point with PSTATE.DAIF masked. */
static atomic_t kgdb_lab_pair_met;

/* Where the pair CPUs trap together: break here from gdb for two gdb-breakpoint stops. */
__workload void trap_with_daif_masked(void)
{
	kgdb_breakpoint();
	keep_frame();
}

/*
 * Wait (IRQs on: roundups reach us) until kgdb_lab_pair_go is set, then mask every PSTATE
 * exception bit, wait for the other pair CPUs, and trap into kgdb with them, rank 0 first.
 * The roundup of the first reaches none of the others: they trap while it is master
 * (kgdb's dbg_master_lock spinners) and become master one after the other.
 */
__workload __noreturn void breakpoint_pair_when_told(unsigned int partners, unsigned int rank)
{
	unsigned long flags;
	unsigned long i;

	kgdb_lab_announce("waiting in breakpoint_pair_when_told() for kgdb_lab_pair_go, then kgdb_breakpoint() with PSTATE.DAIF masked, together with the other pair CPU");
	kgdb_lab_arrive();
	while (!READ_ONCE(kgdb_lab_pair_go))
		cpu_relax();
	flags = local_daif_save();
	atomic_inc(&kgdb_lab_pair_met);
	while ((unsigned int)atomic_read(&kgdb_lab_pair_met) < partners)
		cpu_relax();
	for (i = 0; i < (unsigned long)rank * PAIR_STAGGER_RELAXES; i++)
		cpu_relax();
	trap_with_daif_masked();
	local_daif_restore(flags);
	printk("kgdb_lab: CPU%u: back from kgdb_breakpoint()\n", smp_processor_id());
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

/* The faults, each in its own function so the oops names it. */
static __workload void execute_undefined_instruction(void)
{
	__asm__ volatile("udf #0" : : : "memory");
}

static __workload u64 load_from_unassigned_address(void)
{
	return *(volatile u64 *)UNASSIGNED_PA;
}

static __workload u64 load_unaligned(void)
{
	static u64 words[2];
	u64 v;
	/*
	 * SCTLR_EL1.A is set (head.S): every unaligned access faults. The LDR is written out
	 * because -mstrict-align would otherwise split a known-misaligned load into bytes.
	 */
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"((unsigned long)words + 1) : "memory");
	return v;
}

/* After a while, fault: the kernel offers it to kgdb, then dies. */
__workload __noreturn void fault_after_a_while(enum kgdb_lab_scenario kind)
{
	static const char *const what[] = {
		[SCENARIO_OOPS_UNDEF] = "waiting in fault_after_a_while(), then an undefined instruction",
		[SCENARIO_OOPS_ABORT] = "waiting in fault_after_a_while(), then a load from an unassigned address",
		[SCENARIO_OOPS_ALIGN] = "waiting in fault_after_a_while(), then an unaligned load",
	};
	kgdb_lab_announce(what[kind]);
	kgdb_lab_arrive();
	mdelay(FAULT_DELAY_MS);
	if (kind == SCENARIO_OOPS_UNDEF)
		execute_undefined_instruction();
	else if (kind == SCENARIO_OOPS_ABORT)
		WRITE_ONCE(kgdb_lab_compute_result[smp_processor_id()], load_from_unassigned_address());
	else
		WRITE_ONCE(kgdb_lab_compute_result[smp_processor_id()], load_unaligned());
	keep_frame();
	/* Only if a debugger handled the fault and moved the PC on. */
	printk("kgdb_lab: CPU%u: survived the fault\n", smp_processor_id());
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}
