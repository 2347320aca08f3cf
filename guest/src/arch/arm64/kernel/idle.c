/*
 * Low-level idle (arch/arm64/kernel/idle.c, v6.3 plus the series' __cpuidle tagging). Both
 * functions live in .cpuidle.text, so nmi_cpu_backtrace() reports a CPU interrupted here as
 * "skipped: idling at cpu_do_idle+0x.../0x...".
 */
#include <kgdb-lab/compiler.h>
#include <asm/cpuidle.h>
#include <asm/irqflags.h>
#include <asm/sysreg.h>

/*
 * cpu_do_idle()
 *
 * Idle the processor (wait for interrupt). With pseudo-NMI, PSTATE.I is set and PMR opened
 * around the WFI (arm_cpuidle_save_irq_context): an interrupt then wakes the CPU and is
 * taken when the IRQ context is restored, i.e. in here.
 */
void __cpuidle cpu_do_idle(void)
{
	struct arm_cpuidle_irq_context context = { 0, 0 };

	arm_cpuidle_save_irq_context(&context);

	dsb(sy);
	wfi();

	arm_cpuidle_restore_irq_context(&context);
}

/* This should do all the clock switching and wait for interrupt tricks. */
void __cpuidle arch_cpu_idle(void)
{
	cpu_do_idle();
	raw_local_irq_enable();
}
