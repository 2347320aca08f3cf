/*
 * The pseudo-NMI rule on one CPU, with Linux arm64's priorities (drivers/irqchip/irq-gic-v3.c
 * and arch/arm64/include/asm/ptrace.h before 6.x): every SGI in Group 1, ordinary interrupts
 * at GICD_INT_DEF_PRI 0xa0, the "NMI" at 0xa0 & ~0x80 = 0x20; ICC_PMR_EL1 0xe0 means IRQs
 * on (GIC_PRIO_IRQON) and 0x60 IRQs off (GIC_PRIO_IRQOFF) while PSTATE.I stays clear.
 *
 * The GIC signals an interrupt only when its priority is strictly below PMR and its group
 * priority strictly below the running priority (GICv3 spec IHI 0069 §4.8); the PE takes it
 * only when PSTATE.I is clear. So with PMR 0x60 an 0x20 SGI is taken at once, an 0xa0 one
 * stays pending until PMR goes back to 0xe0, and with PSTATE.I set neither is taken.
 *
 * Compared byte for byte between QEMU and kgdb-lab: nothing printed depends on host timing.
 */
#include "gic_lib.h"

#define PRIO_NMI 0x20
#define PRIO_IRQ 0xa0
#define PMR_IRQ_ON 0xe0
#define PMR_IRQ_OFF 0x60

#define SGI_NMI 1
#define SGI_IRQ 2
#define SGI_AT_PMR 3 /* priority 0x60: equal to PMR, so masked */
#define SGI_NMI2 4

static uintptr_t rd;
static volatile unsigned taken[32];

static void send_self(unsigned intid)
{
	u64 m = read_sysreg(mpidr_el1);
	write_sysreg(icc_sgi1r_el1, SGI_INTID(intid) | SGI_AFF1((m >> 8) & 0xff) | (1UL << (m & 0xf)));
	isb();
}

static void set_pmr(u64 v)
{
	write_sysreg(icc_pmr_el1, v);
	isb();
}

static bool pending(unsigned intid) { return (gicr_read(rd, GICR_ISPENDR0) >> intid) & 1; }
static u64 isr(void) { isb(); return read_sysreg(isr_el1); }

static void count_hook(unsigned intid, bool fiq)
{
	(void)fiq;
	if (intid < 32)
		taken[intid]++;
}

static void reset_counts(void)
{
	for (unsigned i = 0; i < 32; i++)
		taken[i] = 0;
}

/* PMR 0x60 with PSTATE.I clear: Linux's "IRQs off" when pseudo-NMIs are enabled. */
static void irqs_off_by_pmr(void)
{
	printf("== PMR %x (IRQs off), PSTATE.I clear\n", PMR_IRQ_OFF);
	reset_counts();
	gic_hook = count_hook;
	set_pmr(PMR_IRQ_OFF);
	unmask_irq();
	send_self(SGI_NMI);
	unsigned nmi_now = taken[SGI_NMI];
	send_self(SGI_IRQ);
	unsigned irq_now = taken[SGI_IRQ];
	send_self(SGI_AT_PMR);
	unsigned at_pmr_now = taken[SGI_AT_PMR];
	/* Stay a while with I clear: nothing else may arrive. */
	for (volatile unsigned i = 0; i < 10000; i++)
		;
	printf("SGI %u prio %x taken by the instruction after the ISB: %s (count %u)\n", SGI_NMI, PRIO_NMI,
	       yn(nmi_now == 1), nmi_now);
	printf("SGI %u prio %x taken: %u; after spinning: %u; pending: %s\n", SGI_IRQ, PRIO_IRQ, irq_now, taken[SGI_IRQ],
	       yn(pending(SGI_IRQ)));
	printf("SGI %u prio %x (equal to PMR) taken: %u; after spinning: %u; pending: %s\n", SGI_AT_PMR, PMR_IRQ_OFF,
	       at_pmr_now, taken[SGI_AT_PMR], yn(pending(SGI_AT_PMR)));
	printf("ISR_EL1=%lx HPPIR1=%lx RPR=%lx\n", isr(), read_sysreg(icc_hppir1_el1), read_sysreg(icc_rpr_el1));
	set_pmr(PMR_IRQ_ON);
	unsigned irq_after = taken[SGI_IRQ], at_pmr_after = taken[SGI_AT_PMR];
	mask_irq();
	printf("PMR raised to %x: SGI %u taken by the instruction after the ISB: %s; SGI %u: %s; pending left: %x\n",
	       PMR_IRQ_ON, SGI_IRQ, yn(irq_after == 1), SGI_AT_PMR, yn(at_pmr_after == 1),
	       gicr_read(rd, GICR_ISPENDR0) & 0xffff);
	gic_print_events("order");
}

/* PSTATE.I set: nothing is taken whatever PMR says; the GIC still signals what PMR lets through. */
static void irqs_off_by_daif(void)
{
	printf("== PSTATE.I set\n");
	reset_counts();
	gic_hook = count_hook;
	mask_irq();
	set_pmr(PMR_IRQ_OFF);
	send_self(SGI_NMI);
	send_self(SGI_IRQ);
	for (volatile unsigned i = 0; i < 10000; i++)
		;
	printf("PMR %x: taken NMI %u IRQ %u; pending NMI %s IRQ %s; ISR_EL1=%lx HPPIR1=%lx\n", PMR_IRQ_OFF,
	       taken[SGI_NMI], taken[SGI_IRQ], yn(pending(SGI_NMI)), yn(pending(SGI_IRQ)), isr(),
	       read_sysreg(icc_hppir1_el1));
	set_pmr(PMR_IRQ_ON);
	for (volatile unsigned i = 0; i < 10000; i++)
		;
	printf("PMR %x: taken NMI %u IRQ %u; ISR_EL1=%lx\n", PMR_IRQ_ON, taken[SGI_NMI], taken[SGI_IRQ], isr());
	set_pmr(PMR_IRQ_OFF);
	unmask_irq();
	isb();
	unsigned nmi = taken[SGI_NMI], irq = taken[SGI_IRQ];
	mask_irq();
	printf("I cleared with PMR %x: taken NMI %u IRQ %u; IRQ still pending: %s\n", PMR_IRQ_OFF, nmi, irq,
	       yn(pending(SGI_IRQ)));
	set_pmr(PMR_IRQ_ON);
	unmask_irq();
	isb();
	irq = taken[SGI_IRQ];
	mask_irq();
	printf("PMR %x: IRQ taken %u\n", PMR_IRQ_ON, irq);
	gic_print_events("order");
}

