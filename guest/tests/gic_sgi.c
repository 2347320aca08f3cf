/*
 * SGI targeting on N CPUs (N from the DTB: 1, 4 and 64 compared with QEMU; 256 on kgdb-lab,
 * where CPUs 123-255 have their redistributors in the second region at 0x4000000000).
 *
 * Every CPU finds its redistributor the way Linux does (gic_lib.c gic_find_rdist: walk each
 * DTB region's frames comparing GICR_TYPER affinity until GICR_TYPER.Last), then all CPUs
 * run the same sequence of phases in lock step. In each phase one CPU writes one
 * ICC_SGI0R/SGI1R/ASGI1R_EL1 value (TargetList and Aff1 forms, IRM = 1, Aff1 >= 16, Aff2,
 * RS, and SGIs configured in the other group), waits until the expected number of CPUs took
 * it, and everyone meets at a barrier with interrupts open, so an SGI that reached a CPU it
 * should not have is taken before that CPU leaves the barrier. Two more phases are a kgdb
 * style round-up with the pseudo-NMI rule: the other CPUs "disable IRQs" with PMR 0x60 (or
 * with PSTATE.I), CPU 0 sends an ordinary SGI (prio 0xa0) and an NMI SGI (prio 0x20) to all.
 *
 * Output: CPU 0 prints one line per phase (how many CPUs the SGI reached, and the expected
 * number); then every CPU prints one line with what it received in each phase. Compared per
 * CPU between QEMU and kgdb-lab; nothing printed depends on timing.
 */
#include "gic_lib.h"

#define PRIO_IRQ 0xa0
#define PRIO_NMI 0x20
#define PMR_IRQ_ON 0xe0
#define PMR_IRQ_OFF 0x60
/* SGIs configured in Group 0 on odd CPUs (so Group 1 requests skip those CPUs, and vice versa). */
#define SGI_MIXED_G1 11
#define SGI_MIXED_G0 12
#define SGI_ROUNDUP_IRQ 13
#define SGI_ROUNDUP_NMI 14
/* Give up waiting for deliveries after this long (never reached when the GIC works). */
#define WAIT_LIMIT_TICKS (20000 * TICKS_PER_MS)

enum sgi_reg { SGI0R, SGI1R, ASGI1R };
static const char *const reg_name[] = { "SGI0R", "SGI1R", "ASGI1R" };

struct phase {
	const char *what;
	unsigned sender; /* CPU index; LAST_CPU means n - 1 */
	enum sgi_reg reg;
	unsigned intid;
	u64 target;      /* the register value without INTID */
	int expect;      /* which CPUs should get it (see expected()) */
};
#define LAST_CPU 0xffff

enum { EXP_CPU0, EXP_LAST, EXP_LIST_C0, EXP_LAST_CLUSTER, EXP_ALL_BUT_0, EXP_ALL_BUT_LAST, EXP_240_255,
       EXP_NONE, EXP_EVEN_BUT_0, EXP_ODD, EXP_CLUSTER0 };

