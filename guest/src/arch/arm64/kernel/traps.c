/*
 * Exception dispatch. Nothing is expected to trap yet (no interrupts are enabled, no
 * breakpoints are planted), so every exception is reported with its syndrome and the
 * machine is powered off: a crash is always visible on the console. The kgdb work will
 * route BRK and the debug IPI here.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/smp.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>

static const char *const vector_names[16] = {
	"Synchronous (EL1t)", "IRQ (EL1t)", "FIQ (EL1t)", "SError (EL1t)",
	"Synchronous (EL1h)", "IRQ (EL1h)", "FIQ (EL1h)", "SError (EL1h)",
	"Synchronous (EL0, AArch64)", "IRQ (EL0, AArch64)", "FIQ (EL0, AArch64)", "SError (EL0, AArch64)",
	"Synchronous (EL0, AArch32)", "IRQ (EL0, AArch32)", "FIQ (EL0, AArch32)", "SError (EL0, AArch32)",
};

void el1_exception(struct pt_regs *regs, unsigned int vector);

void el1_exception(struct pt_regs *regs, unsigned int vector)
{
	printk("Unhandled exception: %s, ESR 0x%016lx (EC 0x%02lx)\n", vector < 16 ? vector_names[vector] : "?",
	       regs->esr, ESR_ELx_EC(regs->esr));
	printk("  pc : 0x%016lx  pstate: 0x%08lx\n", regs->pc, regs->pstate);
	printk("  far: 0x%016lx  sp    : 0x%016lx  lr: 0x%016lx\n", regs->far, regs->sp, regs->regs[30]);
	panic("unhandled exception on CPU %u", smp_processor_id());
}