/*
 * An NMI arriving while an ordinary handler runs: as Linux does with pseudo-NMIs, the IRQ
 * handler clears PSTATE.I with PMR at "IRQs off", so only NMIs can preempt it.
 */
static volatile u64 nested_ap1;

static void nest_hook(unsigned intid, bool fiq)
{
	(void)fiq;
	if (intid < 32)
		taken[intid]++;
	if (intid == SGI_IRQ && taken[SGI_IRQ] == 1) {
		u64 pmr = read_sysreg(icc_pmr_el1);
		set_pmr(PMR_IRQ_OFF);
		unmask_irq();
		send_self(SGI_IRQ); /* another ordinary one: waits */
		send_self(SGI_NMI); /* preempts */
		send_self(SGI_NMI2);
		mask_irq();
		set_pmr(pmr);
	} else if (intid == SGI_NMI && taken[SGI_NMI] == 1) {
		nested_ap1 = read_sysreg(icc_ap1r0_el1);
		unmask_irq();
		send_self(SGI_NMI); /* same priority as the running NMI: waits for the EOI */
		mask_irq();
	}
}

static void nmi_in_irq_handler(void)
{
	printf("== NMI while an IRQ handler runs with PMR %x and PSTATE.I clear\n", PMR_IRQ_OFF);
	reset_counts();
	nested_ap1 = 0;
	gic_hook = nest_hook;
	set_pmr(PMR_IRQ_ON);
	send_self(SGI_IRQ);
	interrupt_window();
	printf("taken: IRQ %u NMI %u NMI2 %u; AP1R0 inside the NMI=%lx; RPR after=%lx\n", taken[SGI_IRQ],
	       taken[SGI_NMI], taken[SGI_NMI2], nested_ap1, read_sysreg(icc_rpr_el1));
	gic_print_events("order");
}

/* A timer PPI as an NMI: the physical timer at prio 0x20 interrupts a spin with PMR 0x60. */
static void silence_ptimer(unsigned intid, bool fiq)
{
	(void)fiq;
	if (intid == INTID_PTIMER) {
		write_sysreg(cntp_ctl_el0, 0);
		isb();
	}
}

static void timer_nmi(void)
{
	printf("== physical timer (INTID 30) at prio %x while spinning with PMR %x\n", PRIO_NMI, PMR_IRQ_OFF);
	reset_counts();
	gic_hook = NULL;
	gicr_set_priority(rd, INTID_PTIMER, PRIO_NMI);
	gicr_set_priority(rd, INTID_VTIMER, PRIO_IRQ);
	gicr_write(rd, GICR_ISENABLER0, (1u << INTID_PTIMER) | (1u << INTID_VTIMER));
	set_pmr(PMR_IRQ_OFF);
	write_sysreg(cntv_tval_el0, TICKS_PER_MS);
	write_sysreg(cntv_ctl_el0, 1);
	write_sysreg(cntp_tval_el0, 2 * TICKS_PER_MS);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
	u64 deadline = read_sysreg(cntp_cval_el0);
	/* The handler silences the physical timer; the virtual one stays masked by PMR. */
	gic_hook = silence_ptimer;
	unmask_irq();
	unsigned spins = 0;
	while (gic_nevents == 0 && spins < 100000000)
		spins++;
	u64 t = counter_now();
	mask_irq();
	u32 p = gicr_read(rd, GICR_ISPENDR0);
	printf("taken while spinning: %s; at or after its deadline: %s; virtual timer (prio %x) pending but not taken: "
	       "%s\n",
	       yn(gic_nevents >= 1), yn(t >= deadline), PRIO_IRQ,
	       yn(((p >> INTID_VTIMER) & 1) && gic_nevents >= 1 && gic_events[0].intid == INTID_PTIMER));
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	gic_print_events("events");
	gicr_write(rd, GICR_ICENABLER0, (1u << INTID_PTIMER) | (1u << INTID_VTIMER));
	set_pmr(PMR_IRQ_ON);
}

void test_main(void)
{
	gic_install_vectors();
	gic_log_install();
	struct gic_rdist r;
	if (!gic_read_rdist_regions() || !gic_find_rdist(&r))
		rt_fail("no redistributor found for CPU 0");
	rd = r.base;
	gic_dist_init();
	gic_cpu_init(rd, PRIO_IRQ);
	gicr_set_priority(rd, SGI_NMI, PRIO_NMI);
	gicr_set_priority(rd, SGI_NMI2, PRIO_NMI);
	gicr_set_priority(rd, SGI_IRQ, PRIO_IRQ);
	gicr_set_priority(rd, SGI_AT_PMR, PMR_IRQ_OFF);
	gicr_write(rd, GICR_ISENABLER0, 0xffff);
	irqs_off_by_pmr();
	irqs_off_by_daif();
	nmi_in_irq_handler();
	timer_nmi();
	mask_irq();
}
