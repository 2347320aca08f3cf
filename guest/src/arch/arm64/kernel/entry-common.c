/*
 * C side of exception entry (arch/arm64/kernel/entry-common.c, v6.3): dispatch of
 * synchronous exceptions by ESR_EL1.EC, and the interrupt entry that decides between the
 * IRQ path and the pseudo-NMI path.
 */
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/preempt.h>
#include <asm/daifflags.h>
#include <asm/esr.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#include <asm/traps.h>

/* Called from entry.S. */
void el1t_64_sync_handler(struct pt_regs *regs);
void el1t_64_irq_handler(struct pt_regs *regs);
void el1t_64_fiq_handler(struct pt_regs *regs);
void el1t_64_error_handler(struct pt_regs *regs);
void el1h_64_sync_handler(struct pt_regs *regs);
void el1h_64_irq_handler(struct pt_regs *regs);
void el1h_64_fiq_handler(struct pt_regs *regs);
void el1h_64_error_handler(struct pt_regs *regs);
void el0t_64_sync_handler(struct pt_regs *regs);
void el0t_64_irq_handler(struct pt_regs *regs);
void el0t_64_fiq_handler(struct pt_regs *regs);
void el0t_64_error_handler(struct pt_regs *regs);
void el0t_32_sync_handler(struct pt_regs *regs);
void el0t_32_irq_handler(struct pt_regs *regs);
void el0t_32_fiq_handler(struct pt_regs *regs);
void el0t_32_error_handler(struct pt_regs *regs);

/* "Unhandled 64-bit el1t sync exception on CPU0, ESR 0x... -- Unknown/Uncategorized", registers, panic. */
static __noreturn void __panic_unhandled(struct pt_regs *regs, const char *vector, unsigned long esr)
{
	printk("Unhandled %s exception on CPU%u, ESR 0x%016lx -- %s\n", vector, smp_processor_id(), esr,
	       esr_get_class_string(esr));
	__show_regs(regs);
	panic("Unhandled exception");
}

#define UNHANDLED(el, regsize, vector)                                       \
	void el##_##regsize##_##vector##_handler(struct pt_regs *regs)         \
	{                                                                      \
		const char *desc = #regsize "-bit " #el " " #vector;            \
		__panic_unhandled(regs, desc, read_sysreg(esr_el1));           \
	}

UNHANDLED(el1t, 64, sync)
UNHANDLED(el1t, 64, irq)
UNHANDLED(el1t, 64, fiq)
UNHANDLED(el1t, 64, error)
UNHANDLED(el0t, 64, sync)
UNHANDLED(el0t, 64, irq)
UNHANDLED(el0t, 64, fiq)
UNHANDLED(el0t, 64, error)
UNHANDLED(el0t, 32, sync)
UNHANDLED(el0t, 32, irq)
UNHANDLED(el0t, 32, fiq)
UNHANDLED(el0t, 32, error)

/* NMI context bookkeeping for an NMI that interrupted an IRQs-off context (arm64_enter_nmi). */
static void arm64_enter_nmi(struct pt_regs *regs)
{
	regs->lockdep_hardirqs = 0;
	nmi_enter();
}

static void arm64_exit_nmi(struct pt_regs *regs)
{
	(void)regs;
	nmi_exit();
}

static void do_interrupt_handler(struct pt_regs *regs, void (*handler)(struct pt_regs *))
{
	/* Linux switches to the per-CPU IRQ stack here; this kernel handles IRQs on the task stack. */
	struct pt_regs *old_regs = set_irq_regs(regs);
	handler(regs);
	set_irq_regs(old_regs);
}

static void __el1_pnmi(struct pt_regs *regs, void (*handler)(struct pt_regs *))
{
	arm64_enter_nmi(regs);
	do_interrupt_handler(regs, handler);
	arm64_exit_nmi(regs);
}

static void __el1_irq(struct pt_regs *regs, void (*handler)(struct pt_regs *))
{
	irq_enter();
	do_interrupt_handler(regs, handler);
	irq_exit();
}

/*
 * An interrupt taken at EL1. The entry code left PSTATE.I set; D and A are unmasked again
 * (DAIF_PROCCTX_NOIRQ). If the interrupted context had IRQs disabled, only a pseudo-NMI can
 * have got through (PMR was GIC_PRIO_IRQOFF), so this is NMI context.
 */
static void noinline el1_interrupt(struct pt_regs *regs, void (*handler)(struct pt_regs *))
{
	write_sysreg(DAIF_PROCCTX_NOIRQ, daif);

	if (system_uses_irq_prio_masking() && !interrupts_enabled(regs))
		__el1_pnmi(regs, handler);
	else
		__el1_irq(regs, handler);
}

void el1h_64_irq_handler(struct pt_regs *regs)
{
	el1_interrupt(regs, handle_arch_irq);
	keep_frame();
}

void el1h_64_fiq_handler(struct pt_regs *regs)
{
	el1_interrupt(regs, handle_arch_fiq);
	keep_frame();
}

void el1h_64_error_handler(struct pt_regs *regs)
{
	unsigned long esr = read_sysreg(esr_el1);
	local_daif_restore(DAIF_ERRCTX);
	arm64_enter_nmi(regs);
	printk("SError Interrupt on CPU%u, ESR 0x%016lx\n", smp_processor_id(), esr);
	__show_regs(regs);
	panic("Asynchronous SError Interrupt");
}

void el1h_64_sync_handler(struct pt_regs *regs)
{
	unsigned long esr = read_sysreg(esr_el1);
	unsigned long far = read_sysreg(far_el1);

	switch (ESR_ELx_EC(esr)) {
	case ESR_ELx_EC_DABT_CUR:
	case ESR_ELx_EC_IABT_CUR:
		do_mem_abort(far, esr, regs);
		break;
	case ESR_ELx_EC_PC_ALIGN:
		do_sp_pc_abort(far, esr, regs);
		break;
	case ESR_ELx_EC_SYS64:
	case ESR_ELx_EC_UNKNOWN:
		do_el1_undef(regs, esr);
		break;
	case ESR_ELx_EC_BREAKPT_CUR:
	case ESR_ELx_EC_SOFTSTP_CUR:
	case ESR_ELx_EC_WATCHPT_CUR:
	case ESR_ELx_EC_BRK64:
		do_debug_exception(far, esr, regs);
		break;
	default:
		__panic_unhandled(regs, "64-bit el1h sync", esr);
	}
	keep_frame();
}
