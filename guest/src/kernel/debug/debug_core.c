/*
 * The kgdb entry points of kernel/debug/debug_core.c, without the debug core.
 *
 * kgdb-lab's debugger works from outside the guest: it hooks these functions by address
 * (they are noipa and kept in the image, see __kgdb_entry) and runs the master/slave
 * protocol itself. Left alone, as on QEMU, each one reports "not handled" (1), and the
 * callers carry on the way Linux does when no kgdb I/O driver is registered.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/kgdb.h>
#include <kgdb-lab/irq.h>
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/smp.h>
#include <asm/kgdb.h>
#include <asm/sysreg.h>

int kgdb_setting_breakpoint;

__kgdb_entry int kgdb_handle_exception(int vector, int signo, int err_code, struct pt_regs *regs)
{
	(void)vector;
	(void)signo;
	(void)err_code;
	(void)regs;
	return 1;
}

__kgdb_entry int kgdb_nmicallback(int cpu, void *regs)
{
	(void)cpu;
	(void)regs;
	return 1;
}

/* Linux's generic kgdb_breakpoint(): the compiled-in trap with the "setting breakpoint" count around it. */
__kgdb_entry noinline void kgdb_breakpoint(void)
{
	__atomic_fetch_add(&kgdb_setting_breakpoint, 1, __ATOMIC_RELAXED);
	wmb(); /* Sync point before breakpoint */
	arch_kgdb_breakpoint();
	wmb(); /* Sync point after breakpoint */
	__atomic_fetch_sub(&kgdb_setting_breakpoint, 1, __ATOMIC_RELAXED);
}

/*
 * The generic round-up (v8 patch 07 "kgdb: Expose default CPUs roundup fallback
 * mechanism"): an async cross-CPU call to each other online CPU, skipping any whose earlier
 * call never ran (its csd would still be busy). Delivered as IPI_CALL_FUNC, an ordinary IRQ,
 * so a CPU spinning with interrupts off never answers.
 */
static call_single_data_t kgdb_roundup_csd[NR_CPUS];
static bool kgdb_rounding_up[NR_CPUS];

static void kgdb_call_nmi_hook(void *ignored)
{
	(void)ignored;
	unsigned int cpu = raw_smp_processor_id();
	/* This CPU may now be rounded up again by a later entry. */
	WRITE_ONCE(kgdb_rounding_up[cpu], false);
	kgdb_nmicallback((int)cpu, get_irq_regs());
}

void kgdb_smp_call_nmi_hook(void)
{
	unsigned int this_cpu = raw_smp_processor_id();
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		/* No need to roundup ourselves */
		if (cpu == this_cpu)
			continue;
		/*
		 * If it didn't round up last time, don't try again since
		 * smp_call_function_single_async() will block.
		 */
		if (READ_ONCE(kgdb_rounding_up[cpu]))
			continue;
		WRITE_ONCE(kgdb_rounding_up[cpu], true);
		kgdb_roundup_csd[cpu].func = kgdb_call_nmi_hook;
		kgdb_roundup_csd[cpu].info = NULL;
		if (smp_call_function_single_async((int)cpu, &kgdb_roundup_csd[cpu]))
			WRITE_ONCE(kgdb_rounding_up[cpu], false);
	}
}
