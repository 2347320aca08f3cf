/*
 * GICv3 probe, one CPU: reset values and register read-back, Group 0/1 delivery as FIQ/IRQ,
 * which SGI register reaches which group, the group enables, PMR, running priority and
 * preemption, binary points, EOImode 0/1 with ICC_DIR_EL1, the timer PPIs 27 and 30
 * (level-sensitive: EOI alone does not clear them), WFI wake-up rules, and SPI 33 (the
 * PL011) routed through the distributor.
 *
 * Compared byte for byte between QEMU (-M virt,gic-version=3 -cpu cortex-a57) and kgdb-lab,
 * so nothing printed may depend on host timing: times are printed as facts ("woke at or after
 * the deadline: yes"), never as counts. GICv3 spec = Arm IHI 0069; QEMU = hw/intc/arm_gicv3*.c.
 */
#include "gic_lib.h"

static uintptr_t rd;

/* ---- small helpers ---- */

static u64 self_target(void)
{
	u64 m = read_sysreg(mpidr_el1);
	return SGI_AFF1((m >> 8) & 0xff) | (1UL << (m & 0xf));
}

enum sgi_reg { SGI0R, SGI1R, ASGI1R };
static const char *const sgi_reg_name[] = { "ICC_SGI0R_EL1", "ICC_SGI1R_EL1", "ICC_ASGI1R_EL1" };

static void send_self(enum sgi_reg reg, unsigned intid)
{
	u64 v = SGI_INTID(intid) | self_target();
	if (reg == SGI0R)
		write_sysreg(icc_sgi0r_el1, v);
	else if (reg == SGI1R)
		write_sysreg(icc_sgi1r_el1, v);
	else
		write_sysreg(icc_asgi1r_el1, v);
	isb();
}

static void sgi_config(unsigned intid, unsigned group, u8 prio)
{
	gicr_set_group(rd, intid, group);
	gicr_set_priority(rd, intid, prio);
	gicr_write(rd, GICR_ISENABLER0, 1u << intid);
}

static bool bit(u32 v, unsigned n) { return (v >> n) & 1; }
static u32 pending0(void) { return gicr_read(rd, GICR_ISPENDR0); }
static u32 active0(void) { return gicr_read(rd, GICR_ISACTIVER0); }
static u64 isr(void) { isb(); return read_sysreg(isr_el1); }

/* Return the CPU interface and SGI/PPI state to: nothing pending or active, all Group 1, disabled. */
static void quiesce(void)
{
	mask_if();
	gicr_write(rd, GICR_ICENABLER0, 0xffffffffu);
	gicr_write(rd, GICR_ICPENDR0, 0xffffffffu);
	gicr_write(rd, GICR_ICACTIVER0, 0xffffffffu);
	gicr_write(rd, GICR_IGROUPR0, 0xffffffffu);
	write_sysreg(icc_pmr_el1, 0xf0);
	write_sysreg(icc_ctlr_el1, 0);
	write_sysreg(icc_bpr0_el1, 0);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	isb();
	gic_hook = NULL;
	gic_defer_eoi = false;
	gic_nevents = 0;
}

/* ---- 1. reset values ---- */

