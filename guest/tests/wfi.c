/*
 * WFI wake-up by the virtual timer interrupt (INTID 27) through a minimal GICv3 setup
 * (GICv3 spec IHI 0069: GICD_CTLR, GICR_WAKER, GICR_IGROUPR0/ISENABLER0/IPRIORITYR,
 * ICC_PMR_EL1, ICC_IGRPEN1_EL1, ICC_IAR1_EL1, ICC_EOIR1_EL1), plus WFE/SEV/SEVL.
 * WFI wakes on an interrupt signalled to the PE even with PSTATE.I masked (ARM ARM
 * D1.16.2). Only bounds are printed, never raw counts.
 */
#include "rt.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_ENGRP1 (1u << 1)
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)
#define INTID_VTIMER 27
#define TICKS_PER_MS 62500UL

static const char *yn(bool b) { return b ? "yes" : "no"; }

static void gic_init(void)
{
	mmio_write32(RT_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP1);
	while (mmio_read32(RT_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
	/* Redistributor of CPU 0: wake it up (clear ProcessorSleep, wait for ChildrenAsleep to clear). */
	u32 waker = mmio_read32(RT_GICR_BASE + GICR_WAKER);
	mmio_write32(RT_GICR_BASE + GICR_WAKER, waker & ~2u);
	while (mmio_read32(RT_GICR_BASE + GICR_WAKER) & 4u)
		;
	mmio_write32(RT_GICR_BASE + GICR_IGROUPR0, mmio_read32(RT_GICR_BASE + GICR_IGROUPR0) | (1u << INTID_VTIMER));
	/* IPRIORITYR is byte-addressable; use an aligned word write for INTIDs 24..27. */
	u32 prio = mmio_read32(RT_GICR_BASE + GICR_IPRIORITYR + 24);
	prio = (prio & 0x00ffffffu) | (0x80u << 24);
	mmio_write32(RT_GICR_BASE + GICR_IPRIORITYR + 24, prio);
	mmio_write32(RT_GICR_BASE + GICR_ISENABLER0, 1u << INTID_VTIMER);
	write_sysreg(S3_0_C12_C12_5, read_sysreg(S3_0_C12_C12_5) | 1); /* ICC_SRE_EL1.SRE */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xffUL);  /* ICC_PMR_EL1: let every priority through */
	write_sysreg(S3_0_C12_C12_7, 1UL);   /* ICC_IGRPEN1_EL1 */
	isb();
}

static volatile unsigned irq_count;
static volatile u64 irq_intid, irq_elr;

static int irq_handler(struct rt_frame *f, unsigned vector)
{
	if (vector != RT_VEC_IRQ_SPX)
		return 0;
	u64 intid = read_sysreg(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
	irq_intid = intid;
	irq_elr = f->elr;
	irq_count++;
	if (intid == INTID_VTIMER)
		write_sysreg(cntv_ctl_el0, 0UL); /* level source: silence it before EOI */
	isb();
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
	isb();
	return 1;
}

static u64 now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

extern char wfi_site[];

static void wfi_masked(void)
{
	/* PSTATE.I masked: WFI must still wake; the IRQ stays pending until unmasked. */
	__asm__ volatile("msr daifset, #2");
	u64 t0 = now();
	write_sysreg(cntv_tval_el0, TICKS_PER_MS);
	write_sysreg(cntv_ctl_el0, 1UL);
	isb();
	u64 deadline = read_sysreg(cntv_cval_el0);
	unsigned wakes = 0;
	/* A WFI may also end spuriously (architecturally allowed); loop until the timer fired. */
	while (!(read_sysreg(cntv_ctl_el0) & 4)) {
		__asm__ volatile("wfi" ::: "memory");
		if (++wakes > 1000000)
			break;
	}
	u64 t1 = now();
	printf("masked wfi: woke with the timer pending: %s; count >= deadline: %s; elapsed < 10 s: %s\n",
	       yn(wakes <= 1000000), yn(t1 >= deadline), yn(t1 - t0 < 10000 * TICKS_PER_MS));
	printf("masked wfi: irqs taken while masked: %u\n", irq_count);
	__asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tnop\n\tmsr daifset, #2" ::: "memory");
	printf("after unmask: irqs taken=%u intid=%lu\n", irq_count, irq_intid);
}

static void wfi_unmasked(void)
{
	/* PSTATE.I clear: the IRQ is taken right after the WFI, returning to the next instruction. */
	irq_count = 0;
	u64 t0 = now();
	write_sysreg(cntv_tval_el0, 2 * TICKS_PER_MS);
	write_sysreg(cntv_ctl_el0, 1UL);
	isb();
	u64 deadline = read_sysreg(cntv_cval_el0);
	unsigned loops = 0;
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	while (!irq_count && loops < 1000000) {
		__asm__ volatile(".global wfi_site\nwfi_site: wfi" ::: "memory");
		loops++;
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	u64 t1 = now();
	printf("unmasked wfi: irq taken: %s intid=%lu; elr = wfi+4: %s; count >= deadline: %s; elapsed < 10 s: %s\n",
	       yn(irq_count == 1), irq_intid, yn(irq_elr == (u64)wfi_site + 4), yn(t1 >= deadline),
	       yn(t1 - t0 < 10000 * TICKS_PER_MS));
}

static void wfi_already_pending(void)
{
	/* A deadline in the past: the interrupt is already pending, so WFI returns at once. */
	irq_count = 0;
	write_sysreg(cntv_cval_el0, 0UL);
	write_sysreg(cntv_ctl_el0, 1UL);
	isb();
	u64 t0 = now();
	__asm__ volatile("wfi" ::: "memory");
	u64 t1 = now();
	printf("wfi with irq already pending returned within 1 s: %s\n", yn(t1 - t0 < 1000 * TICKS_PER_MS));
	__asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tmsr daifset, #2" ::: "memory");
	printf("taken after unmask: %u (intid %lu)\n", irq_count, irq_intid);
}

/* ISR_EL1.I (ARM ARM D17.2.85): an IRQ is signalled to the PE, whether or not PSTATE.I masks it. */
static void isr(void)
{
	irq_count = 0;
	__asm__ volatile("msr daifset, #2" ::: "memory");
	u64 before = read_sysreg(isr_el1);
	write_sysreg(cntv_cval_el0, 0UL);
	write_sysreg(cntv_ctl_el0, 1UL);
	isb();
	/* The GIC may take a moment to signal the level change; wait for it (bounded). */
	u64 pending = 0;
	for (unsigned i = 0; i < 1000000 && !(pending & 0x80); i++)
		pending = read_sysreg(isr_el1);
	__asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tmsr daifset, #2" ::: "memory");
	u64 after = read_sysreg(isr_el1);
	printf("ISR_EL1: idle=%lx, timer pending while masked=%lx, after the handler=%lx; irqs taken=%u\n", before,
	       pending, after, irq_count);
}

static void wfe(void)
{
	u64 t0 = now();
	__asm__ volatile("sevl\n\twfe" ::: "memory");
	__asm__ volatile("sev\n\twfe" ::: "memory");
	u64 t1 = now();
	printf("wfe after sevl and after sev returned within 1 s: %s\n", yn(t1 - t0 < 1000 * TICKS_PER_MS));
}

void test_main(void)
{
	rt_set_irq_handler(irq_handler);
	gic_init();
	wfi_masked();
	wfi_unmasked();
	wfi_already_pending();
	wfe();
	isr();
	write_sysreg(cntv_ctl_el0, 0UL);
	mmio_write32(RT_GICR_BASE + GICR_ICENABLER0, 1u << INTID_VTIMER);
}
