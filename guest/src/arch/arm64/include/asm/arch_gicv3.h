/* GICv3 CPU interface system-register accessors (arch/arm64/include/asm/arch_gicv3.h). */
#ifndef ASM_ARCH_GICV3_H
#define ASM_ARCH_GICV3_H
#include <kgdb-lab/types.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>

static inline u32 gic_read_iar(void)
{
	u32 irqnr = (u32)read_sysreg(icc_iar1_el1);
	dsb(sy); /* Linux: order the acknowledge before any access to the interrupt's device */
	return irqnr;
}
static inline void gic_write_eoir(u32 irq)
{
	write_sysreg(irq, icc_eoir1_el1);
	isb();
}
static inline void gic_write_dir(u32 irq)
{
	write_sysreg(irq, icc_dir_el1);
	isb();
}
static inline u32 gic_read_pmr(void) { return (u32)read_sysreg(icc_pmr_el1); }
static inline void gic_write_pmr(u32 val) { write_sysreg(val, icc_pmr_el1); }
static inline u32 gic_read_rpr(void) { return (u32)read_sysreg(icc_rpr_el1); }
static inline u32 gic_read_ctlr(void) { return (u32)read_sysreg(icc_ctlr_el1); }
static inline void gic_write_ctlr(u32 val) { write_sysreg(val, icc_ctlr_el1); isb(); }
static inline void gic_write_grpen1(u32 val) { write_sysreg(val, icc_igrpen1_el1); isb(); }
static inline void gic_write_sgi1r(u64 val) { write_sysreg(val, icc_sgi1r_el1); }
static inline u32 gic_read_sre(void) { return (u32)read_sysreg(icc_sre_el1); }
static inline void gic_write_sre(u32 val) { write_sysreg(val, icc_sre_el1); isb(); }
static inline void gic_write_bpr1(u32 val) { write_sysreg(val, icc_bpr1_el1); }

/* Set ICC_SRE_EL1.SRE and report whether it stuck (it is RAO/WI on GICv3 without EL2 control). */
static inline bool gic_enable_sre(void)
{
	u32 val = gic_read_sre();
	if (val & 1)
		return true;
	gic_write_sre(val | 1);
	return gic_read_sre() & 1;
}

/* Mask ordinary IRQs by priority, clear PSTATE.I/F: the state an NMI-preemptible IRQ handler runs in. */
static inline void gic_pmr_mask_irqs(void)
{
	gic_write_pmr(GIC_PRIO_IRQOFF);
}
static inline void gic_arch_enable_irqs(void)
{
	__asm__ volatile("msr daifclr, #3" : : : "memory");
}

#endif