static void print_idregs(const char *name, uintptr_t base)
{
	char buf[128];
	int len = snprintf(buf, sizeof(buf), "%s ID registers (PIDR4-7, PIDR0-3, CIDR0-3):", name);
	for (unsigned i = 0; i < 12; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %x", mmio_read32(base + 0xffd0 + 4 * i));
	printf("%s\n", buf);
}

static void reset_values(const struct gic_rdist *r)
{
	printf("== reset values\n");
	printf("GICD_CTLR=%x GICD_TYPER=%x GICD_IIDR=%x GICD_PIDR2=%x\n", gicd_read(GICD_CTLR), gicd_read(GICD_TYPER),
	       gicd_read(GICD_IIDR), gicd_read(0xffe8));
	print_idregs("GICD", RT_GICD_BASE);
	printf("GICD SPIs 32-63: IGROUPR=%x ISENABLER=%x ISPENDR=%x ISACTIVER=%x IPRIORITYR(32-35)=%x ICFGR(32-47)=%x "
	       "IROUTER(33)=%lx IGRPMODR=%x\n",
	       gicd_read(GICD_IGROUPR + 4), gicd_read(GICD_ISENABLER + 4), gicd_read(GICD_ISPENDR + 4),
	       gicd_read(GICD_ISACTIVER + 4), gicd_read(GICD_IPRIORITYR + 32), gicd_read(GICD_ICFGR + 8),
	       mmio_read64(RT_GICD_BASE + GICD_IROUTER + 33 * 8), gicd_read(GICD_IGRPMODR + 4));
	printf("GICD INTIDs 0-31 (ARE=1, RAZ): IGROUPR0=%x ISENABLER0=%x IPRIORITYR0=%x\n", gicd_read(GICD_IGROUPR),
	       gicd_read(GICD_ISENABLER), gicd_read(GICD_IPRIORITYR));
	printf("GICR found by walking the DTB regions: region %u frame %u at GICR base: %s\n", r->region, r->frame,
	       yn(r->base == RT_GICR_BASE));
	printf("GICR_TYPER=%lx GICR_IIDR=%x GICR_CTLR=%x GICR_WAKER=%x GICR_PIDR2=%x\n", mmio_read64(rd + GICR_TYPER),
	       gicr_read(rd, GICR_IIDR), gicr_read(rd, GICR_CTLR), gicr_read(rd, GICR_WAKER), gicr_read(rd, GICR_PIDR2));
	print_idregs("GICR", rd);
	printf("GICR_IGROUPR0=%x ISENABLER0=%x ISPENDR0=%x ISACTIVER0=%x ICFGR0=%x ICFGR1=%x IGRPMODR0=%x NSACR=%x\n",
	       gicr_read(rd, GICR_IGROUPR0), gicr_read(rd, GICR_ISENABLER0), gicr_read(rd, GICR_ISPENDR0),
	       gicr_read(rd, GICR_ISACTIVER0), gicr_read(rd, GICR_ICFGR0), gicr_read(rd, GICR_ICFGR1),
	       gicr_read(rd, GICR_IGRPMODR0), gicr_read(rd, GICR_NSACR));
	printf("GICR_IPRIORITYR0-7: %x %x %x %x %x %x %x %x\n", gicr_read(rd, GICR_IPRIORITYR),
	       gicr_read(rd, GICR_IPRIORITYR + 4), gicr_read(rd, GICR_IPRIORITYR + 8), gicr_read(rd, GICR_IPRIORITYR + 12),
	       gicr_read(rd, GICR_IPRIORITYR + 16), gicr_read(rd, GICR_IPRIORITYR + 20),
	       gicr_read(rd, GICR_IPRIORITYR + 24), gicr_read(rd, GICR_IPRIORITYR + 28));
	printf("ICC_SRE=%lx ICC_CTLR=%lx ICC_PMR=%lx ICC_BPR0=%lx ICC_BPR1=%lx ICC_RPR=%lx\n", read_sysreg(icc_sre_el1),
	       read_sysreg(icc_ctlr_el1), read_sysreg(icc_pmr_el1), read_sysreg(icc_bpr0_el1), read_sysreg(icc_bpr1_el1),
	       read_sysreg(icc_rpr_el1));
	printf("ICC_IGRPEN0=%lx ICC_IGRPEN1=%lx ICC_AP0R0=%lx ICC_AP1R0=%lx ICC_HPPIR0=%lx ICC_HPPIR1=%lx\n",
	       read_sysreg(icc_igrpen0_el1), read_sysreg(icc_igrpen1_el1), read_sysreg(icc_ap0r0_el1),
	       read_sysreg(icc_ap1r0_el1), read_sysreg(icc_hppir0_el1), read_sysreg(icc_hppir1_el1));
	u64 iar1 = read_sysreg(icc_iar1_el1);
	u64 iar0 = read_sysreg(icc_iar0_el1);
	printf("ICC_IAR1=%lx ICC_IAR0=%lx ISR_EL1=%lx\n", iar1, iar0, isr());
}

/* ---- 2. what writes keep ---- */

static void readback(void)
{
	printf("== register read-back\n");
	gicd_write(GICD_CTLR, 0x13);
	gicd_wait_rwp();
	u32 a = gicd_read(GICD_CTLR);
	gicd_write(GICD_CTLR, 0);
	gicd_wait_rwp();
	u32 b = gicd_read(GICD_CTLR);
	gicd_write(GICD_CTLR, 0xffffffffu);
	gicd_wait_rwp();
	u32 c = gicd_read(GICD_CTLR);
	printf("GICD_CTLR: wrote 13 read %x; wrote 0 read %x; wrote ffffffff read %x\n", a, b, c);
	gic_dist_init();

	gicr_write(rd, GICR_WAKER, 0);
	a = gicr_read(rd, GICR_WAKER);
	gicr_write(rd, GICR_WAKER, GICR_WAKER_PS);
	b = gicr_read(rd, GICR_WAKER);
	gicr_write(rd, GICR_WAKER, 0xffffffffu);
	c = gicr_read(rd, GICR_WAKER);
	gicr_write(rd, GICR_WAKER, 0);
	while (gicr_read(rd, GICR_WAKER) & GICR_WAKER_CA)
		;
	printf("GICR_WAKER: wrote 0 read %x; wrote 2 read %x; wrote ffffffff read %x\n", a, b, c);

	static const u64 pmr_in[] = { 0xff, 0x65, 0x07, 0x80 };
	for (unsigned i = 0; i < ARRAY_SIZE(pmr_in); i++) {
		write_sysreg(icc_pmr_el1, pmr_in[i]);
		printf("%sPMR %lx->%lx", i ? ", " : "ICC_", pmr_in[i], read_sysreg(icc_pmr_el1));
	}
	printf("\n");
	char buf[160];
	int len = snprintf(buf, sizeof(buf), "ICC_BPR0 writes 0-7 read:");
	for (u64 v = 0; v < 8; v++) {
		write_sysreg(icc_bpr0_el1, v);
		len += snprintf(buf + len, sizeof(buf) - len, " %lx", read_sysreg(icc_bpr0_el1));
	}
	len += snprintf(buf + len, sizeof(buf) - len, "; ICC_BPR1 writes 0-7 read:");
	for (u64 v = 0; v < 8; v++) {
		write_sysreg(icc_bpr1_el1, v);
		len += snprintf(buf + len, sizeof(buf) - len, " %lx", read_sysreg(icc_bpr1_el1));
	}
	printf("%s\n", buf);
	write_sysreg(icc_bpr0_el1, 4);
	write_sysreg(icc_bpr1_el1, 6);
	write_sysreg(icc_ctlr_el1, 0xffffffffUL);
	u64 ctlr = read_sysreg(icc_ctlr_el1);
	u64 bpr1_cbpr = read_sysreg(icc_bpr1_el1);
	write_sysreg(icc_bpr1_el1, 3); /* ignored while CBPR = 1 */
	u64 bpr1_after_write = read_sysreg(icc_bpr1_el1);
	write_sysreg(icc_ctlr_el1, 0);
	printf("ICC_CTLR: wrote ffffffff read %lx; with CBPR=1 and BPR0=4, BPR1 reads %lx, after writing 3 reads %lx; "
	       "CBPR=0 again: BPR1=%lx CTLR=%lx\n",
	       ctlr, bpr1_cbpr, bpr1_after_write, read_sysreg(icc_bpr1_el1), read_sysreg(icc_ctlr_el1));
	write_sysreg(icc_sre_el1, 0);
	write_sysreg(icc_igrpen0_el1, 3);
	write_sysreg(icc_igrpen1_el1, 0xffffffffUL);
	printf("ICC_SRE wrote 0 read %lx; ICC_IGRPEN0 wrote 3 read %lx; ICC_IGRPEN1 wrote ffffffff read %lx\n",
	       read_sysreg(icc_sre_el1), read_sysreg(icc_igrpen0_el1), read_sysreg(icc_igrpen1_el1));
	write_sysreg(icc_ap1r0_el1, 0x10000);
	a = (u32)read_sysreg(icc_ap1r0_el1);
	u64 rpr = read_sysreg(icc_rpr_el1);
	write_sysreg(icc_ap1r0_el1, 0);
	printf("ICC_AP1R0 wrote 10000 read %x, RPR then %lx; cleared: RPR %lx\n", a, rpr, read_sysreg(icc_rpr_el1));

	*(volatile u8 *)(rd + GICR_IPRIORITYR + 5) = 0xff;
	gicr_write(rd, GICR_IPRIORITYR + 8, 0x12345678u);
	gicr_write(rd, GICR_IGROUPR0, 0x12345678u);
	a = gicr_read(rd, GICR_IGROUPR0);
	gicr_write(rd, GICR_ISENABLER0, 0xffffffffu);
	b = gicr_read(rd, GICR_ISENABLER0);
	gicr_write(rd, GICR_ICENABLER0, 0xffffffffu);
	c = gicr_read(rd, GICR_ISENABLER0);
	printf("GICR: IPRIORITYR1 after byte write ff to SGI 5: %x; IPRIORITYR2 wrote 12345678 read %x; IGROUPR0 wrote "
	       "12345678 read %x; ISENABLER0 all: %x, then ICENABLER0 all: %x\n",
	       gicr_read(rd, GICR_IPRIORITYR + 4), gicr_read(rd, GICR_IPRIORITYR + 8), a, b, c);
	gicr_write(rd, GICR_ICFGR0, 0);
	gicr_write(rd, GICR_ICFGR1, 0xffffffffu);
	a = gicr_read(rd, GICR_ICFGR0);
	b = gicr_read(rd, GICR_ICFGR1);
	gicr_write(rd, GICR_ICFGR1, 0);
	gicr_write(rd, GICR_IGRPMODR0, 0xffffffffu);
	gicr_write(rd, GICR_NSACR, 0xffffffffu);
	printf("GICR: ICFGR0 wrote 0 read %x; ICFGR1 wrote ffffffff read %x; IGRPMODR0 wrote ffffffff read %x; NSACR "
	       "wrote ffffffff read %x\n",
	       a, b, gicr_read(rd, GICR_IGRPMODR0), gicr_read(rd, GICR_NSACR));
	gicr_write(rd, GICR_IGRPMODR0, 0);
	gicr_write(rd, GICR_NSACR, 0);

	gicd_write(GICD_IPRIORITYR + 32, 0xffffffffu);
	gicd_write(GICD_ICFGR + 8, 0xffffffffu);
	gicd_write(GICD_IGROUPR + 4, 0xffffffffu);
	gicd_write(GICD_IGRPMODR + 4, 0xffffffffu);
	mmio_write64(RT_GICD_BASE + GICD_IROUTER + 33 * 8, ~0UL);
	printf("GICD: IPRIORITYR(32-35) wrote ffffffff read %x; ICFGR(32-47) wrote ffffffff read %x; IGROUPR(32-63) "
	       "%x; IGRPMODR(32-63) %x; IROUTER(33) wrote all ones read %lx\n",
	       gicd_read(GICD_IPRIORITYR + 32), gicd_read(GICD_ICFGR + 8), gicd_read(GICD_IGROUPR + 4),
	       gicd_read(GICD_IGRPMODR + 4), mmio_read64(RT_GICD_BASE + GICD_IROUTER + 33 * 8));
	gicd_write(GICD_IPRIORITYR + 32, 0);
	gicd_write(GICD_ICFGR + 8, 0);
	gicd_write(GICD_IGROUPR + 4, 0);
	gicd_write(GICD_IGRPMODR + 4, 0);
	mmio_write64(RT_GICD_BASE + GICD_IROUTER + 33 * 8, 0);
	gicd_wait_rwp();
	gic_cpu_init(rd, 0xa0);
}

/* ---- 3. which SGI register reaches which group; Group 0 is FIQ, Group 1 IRQ ---- */

static void sgi_groups(void)
{
	printf("== SGI registers and groups (SGI 1 in Group 0, SGI 2 in Group 1)\n");
	quiesce();
	sgi_config(1, 0, 0x80);
	sgi_config(2, 1, 0x90);
	for (unsigned reg = SGI0R; reg <= ASGI1R; reg++) {
		for (unsigned intid = 1; intid <= 2; intid++) {
			send_self(reg, intid);
			u32 p = pending0();
			u64 s = isr();
			gicr_write(rd, GICR_ICPENDR0, 1u << intid);
			printf("%s to the Group %u SGI: pending %s, ISR_EL1 %lx\n", sgi_reg_name[reg], intid - 1,
			       yn(bit(p, intid)), s);
		}
	}
	send_self(SGI0R, 1);
	send_self(SGI1R, 2);
	printf("both pending, I and F masked: ISR_EL1=%lx HPPIR0=%lx HPPIR1=%lx\n", isr(), read_sysreg(icc_hppir0_el1),
	       read_sysreg(icc_hppir1_el1));
	u64 iar1 = read_sysreg(icc_iar1_el1);
	printf("IAR1 while the highest priority pending interrupt is Group 0: %lx; SGI 1 still pending: %s\n", iar1,
	       yn(bit(pending0(), 1)));
	interrupt_window();
	gic_print_events("I and F unmasked");
}

/* ---- 4. group enables: ICC_IGRPEN<n> and GICD_CTLR.EnableGrp<n> ---- */

static void group_enables(void)
{
	printf("== group enables (SGI 1 Group 0 prio 10, SGI 2 Group 1 prio 80)\n");
	quiesce();
	sgi_config(1, 0, 0x10);
	sgi_config(2, 1, 0x80);
	write_sysreg(icc_igrpen0_el1, 0);
	isb();
	send_self(SGI0R, 1);
	send_self(SGI1R, 2);
	u64 s = isr();
	u64 h0 = read_sysreg(icc_hppir0_el1), h1 = read_sysreg(icc_hppir1_el1);
	u64 iar1 = read_sysreg(icc_iar1_el1);
	printf("IGRPEN0=0: ISR_EL1=%lx HPPIR0=%lx HPPIR1=%lx IAR1=%lx; pending afterwards %x\n", s, h0, h1, iar1,
	       pending0() & 6);
	write_sysreg(icc_igrpen0_el1, 1);
	isb();
	printf("IGRPEN0=1: ISR_EL1=%lx\n", isr());
	gicd_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP1);
	gicd_wait_rwp();
	s = isr();
	printf("GICD_CTLR.EnableGrp0=0: ISR_EL1=%lx HPPIR0=%lx HPPIR1=%lx\n", s, read_sysreg(icc_hppir0_el1),
	       read_sysreg(icc_hppir1_el1));
	write_sysreg(icc_igrpen1_el1, 0);
	isb();
	printf("and IGRPEN1=0: ISR_EL1=%lx HPPIR1=%lx\n", isr(), read_sysreg(icc_hppir1_el1));
	write_sysreg(icc_igrpen1_el1, 1);
	gic_dist_init();
	interrupt_window();
	gic_print_events("all enabled again, unmasked");
}