/* The target value of phases that depend on N is filled in by setup_phases(). */
static struct phase phases[] = {
	{ "TargetList cpu0 from cpu0 (itself)", 0, SGI1R, 0, 0x1, EXP_CPU0 },
	{ "TargetList of the last CPU", 0, SGI1R, 1, 0, EXP_LAST },
	{ "TargetList 1,2,3,15 in cluster 0", 0, SGI1R, 2, 0x800e, EXP_LIST_C0 },
	{ "TargetList ffff in the last CPU's cluster", 0, SGI1R, 3, 0, EXP_LAST_CLUSTER },
	{ "IRM=1 from cpu0", 0, SGI1R, 4, SGI_IRM, EXP_ALL_BUT_0 },
	{ "IRM=1 from the last CPU", LAST_CPU, SGI1R, 5, SGI_IRM, EXP_ALL_BUT_LAST },
	{ "Aff1=15 TargetList 0,15 (cpus 240, 255)", 0, SGI1R, 6, SGI_AFF1(15) | 0x8001, EXP_240_255 },
	{ "Aff1=16 TargetList ffff (no such CPUs)", LAST_CPU, SGI1R, 7, SGI_AFF1(16) | 0xffff, EXP_NONE },
	{ "Aff2=1 TargetList ffff (no such CPUs)", 0, SGI1R, 8, (1UL << 32) | 0xffff, EXP_NONE },
	{ "RS=1 TargetList ffff (RES0 as ICC_CTLR.RSS=0: cluster 0)", 0, SGI1R, 9, (1UL << 44) | 0xffff,
	  EXP_CLUSTER0 },
	{ "IRM=1 to a Group 1 SGI (dropped)", 0, SGI0R, 10, SGI_IRM, EXP_NONE },
	{ "IRM=1, SGI in Group 0 on odd CPUs", 0, SGI1R, SGI_MIXED_G1, SGI_IRM, EXP_EVEN_BUT_0 },
	{ "IRM=1, SGI in Group 0 on odd CPUs", 0, SGI0R, SGI_MIXED_G0, SGI_IRM, EXP_ODD },
	{ "IRM=1, SGI in Group 0 on odd CPUs", 0, ASGI1R, SGI_MIXED_G0, SGI_IRM, EXP_ODD },
};
#define NPHASES ARRAY_SIZE(phases)

static unsigned ncpus;

/* ---- per-CPU state (each CPU writes only its own slots) ---- */
static struct gic_rdist rdist[RT_MAX_CPUS];
static volatile u32 got_irq[RT_MAX_CPUS][16];
static volatile u32 got_fiq[RT_MAX_CPUS][16];
/* What each CPU received in each phase (IRQs and FIQs of the phase's INTID). */
static u8 result[RT_MAX_CPUS][NPHASES];
struct roundup {
	u8 nmi_masked, irq_masked; /* taken while "IRQs off" */
	u8 pend_masked;            /* PSTATE.I case: SGIs seen pending while masked */
	u8 nmi_after, irq_after;   /* taken once "IRQs on" again */
};
static struct roundup round_pmr[RT_MAX_CPUS], round_daif[RT_MAX_CPUS];
static unsigned bar_gen[RT_MAX_CPUS];
/* CPU interface and redistributor state each CPU found when it started (PSCI CPU_ON resets the PE). */
struct start_state {
	u8 pmr, igrpen1, rpr;
	u32 waker;
};
static struct start_state start[RT_MAX_CPUS];

/* ---- shared words, each on its own line ---- */
static u64 bar_arrivals __attribute__((aligned(64)));
static u64 delivered __attribute__((aligned(64)));
static u32 lift __attribute__((aligned(64)));

/* ---- waiting ---- */

/* Sleep in WFE until *p >= v (LDAXR arms the monitor, so another CPU's store wakes us). */
static void wait_ge(u64 *p, u64 v)
{
	u64 x;
	__asm__ volatile("sevl" ::: "memory");
	for (;;) {
		__asm__ volatile("wfe\n\tldaxr %0, [%1]" : "=r"(x) : "r"(p) : "memory");
		if (x >= v)
			return;
	}
}

static void wait_flag(u32 *p)
{
	u32 x;
	__asm__ volatile("sevl" ::: "memory");
	for (;;) {
		__asm__ volatile("wfe\n\tldaxr %w0, [%1]" : "=r"(x) : "r"(p) : "memory");
		if (x)
			return;
	}
}

/* All CPUs meet here, waiting with PSTATE as the caller has it. */
static void barrier_as_is(unsigned me)
{
	u64 target = (u64)(++bar_gen[me]) * ncpus;
	__atomic_fetch_add(&bar_arrivals, 1, __ATOMIC_ACQ_REL);
	wait_ge(&bar_arrivals, target);
}

/* All CPUs meet here with interrupts open while waiting (see the file comment), masked after. */
static void barrier(unsigned me)
{
	unmask_if();
	barrier_as_is(me);
	mask_if();
}

