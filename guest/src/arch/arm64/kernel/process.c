/* Register dumps (arch/arm64/kernel/process.c __show_regs / print_pstate, v6.3). */
#include <kgdb-lab/kernel.h>
#include <asm/cpufeature.h>
#include <asm/ptrace.h>
#include <asm/stacktrace.h>

static const char *const btypes[] = { "--", "j-", "-c", "jc" };

static void print_pstate(struct pt_regs *regs)
{
	u64 pstate = regs->pstate;
	const char *btype_str = btypes[(pstate & PSR_BTYPE_MASK) >> PSR_BTYPE_SHIFT];

	printk("pstate: %08lx (%c%c%c%c %c%c%c%c %cPAN %cUAO %cTCO %cDIT %cSSBS BTYPE=%s)\n", pstate,
	       pstate & PSR_N_BIT ? 'N' : 'n', pstate & PSR_Z_BIT ? 'Z' : 'z', pstate & PSR_C_BIT ? 'C' : 'c',
	       pstate & PSR_V_BIT ? 'V' : 'v', pstate & PSR_D_BIT ? 'D' : 'd', pstate & PSR_A_BIT ? 'A' : 'a',
	       pstate & PSR_I_BIT ? 'I' : 'i', pstate & PSR_F_BIT ? 'F' : 'f', pstate & PSR_PAN_BIT ? '+' : '-',
	       pstate & PSR_UAO_BIT ? '+' : '-', pstate & PSR_TCO_BIT ? '+' : '-', pstate & PSR_DIT_BIT ? '+' : '-',
	       pstate & PSR_SSBS_BIT ? '+' : '-', btype_str);
}

void __show_regs(struct pt_regs *regs)
{
	unsigned long flags = printk_cpu_sync_get_irqsave();

	dump_stack_print_info();
	print_pstate(regs);
	printk("pc : %pS\n", (void *)regs->pc);
	printk("lr : %pS\n", (void *)regs->regs[30]);
	printk("sp : %016lx\n", regs->sp);
	if (system_uses_irq_prio_masking())
		printk("pmr_save: %08lx\n", regs->pmr_save);

	/* x29 down to x0, two per line. */
	for (int i = 29; i >= 0; i -= 2)
		printk("x%-2d: %016lx x%-2d: %016lx\n", i, regs->regs[i], i - 1, regs->regs[i - 1]);

	printk_cpu_sync_put_irqrestore(flags);
}

noinline void show_regs(struct pt_regs *regs)
{
	unsigned long flags = printk_cpu_sync_get_irqsave();
	__show_regs(regs);
	dump_backtrace(regs);
	printk_cpu_sync_put_irqrestore(flags);
}