/* ---- 5. priority mask ---- */

static void priority_mask(void)
{
	printf("== ICC_PMR_EL1 (SGI 2 Group 1 prio 80)\n");
	quiesce();
	sgi_config(2, 1, 0x80);
	send_self(SGI1R, 2);
	static const u64 pmrs[] = { 0x80, 0x88, 0x00, 0x81 };
	for (unsigned i = 0; i < ARRAY_SIZE(pmrs); i++) {
		write_sysreg(icc_pmr_el1, pmrs[i]);
		isb();
		printf("PMR %lx: ISR_EL1=%lx HPPIR1=%lx\n", read_sysreg(icc_pmr_el1), isr(), read_sysreg(icc_hppir1_el1));
	}
	write_sysreg(icc_pmr_el1, 0x80);
	isb();
	u64 iar = read_sysreg(icc_iar1_el1);
	printf("PMR 80: IAR1=%lx, still pending: %s\n", iar, yn(bit(pending0(), 2)));
	interrupt_window();
	gic_print_events("PMR 80, unmasked");
	write_sysreg(icc_pmr_el1, 0x88);
	isb();
	interrupt_window();
	gic_print_events("PMR 88, unmasked");

	/* Priorities the CPU interface cannot express: 0xf9 (beyond its 5 bits) and 0xff (lowest). */
	write_sysreg(icc_pmr_el1, 0xff);
	sgi_config(3, 1, 0xff);
	sgi_config(4, 1, 0xf9);
	send_self(SGI1R, 3);
	printf("SGI 3 at prio ff pending, PMR %lx: ISR_EL1=%lx HPPIR1=%lx\n", read_sysreg(icc_pmr_el1), isr(),
	       read_sysreg(icc_hppir1_el1));
	send_self(SGI1R, 4);
	printf("and SGI 4 at prio f9: ISR_EL1=%lx HPPIR1=%lx\n", isr(), read_sysreg(icc_hppir1_el1));
	interrupt_window();
	gic_print_events("unmasked");
}