/* Spin (interrupts open) until `delivered` reaches n or the watchdog time passes. */
static void wait_delivered(u64 n)
{
	u64 limit = counter_now() + WAIT_LIMIT_TICKS;
	unmask_if();
	while (__atomic_load_n(&delivered, __ATOMIC_ACQUIRE) < n && counter_now() < limit)
		;
	mask_if();
}

/* ---- interrupts ---- */

static void count(unsigned me, unsigned intid, bool fiq)
{
	if (intid < 16) {
		if (fiq)
			got_fiq[me][intid]++;
		else
			got_irq[me][intid]++;
		__atomic_fetch_add(&delivered, 1, __ATOMIC_ACQ_REL);
	}
}

static int irq_handler(struct rt_frame *f, unsigned vector)
{
	(void)f;
	(void)vector;
	u64 intid = read_sysreg(icc_iar1_el1);
	if (intid < 1020) {
		count(rt_cpu_index(), (unsigned)intid, false);
		write_sysreg(icc_eoir1_el1, intid);
	}
	/*
	 * The exception return clears this CPU's exclusive monitor; set the event register so a
	 * wait loop interrupted between its LDAXR and WFE re-reads instead of sleeping on a
	 * reservation it no longer holds (ARM ARM lists exception return as an event; SEVL makes
	 * that explicit whatever the implementation does).
	 */
	__asm__ volatile("sevl" ::: "memory");
	return 1;
}

static int fiq_handler(struct rt_frame *f, unsigned vector)
{
	(void)f;
	(void)vector;
	u64 intid = read_sysreg(icc_iar0_el1);
	if (intid < 1020) {
		count(rt_cpu_index(), (unsigned)intid, true);
		write_sysreg(icc_eoir0_el1, intid);
	}
	__asm__ volatile("sevl" ::: "memory");
	return 1;
}

/* ---- phases ---- */

static unsigned sender_of(const struct phase *p)
{
	return p->sender == LAST_CPU ? ncpus - 1 : p->sender;
}

static bool expected(const struct phase *p, unsigned cpu)
{
	switch (p->expect) {
	case EXP_CPU0: return cpu == 0;
	case EXP_LAST: return cpu == ncpus - 1;
	case EXP_LIST_C0: return cpu == 1 || cpu == 2 || cpu == 3 || cpu == 15;
	case EXP_LAST_CLUSTER: return cpu / 16 == (ncpus - 1) / 16;
	case EXP_ALL_BUT_0: return cpu != 0;
	case EXP_ALL_BUT_LAST: return cpu != ncpus - 1;
	case EXP_240_255: return cpu == 240 || cpu == 255;
	case EXP_EVEN_BUT_0: return cpu != 0 && cpu % 2 == 0;
	case EXP_ODD: return cpu % 2 == 1;
	case EXP_CLUSTER0: return cpu < 16;
	default: return false;
	}
}

static void setup_phases(void)
{
	unsigned last = ncpus - 1;
	phases[1].target = SGI_AFF1(last / 16) | (1UL << (last % 16));
	phases[3].target = SGI_AFF1(last / 16) | 0xffff;
}

static void send(enum sgi_reg reg, u64 v)
{
	if (reg == SGI0R)
		write_sysreg(icc_sgi0r_el1, v);
	else if (reg == SGI1R)
		write_sysreg(icc_sgi1r_el1, v);
	else
		write_sysreg(icc_asgi1r_el1, v);
	isb();
}

static void run_phase(unsigned me, unsigned k)
{
	const struct phase *p = &phases[k];
	u64 want = 0;
	for (unsigned c = 0; c < ncpus; c++)
		want += expected(p, c);
	if (me == 0)
		__atomic_store_n(&delivered, 0, __ATOMIC_RELEASE);
	barrier(me);
	if (me == sender_of(p)) {
		send(p->reg, SGI_INTID(p->intid) | p->target);
		wait_delivered(want);
	}
	barrier(me);
	result[me][k] = (u8)(got_irq[me][p->intid] + got_fiq[me][p->intid]);
	got_irq[me][p->intid] = 0;
	got_fiq[me][p->intid] = 0;
	barrier(me);
	if (me == 0) {
		unsigned reached = 0;
		for (unsigned c = 0; c < ncpus; c++)
			reached += result[c][k];
		cpu_printf("phase %u: %s %s INTID %u from cpu%u: reached %u CPUs, expected %lu\n", k, reg_name[p->reg],
			   p->what, p->intid, sender_of(p), reached, want);
	}
}

