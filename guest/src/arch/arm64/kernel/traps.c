/*
 * Fatal kernel faults and debug exceptions (arch/arm64/kernel/traps.c, mm/fault.c,
 * kernel/debug-monitors.c).
 *
 * A fault the kernel cannot survive goes through die(), which first offers it to kgdb as
 * Linux's die notifier does (kgdb_notify → kgdb_handle_exception(1, signo, DIE_OOPS, regs)):
 * if the debugger handles it, execution resumes from the (possibly changed) regs. The
 * signal tells gdb what happened: SIGILL for an undefined instruction, SIGSEGV for an
 * abort, SIGBUS for an alignment fault. Otherwise the oops is printed and the kernel
 * panics.
 *
 * BRK goes to the break hooks: kgdb's 0x400 (breakpoints gdb inserted) and 0x401
 * (kgdb_breakpoint()), see kgdb.c.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/kgdb.h>
#include <kgdb-lab/preempt.h>
#include <kgdb-lab/smp.h>
#include <asm/daifflags.h>
#include <asm/debug-monitors.h>
#include <asm/esr.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#include <asm/traps.h>

const char *esr_get_class_string(unsigned long esr)
{
	switch (ESR_ELx_EC(esr)) {
	case ESR_ELx_EC_UNKNOWN: return "Unknown/Uncategorized";
	case ESR_ELx_EC_FP_ASIMD: return "ASIMD";
	case ESR_ELx_EC_ILL: return "PSTATE.IL";
	case ESR_ELx_EC_SVC64: return "SVC (AArch64)";
	case ESR_ELx_EC_HVC64: return "HVC (AArch64)";
	case ESR_ELx_EC_SYS64: return "MSR/MRS (AArch64)";
	case ESR_ELx_EC_IABT_CUR: return "IABT (current EL)";
	case ESR_ELx_EC_PC_ALIGN: return "PC Alignment";
	case ESR_ELx_EC_DABT_CUR: return "DABT (current EL)";
	case ESR_ELx_EC_SP_ALIGN: return "SP Alignment";
	case ESR_ELx_EC_SERROR: return "SError";
	case ESR_ELx_EC_BREAKPT_CUR: return "Breakpoint (current EL)";
	case ESR_ELx_EC_SOFTSTP_CUR: return "Software Step (current EL)";
	case ESR_ELx_EC_WATCHPT_CUR: return "Watchpoint (current EL)";
	case ESR_ELx_EC_BRK64: return "BRK (AArch64)";
	default: return "UNRECOGNIZED EC";
	}
}

static int die_counter;

/*
 * The die notifier chain, reduced to its kgdb member (arch/arm64/kernel/kgdb.c
 * __kgdb_notify): true when the debugger took the exception.
 */
static bool notify_die(unsigned long cmd, struct pt_regs *regs, int signo)
{
	return kgdb_handle_exception(1, signo, (int)cmd, regs) == 0;
}

void die(const char *str, struct pt_regs *regs, unsigned long err, int signo)
{
	unsigned long flags = printk_cpu_sync_get_irqsave();
	printk("Internal error: %s: %016lx [#%d] SMP\n", str, err, ++die_counter);
	printk_cpu_sync_put_irqrestore(flags);

	if (notify_die(DIE_OOPS, regs, signo))
		return;

	flags = printk_cpu_sync_get_irqsave();
	show_regs(regs);
	printk_cpu_sync_put_irqrestore(flags);

	if (in_interrupt())
		panic("%s: Fatal exception in interrupt", str);
	panic("Fatal exception");
}

void do_el1_undef(struct pt_regs *regs, unsigned long esr)
{
	die("Oops - Undefined instruction", regs, esr, SIGILL);
}

/* "Unable to handle kernel ... at virtual address ..." and the abort's decoding (mm/fault.c). */
static void die_kernel_fault(const char *msg, unsigned long addr, unsigned long esr, struct pt_regs *regs,
			     int signo)
{
	unsigned long flags = printk_cpu_sync_get_irqsave();
	printk("Unable to handle kernel %s at virtual address %016lx\n", msg, addr);
	printk("Mem abort info:\n");
	printk("  ESR = 0x%016lx\n", esr);
	printk("  EC = 0x%02lx: %s, IL = %u bits\n", ESR_ELx_EC(esr), esr_get_class_string(esr),
	       (esr & (1UL << 25)) ? 32 : 16);
	printk("  FSC = 0x%02lx, WnR = %lu\n", ESR_ELx_FSC(esr), (esr & ESR_ELx_WNR) ? 1UL : 0UL);
	printk_cpu_sync_put_irqrestore(flags);
	die("Oops", regs, esr, signo);
}

void do_mem_abort(unsigned long far, unsigned long esr, struct pt_regs *regs)
{
	if (ESR_ELx_FSC(esr) == ESR_ELx_FSC_ALIGN)
		die_kernel_fault("alignment fault", far, esr, regs, SIGBUS);
	else if (ESR_ELx_EC(esr) == ESR_ELx_EC_IABT_CUR)
		die_kernel_fault("execute from non-executable memory", far, esr, regs, SIGSEGV);
	else
		die_kernel_fault("paging request", far, esr, regs, SIGSEGV);
}

void do_sp_pc_abort(unsigned long addr, unsigned long esr, struct pt_regs *regs)
{
	die_kernel_fault("PC alignment fault", addr, esr, regs, SIGBUS);
}

/* ---- debug exceptions (arch/arm64/kernel/debug-monitors.c, mm/fault.c do_debug_exception) ---- */

int call_break_hook(struct pt_regs *regs, unsigned long esr)
{
	switch (esr & ESR_ELx_BRK64_ISS_COMMENT_MASK) {
	case KGDB_DYN_DBG_BRK_IMM:
		return kgdb_brk_fn(regs, esr);
	case KGDB_COMPILED_DBG_BRK_IMM:
		return kgdb_compiled_brk_fn(regs, esr);
	default:
		return DBG_HOOK_ERROR;
	}
}

static int brk_handler(unsigned long esr, struct pt_regs *regs)
{
	if (call_break_hook(regs, esr) == DBG_HOOK_HANDLED)
		return 0;
	printk("Unexpected kernel BRK exception at EL1\n");
	return -1;
}

static int single_step_handler(unsigned long esr, struct pt_regs *regs)
{
	if (kgdb_step_brk_fn(regs, esr) == DBG_HOOK_HANDLED)
		return 0;
	/* Nobody stepping: turn stepping off so the kernel carries on. */
	printk("Unexpected kernel single-step exception at EL1\n");
	regs->pstate &= ~(unsigned long)PSR_SS_BIT;
	write_sysreg(read_sysreg(mdscr_el1) & ~DBG_MDSCR_SS, mdscr_el1);
	return 0;
}

void do_debug_exception(unsigned long addr_if_watchpoint, unsigned long esr, struct pt_regs *regs)
{
	(void)addr_if_watchpoint;
	switch (ESR_ELx_EC(esr)) {
	case ESR_ELx_EC_BRK64:
		if (brk_handler(esr, regs))
			die("BRK handler", regs, esr, SIGTRAP);
		break;
	case ESR_ELx_EC_SOFTSTP_CUR:
		single_step_handler(esr, regs);
		break;
	default:
		/* No hardware breakpoints or watchpoints are ever armed by this kernel. */
		die("Oops - unexpected debug exception", regs, esr, SIGTRAP);
		break;
	}
	keep_frame();
}