/* ---- 6. running priority and preemption ---- */

static volatile u64 seen_ap0, seen_ap1;

static void nest_hook(unsigned intid, bool fiq)
{
	(void)fiq;
	if (intid == 3) {
		/* Running at a0: a higher priority preempts, equal and lower wait. */
		send_self(SGI1R, 5);
		send_self(SGI1R, 6);
		send_self(SGI1R, 4);
		send_self(SGI0R, 1);
		interrupt_window();
	} else if (intid == 4 || intid == 1) {
		seen_ap0 |= read_sysreg(icc_ap0r0_el1);
		seen_ap1 |= read_sysreg(icc_ap1r0_el1);
	}
}

static void preemption(void)
{
	printf("== running priority and preemption\n");
	quiesce();
	sgi_config(3, 1, 0xa0);
	sgi_config(4, 1, 0x60);
	sgi_config(5, 1, 0xa0);
	sgi_config(6, 1, 0xb0);
	sgi_config(1, 0, 0x40);
	seen_ap0 = seen_ap1 = 0;
	gic_hook = nest_hook;
	send_self(SGI1R, 3);
	interrupt_window();
	gic_print_events("SGI 3 (a0) sends 5 (a0), 6 (b0), 4 (60), 1 (Group 0, 40) with I and F unmasked");
	printf("active priorities seen inside the nested handlers: AP0R0=%lx AP1R0=%lx; after: RPR=%lx AP1R0=%lx\n",
	       seen_ap0, seen_ap1, read_sysreg(icc_rpr_el1), read_sysreg(icc_ap1r0_el1));

	/* A Group 1 interrupt does not preempt a Group 0 handler of higher priority, and vice versa. */
	quiesce();
	sgi_config(1, 0, 0x60);
	sgi_config(2, 1, 0x80);
	sgi_config(3, 1, 0x20);
	gic_defer_eoi = true;
	send_self(SGI0R, 1);
	interrupt_window();
	send_self(SGI1R, 2);
	interrupt_window();
	u64 rpr = read_sysreg(icc_rpr_el1);
	send_self(SGI1R, 3);
	interrupt_window();
	gic_print_events("Group 0 (60) active, no EOI: then Group 1 80, then Group 1 20");
	printf("RPR with 60 active: %lx; now %lx; AP0R0=%lx AP1R0=%lx\n", rpr, read_sysreg(icc_rpr_el1),
	       read_sysreg(icc_ap0r0_el1), read_sysreg(icc_ap1r0_el1));
	gic_eoi(false, 3);
	printf("after EOIR1 3: RPR %lx\n", read_sysreg(icc_rpr_el1));
	gic_eoi(true, 1);
	printf("after EOIR0 1: RPR %lx\n", read_sysreg(icc_rpr_el1));
	gic_defer_eoi = false;
	interrupt_window();
	gic_print_events("then unmasked");
}