/* How many other CPUs' redistributors show SGI `intid` pending. */
static unsigned pending_elsewhere(unsigned me, unsigned intid)
{
	unsigned n = 0;
	for (unsigned c = 0; c < ncpus; c++)
		if (c != me && ((gicr_read(rdist[c].base, GICR_ISPENDR0) >> intid) & 1))
			n++;
	return n;
}

/*
 * kgdb-style round-up: CPU 0 sends an ordinary SGI and an NMI SGI to every other CPU while
 * they have "IRQs off", either with PMR 0x60 and PSTATE.I clear (by_pmr) or with PSTATE.I set.
 */
static void roundup(unsigned me, bool by_pmr, struct roundup *out)
{
	unsigned others = ncpus - 1;
	if (me == 0) {
		__atomic_store_n(&delivered, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&lift, 0, __ATOMIC_RELEASE);
	}
	barrier(me);
	u32 nmi0 = got_irq[me][SGI_ROUNDUP_NMI], irq0 = got_irq[me][SGI_ROUNDUP_IRQ];
	if (me != 0) {
		/* "IRQs off", the pseudo-NMI way (PMR 60, PSTATE.I clear) or the classic way. */
		write_sysreg(icc_pmr_el1, by_pmr ? PMR_IRQ_OFF : PMR_IRQ_ON);
		isb();
		if (by_pmr)
			unmask_irq();
	}
	barrier_as_is(me);
	if (me == 0) {
		send(SGI1R, SGI_INTID(SGI_ROUNDUP_IRQ) | SGI_IRM);
		send(SGI1R, SGI_INTID(SGI_ROUNDUP_NMI) | SGI_IRM);
		unsigned nmi_reached = 0;
		if (by_pmr) {
			wait_delivered(others);
			nmi_reached = (unsigned)__atomic_load_n(&delivered, __ATOMIC_ACQUIRE);
		} else {
			u64 limit = counter_now() + WAIT_LIMIT_TICKS;
			while (pending_elsewhere(0, SGI_ROUNDUP_NMI) < others && counter_now() < limit)
				;
		}
		unsigned irq_pending = pending_elsewhere(0, SGI_ROUNDUP_IRQ);
		unsigned nmi_pending = pending_elsewhere(0, SGI_ROUNDUP_NMI);
		cpu_printf("round-up, IRQs off by %s: NMI taken by %u of %u CPUs; pending on them: IRQ %u, NMI %u\n",
			   by_pmr ? "PMR 60" : "PSTATE.I", nmi_reached, others, irq_pending, nmi_pending);
		__atomic_store_n(&lift, 1, __ATOMIC_RELEASE);
		__asm__ volatile("sev" ::: "memory");
	} else {
		wait_flag(&lift);
		out->nmi_masked = (u8)(got_irq[me][SGI_ROUNDUP_NMI] - nmi0);
		out->irq_masked = (u8)(got_irq[me][SGI_ROUNDUP_IRQ] - irq0);
		u32 pend = gicr_read(rdist[me].base, GICR_ISPENDR0);
		out->pend_masked = (u8)(((pend >> SGI_ROUNDUP_IRQ) & 1) + ((pend >> SGI_ROUNDUP_NMI) & 1));
		/* "IRQs on": PMR back to e0 and PSTATE.I clear; whatever is pending is taken now. */
		write_sysreg(icc_pmr_el1, PMR_IRQ_ON);
		unmask_irq();
		isb();
		mask_irq();
		out->nmi_after = (u8)(got_irq[me][SGI_ROUNDUP_NMI] - nmi0 - out->nmi_masked);
		out->irq_after = (u8)(got_irq[me][SGI_ROUNDUP_IRQ] - irq0 - out->irq_masked);
	}
	barrier(me);
}

