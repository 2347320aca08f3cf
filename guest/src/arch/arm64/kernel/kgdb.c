/*
 * arm64 kgdb glue (arch/arm64/kernel/kgdb.c): the BRK hooks and, from the v8 series
 * (patch 09, "arm64: kgdb: Roundup cpus using IPI as NMI"), kgdb_roundup_cpus() on the
 * dynamic IPI.
 */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/kgdb.h>
#include <asm/debug-monitors.h>
#include <asm/ptrace.h>
#include <asm/smp.h>

int kgdb_brk_fn(struct pt_regs *regs, unsigned long esr)
{
	(void)esr;
	/* A breakpoint the debugger planted: without a debugger it is an error (an oops). */
	if (kgdb_handle_exception(1, SIGTRAP, 0, regs))
		return DBG_HOOK_ERROR;
	return DBG_HOOK_HANDLED;
}

int kgdb_compiled_brk_fn(struct pt_regs *regs, unsigned long esr)
{
	(void)esr;
	if (kgdb_handle_exception(1, SIGTRAP, 0, regs)) {
		/*
		 * No debugger took it (as on QEMU). Linux never gets here (its sysrq-g refuses
		 * without a kgdb I/O driver); step over the BRK as kgdb's "continue" does for a
		 * compiled-in breakpoint, so the kernel goes on.
		 */
		printk("KGDB: kgdb_breakpoint() on CPU%u not handled (no debugger): continuing at %pS\n",
		       smp_processor_id(), (void *)(regs->pc + AARCH64_INSN_SIZE));
		regs->pc += AARCH64_INSN_SIZE;
	}
	return DBG_HOOK_HANDLED;
}

int kgdb_step_brk_fn(struct pt_regs *regs, unsigned long esr)
{
	(void)esr;
	if (kgdb_handle_exception(0, SIGTRAP, 0, regs))
		return DBG_HOOK_ERROR;
	return DBG_HOOK_HANDLED;
}

/*
 * Round the other CPUs up: with a dynamic IPI (an NMI, or the regular-IRQ fallback of v8
 * patch 10) send it to every other online CPU in one go; without one, fall back to the
 * generic cross-call round-up.
 */
__kgdb_entry void kgdb_roundup_cpus(void)
{
	struct cpumask mask;

	if (!arm64_supports_nmi()) {
		kgdb_smp_call_nmi_hook();
		return;
	}

	cpumask_copy(&mask, cpu_online_mask);
	cpumask_clear_cpu(raw_smp_processor_id(), &mask);
	if (cpumask_empty(&mask))
		return;

	arm64_send_nmi(&mask);
}