/* ---- 7. binary point ---- */

static volatile u64 bpr_rpr;

static void bpr_hook(unsigned intid, bool fiq)
{
	(void)fiq;
	if (intid == 3) {
		bpr_rpr = read_sysreg(icc_rpr_el1);
		send_self(SGI1R, 4);
		send_self(SGI1R, 5);
		interrupt_window();
	}
}

static void binary_point_case(const char *label, u64 ctlr, u64 bpr0, u64 bpr1, u8 p3, u8 p4, u8 p5)
{
	quiesce();
	write_sysreg(icc_ctlr_el1, ctlr);
	write_sysreg(icc_bpr0_el1, bpr0);
	write_sysreg(icc_bpr1_el1, bpr1);
	sgi_config(3, 1, p3);
	sgi_config(4, 1, p4);
	sgi_config(5, 1, p5);
	gic_hook = bpr_hook;
	bpr_rpr = 0;
	send_self(SGI1R, 3);
	interrupt_window();
	char buf[200];
	snprintf(buf, sizeof(buf), "%s: BPR0=%lx BPR1=%lx; SGI 3 (%x) sends 4 (%x) and 5 (%x)", label,
		 read_sysreg(icc_bpr0_el1), read_sysreg(icc_bpr1_el1), p3, p4, p5);
	gic_print_events(buf);
}

static volatile u64 fiq_rpr;

static void bpr0_hook(unsigned intid, bool fiq)
{
	if (fiq && intid == 1)
		fiq_rpr = read_sysreg(icc_rpr_el1);
}

static void binary_point(void)
{
	printf("== binary point\n");
	binary_point_case("BPR1=5 (group priority bits [7:5])", 0, 0, 5, 0xb8, 0xa8, 0x98);
	binary_point_case("BPR1=3 (minimum: all 5 bits)", 0, 0, 3, 0xb8, 0xa8, 0x98);
	binary_point_case("CBPR=1, BPR0=5 (Group 1 uses BPR0: bits [7:6])", ICC_CTLR_CBPR, 5, 0, 0xb8, 0x98, 0x78);
	binary_point_case("BPR1=7 (one group priority bit)", 0, 0, 7, 0x70, 0x08, 0x00);
	quiesce();
	write_sysreg(icc_bpr0_el1, 4);
	sgi_config(1, 0, 0x58);
	gic_hook = bpr0_hook;
	send_self(SGI0R, 1);
	interrupt_window();
	printf("Group 0 with BPR0=4: FIQ prio 58 runs at RPR %lx\n", fiq_rpr);
	gic_print_events("events");
}

/* ---- 8. EOImode and ICC_DIR_EL1 ---- */