/* ---- per-CPU set-up and the whole sequence ---- */

static void cpu_setup(unsigned me)
{
	gic_install_vectors();
	if (!gic_find_rdist(&rdist[me])) {
		cpu_printf("no redistributor found\n");
		rdist[me].base = 0;
		return;
	}
	uintptr_t rd = rdist[me].base;
	start[me] = (struct start_state){ (u8)read_sysreg(icc_pmr_el1), (u8)read_sysreg(icc_igrpen1_el1),
					  (u8)read_sysreg(icc_rpr_el1), gicr_read(rd, GICR_WAKER) };
	gic_cpu_init(rd, PRIO_IRQ);
	gicr_set_priority(rd, SGI_ROUNDUP_NMI, PRIO_NMI);
	if (me % 2 == 1) {
		gicr_set_group(rd, SGI_MIXED_G1, 0);
		gicr_set_group(rd, SGI_MIXED_G0, 0);
	}
	gicr_write(rd, GICR_ISENABLER0, 0xffff);
	write_sysreg(icc_pmr_el1, PMR_IRQ_ON);
	isb();
}

static void run_all(unsigned me)
{
	for (unsigned k = 0; k < NPHASES; k++)
		run_phase(me, k);
	roundup(me, true, &round_pmr[me]);
	roundup(me, false, &round_daif[me]);

	bool ok = true;
	char buf[320];
	int len = snprintf(buf, sizeof(buf), "rdist region %u frame %u; at start PMR %x IGRPEN1 %x RPR %x WAKER %x; phases:",
			   rdist[me].region, rdist[me].frame, start[me].pmr, start[me].igrpen1, start[me].rpr,
			   start[me].waker);
	for (unsigned k = 0; k < NPHASES; k++) {
		len += snprintf(buf + len, sizeof(buf) - len, " %u", result[me][k]);
		ok = ok && result[me][k] == (expected(&phases[k], me) ? 1 : 0);
	}
	struct roundup *a = &round_pmr[me], *b = &round_daif[me];
	if (me != 0) {
		len += snprintf(buf + len, sizeof(buf) - len,
				"; PMR round-up: nmi %u irq %u, then irq %u; DAIF round-up: taken %u, pending %u, then nmi %u irq %u",
				a->nmi_masked, a->irq_masked, a->irq_after, b->nmi_masked + b->irq_masked, b->pend_masked,
				b->nmi_after, b->irq_after);
		ok = ok && a->nmi_masked == 1 && a->irq_masked == 0 && a->nmi_after == 0 && a->irq_after == 1;
		ok = ok && b->nmi_masked == 0 && b->irq_masked == 0 && b->pend_masked == 2 && b->nmi_after == 1 &&
		     b->irq_after == 1;
	}
	cpu_printf("%s; as expected: %s\n", buf, yn(ok));
	barrier(me);
}

static void secondary(unsigned me)
{
	cpu_setup(me);
	run_all(me);
}

void test_main(void)
{
	ncpus = rt_cpu_count();
	if (ncpus == 0 || ncpus > RT_MAX_CPUS)
		rt_fail("bad CPU count in the DTB");
	setup_phases();
	rt_set_irq_handler(irq_handler);
	gic_set_fiq_handler(fiq_handler);
	unsigned regions = gic_read_rdist_regions();
	cpu_printf("gic_sgi: %u cpus, %u redistributor region%s in the DTB\n", ncpus, regions, regions == 1 ? "" : "s");
	gic_dist_init();
	cpu_setup(0);
	for (unsigned i = 1; i < ncpus; i++) {
		s64 r = rt_start_cpu(i, secondary);
		if (r != PSCI_SUCCESS)
			cpu_printf("CPU_ON %u failed: %ld\n", i, r);
	}
	run_all(0);
}
