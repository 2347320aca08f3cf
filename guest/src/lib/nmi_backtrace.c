/*
 * NMI backtraces (lib/nmi_backtrace.c, with the v8 series' `bool exclude_self`).
 *
 * The requesting CPU prints its own stack, then sends the backtrace IPI to the others and
 * waits up to 10 s for each to clear its bit in backtrace_mask. A CPU answers from its IPI
 * handler: if it was interrupted in the idle functions it only says where, otherwise it
 * prints its registers and backtrace. On arm64 the IPI is the dynamic one: a pseudo-NMI
 * when enabled, which reaches CPUs with interrupts masked, else an ordinary IRQ, which
 * does not (the requester then waits out the 10 s with no message for those CPUs).
 */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/delay.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/nmi.h>
#include <asm/ptrace.h>
#include <asm/stacktrace.h>

/* For reliability, we're prepared to waste bits here. */
static struct cpumask backtrace_mask;
/* "in progress" flag of arch_trigger_cpumask_backtrace */
static unsigned long backtrace_flag;
/* nmi_backtrace.backtrace_idle: also dump CPUs interrupted in idle (off by default). */
static bool backtrace_idle;

extern char __cpuidle_text_start[], __cpuidle_text_end[];

bool cpu_in_idle(unsigned long pc)
{
	return pc >= (unsigned long)__cpuidle_text_start && pc < (unsigned long)__cpuidle_text_end;
}

void nmi_trigger_cpumask_backtrace(const struct cpumask *mask, bool exclude_self,
				   void (*raise)(const struct cpumask *mask))
{
	unsigned int this_cpu = smp_processor_id();

	/*
	 * Have to serialise the backtraces: a second request while one is running returns
	 * silently, and the first one reports everything.
	 */
	if (test_and_set_bit(0, &backtrace_flag))
		return;

	cpumask_copy(&backtrace_mask, mask);
	if (exclude_self)
		cpumask_clear_cpu(this_cpu, &backtrace_mask);

	/*
	 * Don't try to send an NMI to this cpu; it may work on some architectures, but on
	 * others it may not, and we'll get information at least as useful just by doing a
	 * dump_stack() here. Note that nmi_cpu_backtrace(NULL) will clear the cpu bit.
	 */
	if (cpumask_test_cpu(this_cpu, &backtrace_mask))
		nmi_cpu_backtrace(NULL);

	if (!cpumask_empty(&backtrace_mask)) {
		printk("Sending NMI from CPU %u to CPUs %*pbl:\n", this_cpu, (int)nr_cpu_ids, &backtrace_mask);
		raise(&backtrace_mask);
	}

	/*
	 * Wait for up to 10 seconds for all CPUs to do the backtrace. Linux counts 10000 x
	 * mdelay(1); this bounds the wait by the counter instead, which is the same on real
	 * hardware but stays 10 s on an emulator where each delay loop's YIELD may hand a whole
	 * time slice to other vCPUs (QEMU's single-threaded TCG).
	 */
	u64 deadline = get_cycles() + 10 * arch_timer_rate;
	while (!cpumask_empty(&backtrace_mask) && (s64)(get_cycles() - deadline) < 0)
		mdelay(1);

	clear_bit_unlock(0, &backtrace_flag);
}

bool nmi_cpu_backtrace(struct pt_regs *regs)
{
	unsigned int cpu = smp_processor_id();

	if (!cpumask_test_cpu(cpu, &backtrace_mask))
		return false;

	/* Allow nested NMI backtraces while serializing against other CPUs. */
	unsigned long flags = printk_cpu_sync_get_irqsave();
	if (!READ_ONCE(backtrace_idle) && regs && cpu_in_idle(instruction_pointer(regs))) {
		printk("NMI backtrace for cpu %u skipped: idling at %pS\n", cpu, (void *)instruction_pointer(regs));
	} else {
		printk("NMI backtrace for cpu %u\n", cpu);
		if (regs)
			show_regs(regs);
		else
			dump_stack();
	}
	printk_cpu_sync_put_irqrestore(flags);
	cpumask_clear_cpu(cpu, &backtrace_mask);
	return true;
}

bool trigger_all_cpu_backtrace(void)
{
	return arch_trigger_cpumask_backtrace(cpu_online_mask, false);
}