static void eoi_modes(void)
{
	printf("== EOImode and DIR (SGI 3 Group 1 prio a0, SGI 1 Group 0 prio 80)\n");
	quiesce();
	sgi_config(3, 1, 0xa0);
	sgi_config(1, 0, 0x80);
	gic_defer_eoi = true;
	send_self(SGI1R, 3);
	interrupt_window();
	printf("EOImode=0, acknowledged: RPR=%lx active=%s\n", read_sysreg(icc_rpr_el1), yn(bit(active0(), 3)));
	write_sysreg(icc_dir_el1, 3);
	isb();
	printf("  DIR 3 (ignored when EOImode=0): active=%s\n", yn(bit(active0(), 3)));
	write_sysreg(icc_eoir0_el1, 3);
	isb();
	printf("  EOIR0 3 while Group 1 is the active group: RPR=%lx active=%s\n", read_sysreg(icc_rpr_el1),
	       yn(bit(active0(), 3)));
	write_sysreg(icc_eoir1_el1, 3);
	isb();
	printf("  EOIR1 3: RPR=%lx active=%s\n", read_sysreg(icc_rpr_el1), yn(bit(active0(), 3)));

	send_self(SGI1R, 3);
	interrupt_window();
	write_sysreg(icc_eoir1_el1, 1021);
	isb();
	u64 rpr_1021 = read_sysreg(icc_rpr_el1);
	write_sysreg(icc_eoir1_el1, 300);
	isb();
	printf("EOImode=0, SGI 3 acknowledged: EOIR1 1021 (special): RPR=%lx; EOIR1 300 (not implemented): RPR=%lx\n",
	       rpr_1021, read_sysreg(icc_rpr_el1));
	write_sysreg(icc_eoir1_el1, 7);
	isb();
	printf("EOImode=0, SGI 3 acknowledged, EOIR1 7 (not active): RPR=%lx SGI 3 active=%s\n", read_sysreg(icc_rpr_el1),
	       yn(bit(active0(), 3)));
	gicr_write(rd, GICR_ICACTIVER0, 1u << 3);

	gicr_write(rd, GICR_ISACTIVER0, 1u << 3);
	write_sysreg(icc_eoir1_el1, 3);
	isb();
	printf("EOImode=0, SGI 3 made active by ISACTIVER0 (no running priority), EOIR1 3: active=%s\n",
	       yn(bit(active0(), 3)));
	gicr_write(rd, GICR_ICACTIVER0, 1u << 3);
	gic_print_events("events so far");

	gic_defer_eoi = false;
	write_sysreg(icc_ctlr_el1, ICC_CTLR_EOIMODE);
	isb();
	send_self(SGI1R, 3);
	interrupt_window();
	printf("EOImode=1 (CTLR=%lx), handler wrote EOIR1: RPR=%lx active=%s\n", read_sysreg(icc_ctlr_el1),
	       read_sysreg(icc_rpr_el1), yn(bit(active0(), 3)));
	send_self(SGI1R, 3);
	printf("  sent again: pending=%s ISR_EL1=%lx HPPIR1=%lx\n", yn(bit(pending0(), 3)), isr(),
	       read_sysreg(icc_hppir1_el1));
	interrupt_window();
	write_sysreg(icc_dir_el1, 3);
	isb();
	printf("  DIR 3: active=%s pending=%s ISR_EL1=%lx\n", yn(bit(active0(), 3)), yn(bit(pending0(), 3)), isr());
	interrupt_window();
	write_sysreg(icc_dir_el1, 3);
	isb();
	printf("  taken again, EOIR1 and DIR 3: active=%s RPR=%lx\n", yn(bit(active0(), 3)), read_sysreg(icc_rpr_el1));
	send_self(SGI0R, 1);
	interrupt_window();
	printf("  Group 0 with EOImode=1 after EOIR0: active=%s; DIR 1: ", yn(bit(active0(), 1)));
	write_sysreg(icc_dir_el1, 1);
	isb();
	printf("active=%s\n", yn(bit(active0(), 1)));
	gic_print_events("events");
}

/* ---- 9. timer PPIs (level-sensitive) ---- */

static volatile unsigned timer_hits[32];

static void silence_timer(unsigned intid)
{
	if (intid == INTID_VTIMER)
		write_sysreg(cntv_ctl_el0, 0);
	else
		write_sysreg(cntp_ctl_el0, 0);
	isb();
}

/* Leave the line asserted the first two times: with EOImode 0 the interrupt is taken again. */
static void timer_hook(unsigned intid, bool fiq)
{
	(void)fiq;
	if (intid < 32 && ++timer_hits[intid] >= 3)
		silence_timer(intid);
}

static void fire_now(unsigned intid)
{
	if (intid == INTID_VTIMER) {
		write_sysreg(cntv_cval_el0, 0);
		write_sysreg(cntv_ctl_el0, 1);
	} else {
		write_sysreg(cntp_cval_el0, 0);
		write_sysreg(cntp_ctl_el0, 1);
	}
	isb();
}

/* Wait (bounded) until the redistributor sees the PPI pending. */
static bool wait_pending(unsigned intid)
{
	for (unsigned i = 0; i < 1000000; i++)
		if (bit(pending0(), intid))
			return true;
	return false;
}

static void timer_ppi(unsigned intid, const char *name)
{
	quiesce();
	sgi_config(intid, 1, 0x80);
	fire_now(intid);
	bool p = wait_pending(intid);
	printf("%s (INTID %u) fired, I masked: pending=%s ISR_EL1=%lx HPPIR1=%lx\n", name, intid, yn(p), isr(),
	       read_sysreg(icc_hppir1_el1));
	u64 iar = read_sysreg(icc_iar1_el1);
	printf("  IAR1=%lx: active=%s, still pending (line high)=%s, ISR_EL1=%lx\n", iar, yn(bit(active0(), intid)),
	       yn(bit(pending0(), intid)), isr());
	write_sysreg(icc_eoir1_el1, iar);
	isb();
	printf("  EOIR1 alone: active=%s pending=%s ISR_EL1=%lx HPPIR1=%lx\n", yn(bit(active0(), intid)),
	       yn(bit(pending0(), intid)), isr(), read_sysreg(icc_hppir1_el1));
	iar = read_sysreg(icc_iar1_el1);
	silence_timer(intid);
	printf("  IAR1 again=%lx; timer disabled: pending=%s active=%s\n", iar, yn(bit(pending0(), intid)),
	       yn(bit(active0(), intid)));
	write_sysreg(icc_eoir1_el1, iar);
	isb();
	timer_hits[intid] = 0;
	gic_hook = timer_hook;
	fire_now(intid);
	wait_pending(intid);
	for (unsigned i = 0; i < 1000 && timer_hits[intid] < 3; i++)
		interrupt_window();
	printf("  handler that silences the timer only on its 3rd run: taken %u times\n", timer_hits[intid]);
	gic_print_events("  events");
}

static void timers(void)
{
	printf("== timer PPIs\n");
	timer_ppi(INTID_VTIMER, "virtual timer");
	timer_ppi(INTID_PTIMER, "physical timer");

	/* Both at once: the higher priority (lower value) goes first. */
	quiesce();
	sgi_config(INTID_VTIMER, 1, 0x80);
	sgi_config(INTID_PTIMER, 1, 0x40);
	timer_hits[INTID_VTIMER] = timer_hits[INTID_PTIMER] = 2;
	gic_hook = timer_hook;
	fire_now(INTID_VTIMER);
	fire_now(INTID_PTIMER);
	wait_pending(INTID_VTIMER);
	wait_pending(INTID_PTIMER);
	interrupt_window();
	gic_print_events("both timers (virtual 80, physical 40)");

	/* PPI 27 configured edge-triggered in GICR_ICFGR1: one interrupt per rising edge. */
	quiesce();
	gicr_write(rd, GICR_ICFGR1, 2u << ((INTID_VTIMER - 16) * 2));
	u32 icfgr1 = gicr_read(rd, GICR_ICFGR1);
	sgi_config(INTID_VTIMER, 1, 0x80);
	timer_hits[INTID_VTIMER] = 0;
	gic_hook = timer_hook;
	fire_now(INTID_VTIMER);
	for (unsigned i = 0; i < 2000 && !timer_hits[INTID_VTIMER]; i++)
		interrupt_window();
	for (unsigned i = 0; i < 100; i++)
		interrupt_window();
	printf("virtual timer as edge (ICFGR1=%x): taken %u times while the line stayed high; pending=%s\n", icfgr1,
	       timer_hits[INTID_VTIMER], yn(bit(pending0(), INTID_VTIMER)));
	write_sysreg(cntv_ctl_el0, 0);
	gicr_write(rd, GICR_ICFGR1, 0);
	gic_print_events("  events");
}

/* ---- 10. WFI ---- */

static void wfi_rules(void)
{
	printf("== WFI\n");
	quiesce();
	/* PSTATE.I masked: the interrupt still wakes WFI but is not taken. */
	sgi_config(INTID_VTIMER, 1, 0x80);
	u64 t0 = counter_now();
	write_sysreg(cntv_tval_el0, 2 * TICKS_PER_MS);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	u64 deadline = read_sysreg(cntv_cval_el0);
	unsigned wakes = 0;
	while (!(isr() & ISR_I) && wakes < 1000000) {
		__asm__ volatile("wfi" ::: "memory");
		wakes++;
	}
	u64 t1 = counter_now();
	printf("I masked, virtual timer in 2 ms: woke with the IRQ signalled: %s; at or after the deadline: %s; within "
	       "10 s: %s; taken while masked: %u\n",
	       yn(isr() & ISR_I), yn(t1 >= deadline), yn(t1 - t0 < 10000 * TICKS_PER_MS), gic_nevents);
	write_sysreg(cntv_ctl_el0, 0);
	isb();

	/*
	 * A PMR-masked interrupt is not signalled, so it does not wake WFI: the virtual timer
	 * (prio c0, PMR 80) fires after 1 ms, the physical timer (prio 40) after 20 ms. Every WFI
	 * return must be at or after the physical timer's deadline, whatever the host's speed.
	 */
	quiesce();
	sgi_config(INTID_VTIMER, 1, 0xc0);
	sgi_config(INTID_PTIMER, 1, 0x40);
	write_sysreg(icc_pmr_el1, 0x80);
	write_sysreg(cntv_tval_el0, 1 * TICKS_PER_MS);
	write_sysreg(cntp_tval_el0, 20 * TICKS_PER_MS);
	write_sysreg(cntv_ctl_el0, 1);
	write_sysreg(cntp_ctl_el0, 1);
	isb();
	u64 vdeadline = read_sysreg(cntv_cval_el0), pdeadline = read_sysreg(cntp_cval_el0);
	unsigned early = 0;
	wakes = 0;
	while (!(read_sysreg(cntp_ctl_el0) & 4) && wakes < 1000000) {
		__asm__ volatile("wfi" ::: "memory");
		wakes++;
		if (counter_now() < pdeadline)
			early++;
	}
	u64 now = counter_now();
	printf("PMR 80, virtual timer (c0) due first, physical (40) later: WFI returns before the physical deadline: "
	       "%u; virtual timer had fired: %s; at or after the physical deadline: %s; pending=%x ISR_EL1=%lx\n",
	       early, yn(now >= vdeadline && (read_sysreg(cntv_ctl_el0) & 4)), yn(now >= pdeadline),
	       pending0() & ((1u << INTID_VTIMER) | (1u << INTID_PTIMER)), isr());
	write_sysreg(cntp_ctl_el0, 0);
	isb();
	printf("physical timer off: ISR_EL1=%lx HPPIR1=%lx (virtual timer masked by PMR)\n", isr(),
	       read_sysreg(icc_hppir1_el1));
	write_sysreg(icc_pmr_el1, 0xf0);
	isb();
	t0 = counter_now();
	__asm__ volatile("wfi" ::: "memory");
	t1 = counter_now();
	printf("PMR raised to f0: ISR_EL1=%lx; WFI returned within 1 s: %s\n", isr(), yn(t1 - t0 < 1000 * TICKS_PER_MS));
	write_sysreg(cntv_ctl_el0, 0);
	isb();

	/* A Group 0 SGI pending with PSTATE.F masked wakes WFI too. */
	quiesce();
	sgi_config(1, 0, 0x80);
	send_self(SGI0R, 1);
	t0 = counter_now();
	__asm__ volatile("wfi" ::: "memory");
	t1 = counter_now();
	printf("Group 0 SGI pending, F masked: ISR_EL1=%lx; WFI returned within 1 s: %s\n", isr(),
	       yn(t1 - t0 < 1000 * TICKS_PER_MS));
	interrupt_window();
	gic_print_events("events");
}

/* ---- 11. SPI 33 (PL011) through the distributor ---- */

#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UART_TXIM (1u << 5)

static volatile u32 uart_mis;
static volatile unsigned uart_hits;

static void uart_hook(unsigned intid, bool fiq)
{
	(void)fiq;
	if (intid != INTID_UART0)
		return;
	uart_mis = mmio_read32(RT_UART0_BASE + UARTMIS);
	/* Level-sensitive: leave it asserted once, then mask the source. */
	if (++uart_hits >= 2)
		mmio_write32(RT_UART0_BASE + UARTIMSC, 0);
}

static void spi(void)
{
	printf("== SPI 33 (PL011)\n");
	quiesce();
	gicd_write(GICD_IGROUPR + 4, 1u << (INTID_UART0 - 32));
	*(volatile u8 *)(RT_GICD_BASE + GICD_IPRIORITYR + INTID_UART0) = 0x80;
	mmio_write64(RT_GICD_BASE + GICD_IROUTER + INTID_UART0 * 8, 0);
	gicd_write(GICD_ISENABLER + 4, 1u << (INTID_UART0 - 32));
	gicd_wait_rwp();
	gicd_write(GICD_ISPENDR + 4, 1u << (INTID_UART0 - 32));
	printf("ISPENDR: pending=%s ISR_EL1=%lx HPPIR1=%lx\n", yn(bit(gicd_read(GICD_ISPENDR + 4), 1)), isr(),
	       read_sysreg(icc_hppir1_el1));
	u64 iar = read_sysreg(icc_iar1_el1);
	printf("  IAR1=%lx: active=%s pending=%s\n", iar, yn(bit(gicd_read(GICD_ISACTIVER + 4), 1)),
	       yn(bit(gicd_read(GICD_ISPENDR + 4), 1)));
	write_sysreg(icc_eoir1_el1, iar);
	isb();
	printf("  EOIR1: active=%s\n", yn(bit(gicd_read(GICD_ISACTIVER + 4), 1)));

	gicd_write(GICD_SETSPI_NSR, INTID_UART0);
	u32 p = gicd_read(GICD_ISPENDR + 4);
	gicd_write(GICD_ICPENDR + 4, 1u << (INTID_UART0 - 32));
	printf("GICD_SETSPI_NSR (GICD_TYPER.MBIS=%u): pending=%s\n", (gicd_read(GICD_TYPER) >> 16) & 1, yn(bit(p, 1)));

	mmio_write64(RT_GICD_BASE + GICD_IROUTER + INTID_UART0 * 8, 0x0f0f);
	gicd_wait_rwp();
	gicd_write(GICD_ISPENDR + 4, 1u << (INTID_UART0 - 32));
	printf("IROUTER(33)=0f0f (no such CPU): pending=%s ISR_EL1=%lx\n", yn(bit(gicd_read(GICD_ISPENDR + 4), 1)), isr());
	mmio_write64(RT_GICD_BASE + GICD_IROUTER + INTID_UART0 * 8, 0x80000f0fUL);
	gicd_wait_rwp();
	printf("IROUTER(33)=80000f0f (IRM=1, \"any CPU\"): ISR_EL1=%lx\n", isr());
	mmio_write64(RT_GICD_BASE + GICD_IROUTER + INTID_UART0 * 8, 0x80000000UL);
	gicd_wait_rwp();
	printf("IROUTER(33)=80000000 (IRM=1, affinity of CPU 0): ISR_EL1=%lx\n", isr());
	mmio_write64(RT_GICD_BASE + GICD_IROUTER + INTID_UART0 * 8, 0);
	gicd_wait_rwp();
	printf("IROUTER(33)=0 (CPU 0): ISR_EL1=%lx\n", isr());
	interrupt_window();
	gicd_write(GICD_ICPENDR + 4, 1u << (INTID_UART0 - 32));
	gic_print_events("events");

	/* The real device: transmitting sets RIS.TX, and unmasking it asserts the level. */
	gic_hook = uart_hook;
	uart_hits = 0;
	u32 ris = mmio_read32(RT_UART0_BASE + UARTRIS) & UART_TXIM;
	mmio_write32(RT_UART0_BASE + UARTIMSC, UART_TXIM);
	isb();
	bool asserted = bit(gicd_read(GICD_ISPENDR + 4), 1);
	for (unsigned i = 0; i < 100 && uart_hits < 2; i++)
		interrupt_window();
	printf("PL011 UARTRIS.TX after printing=%x; UARTIMSC.TXIM=1: SPI pending=%s; taken %u times (MIS in handler "
	       "%x)\n",
	       ris, yn(asserted), uart_hits, uart_mis);
	mmio_write32(RT_UART0_BASE + UARTICR, UART_TXIM);
	gic_print_events("events");
	gicd_write(GICD_ICENABLER + 4, 1u << (INTID_UART0 - 32));
	gicd_write(GICD_IGROUPR + 4, 0);
}

void test_main(void)
{
	gic_install_vectors();
	gic_log_install();
	struct gic_rdist r;
	if (!gic_read_rdist_regions() || !gic_find_rdist(&r))
		rt_fail("no redistributor found for CPU 0");
	rd = r.base;
	reset_values(&r);
	readback();
	gic_dist_init();
	gic_cpu_init(rd, 0xa0);
	sgi_groups();
	group_enables();
	priority_mask();
	preemption();
	binary_point();
	eoi_modes();
	timers();
	wfi_rules();
	spi();
	quiesce();
}
