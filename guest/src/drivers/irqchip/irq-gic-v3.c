/*
 * GICv3 driver, after Linux drivers/irqchip/irq-gic-v3.c of the pseudo-NMI series' era
 * (~v6.3, with the v8 series' "irqchip/gic-v3: Enable support for SGIs to act as NMIs").
 *
 * - Distributor: disabled, every SPI made non-secure Group 1, level-triggered, priority
 *   GICD_INT_DEF_PRI (0xa0), deactivated and disabled; then enabled with ARE, Group 1A/1 and
 *   every SPI routed to the boot CPU.
 * - Redistributors: found by walking the frames of each region given in the DTB, matching
 *   GICR_TYPER[63:32] against the CPU's affinity and stopping at GICR_TYPER.Last (QEMU virt
 *   needs a second region above 123 CPUs). Each is woken through GICR_WAKER; its SGIs/PPIs
 *   become Group 1 at the default priority, all disabled until requested.
 * - CPU interface: SRE, PMR (0xf0 without pseudo-NMI), BPR1 = 0, EOImode 0 (split EOI needs
 *   a kernel entered at EL2), active priorities cleared, Group 1 enabled.
 * - Pseudo-NMI: with priority masking, interrupts configured as NMIs get priority 0x20
 *   (GICD_INT_NMI_PRI), in the redistributor of each CPU for banked SGIs/PPIs. The IRQ entry
 *   recognises them by ICC_RPR_EL1 (interrupted context had IRQs on) or by the interrupted
 *   context's masking (IRQs off: only an NMI can have got through).
 *
 * The kernel's IRQ numbers are the INTIDs (an identity "domain").
 */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/delay.h>
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/irq.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/preempt.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/string.h>
#include <irqchip/arm-gic-v3.h>
#include <asm/arch_gicv3.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include <asm/ptrace.h>
#include <asm/smp.h>
#include <asm/sysreg.h>

#define MAX_RDIST_REGIONS 4
#define DEFAULT_PMR_VALUE 0xf0
#define SZ_64K 0x10000UL

/* The RPR value an NMI shows (no non-secure priority shift: DS = 1 or Group 0 not ours). */
#define GICD_INT_RPR_PRI(priority) (gic_nonsecure_priorities ? 0x80 | ((priority) >> 1) : (priority))

#define MPIDR_RS(mpidr) (((mpidr) & 0xF0UL) >> 4)
#define MPIDR_TO_SGI_RS(mpidr) (MPIDR_RS(mpidr) << ICC_SGI1R_RS_SHIFT)
#define MPIDR_TO_SGI_CLUSTER_ID(mpidr) ((mpidr) & ~0xFUL)
#define MPIDR_TO_SGI_AFFINITY(cluster_id, level) \
	((u64)MPIDR_AFFINITY_LEVEL(cluster_id, level) << ICC_SGI1R_AFFINITY_##level##_SHIFT)

struct redist_region {
	phys_addr_t phys_base;
	bool single_redist;
};

static struct {
	phys_addr_t dist_base;
	struct redist_region redist_regions[MAX_RDIST_REGIONS];
	u32 nr_redist_regions;
	u64 redist_stride;
	unsigned int irq_nr;	/* INTIDs below irq_nr exist: SGIs, PPIs and SPIs (GIC_LINE_NR) */
	unsigned int ppi_nr;
	bool has_rss;
	bool dist_security_disabled;
	/* RD_base of each CPU's redistributor (0 until that CPU found it). */
	phys_addr_t rd_base[NR_CPUS];
	bool cpu_has_rss[NR_CPUS];
} gic_data;

static bool supports_pseudo_nmis;
/* Split EOI/deactivate: only for a kernel entered at EL2, never the case here. */
static const bool supports_deactivate_key = false;
static bool gic_nonsecure_priorities;

static struct irq_chip gic_chip;

/* 64-bit registers as two 32-bit accesses, low word first (GICv3 allows 32-bit access to them). */
static inline u64 gic_read_typer(phys_addr_t a) { return readl_relaxed(a) | ((u64)readl_relaxed(a + 4) << 32); }
static inline void gic_write_irouter(u64 v, phys_addr_t a)
{
	writel_relaxed((u32)v, a);
	writel_relaxed((u32)(v >> 32), a + 4);
}

static phys_addr_t gic_data_rdist_rd_base(void) { return gic_data.rd_base[smp_processor_id()]; }
static phys_addr_t gic_data_rdist_sgi_base(void) { return gic_data_rdist_rd_base() + GICR_SGI_BASE_OFFSET; }

bool gic_supports_nmi(void)
{
	return supports_pseudo_nmis;
}

static bool gic_irq_in_rdist(struct irq_data *d)
{
	return d->hwirq < GIC_SPI_BASE;
}

static bool gic_irqnr_is_special(u32 irqnr)
{
	return irqnr >= 1020 && irqnr <= 1023;
}

/* ---- waiting for register writes to take effect ---- */

static void gic_do_wait_for_rwp(phys_addr_t base, u32 bit)
{
	u32 count = 1000000; /* 1s! */
	while (readl_relaxed(base + GICD_CTLR) & bit) {
		if (!--count) {
			printk("GICv3: RWP timeout, gone fishing\n");
			return;
		}
		cpu_relax();
		udelay(1);
	}
}

static void gic_dist_wait_for_rwp(void)
{
	gic_do_wait_for_rwp(gic_data.dist_base, GICD_CTLR_RWP);
}

static void gic_redist_wait_for_rwp(void)
{
	gic_do_wait_for_rwp(gic_data_rdist_rd_base(), GICR_CTLR_RWP);
}

/* ---- per-interrupt register access ---- */

static void gic_poke_irq(struct irq_data *d, u32 offset)
{
	u32 mask = 1U << (d->hwirq % 32);
	if (gic_irq_in_rdist(d)) {
		writel_relaxed(mask, gic_data_rdist_sgi_base() + offset);
		gic_redist_wait_for_rwp();
	} else {
		writel_relaxed(mask, gic_data.dist_base + offset + (d->hwirq / 32) * 4);
		gic_dist_wait_for_rwp();
	}
}

static bool gic_peek_irq(struct irq_data *d, u32 offset)
{
	u32 mask = 1U << (d->hwirq % 32);
	phys_addr_t base = gic_irq_in_rdist(d) ? gic_data_rdist_sgi_base() : gic_data.dist_base + (d->hwirq / 32) * 4;
	return (readl_relaxed(base + offset) & mask) != 0;
}

static void gic_mask_irq(struct irq_data *d)
{
	gic_poke_irq(d, GICD_ICENABLER);
}

static void gic_unmask_irq(struct irq_data *d)
{
	gic_poke_irq(d, GICD_ISENABLER);
}

static void gic_eoi_irq(struct irq_data *d)
{
	write_sysreg(d->hwirq, icc_eoir1_el1);
	isb();
}

static void gic_irq_set_prio(struct irq_data *d, u8 prio)
{
	if (gic_irq_in_rdist(d))
		writeb_relaxed(prio, gic_data_rdist_sgi_base() + GICR_IPRIORITYR0 + d->hwirq);
	else
		writeb_relaxed(prio, gic_data.dist_base + GICD_IPRIORITYR + d->hwirq);
}

/* Level or edge in GIC[DR]_ICFGRn (irq-gic-common.c gic_configure_irq). */
static int gic_configure_irq(unsigned int irq, unsigned int type, phys_addr_t base, void (*sync_access)(void))
{
	u32 confmask = 0x2U << ((irq % 16) * 2);
	u32 confoff = (irq / 16) * 4;
	u32 val, oldval;

	val = oldval = readl_relaxed(base + confoff);
	if (type & (IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW))
		val &= ~confmask;
	else if (type & IRQ_TYPE_EDGE_RISING)
		val |= confmask;
	if (val == oldval)
		return 0;
	writel_relaxed(val, base + confoff);
	if (readl_relaxed(base + confoff) != val)
		return -EINVAL;
	if (sync_access)
		sync_access();
	return 0;
}

static int gic_set_type(struct irq_data *d, unsigned int type)
{
	unsigned int irq = (unsigned int)d->hwirq;

	/* Interrupt configuration for SGIs can't be changed */
	if (irq < GIC_NR_SGIS)
		return type != IRQ_TYPE_EDGE_RISING ? -EINVAL : 0;
	/* SPIs have restrictions on the supported types */
	if (irq >= GIC_SPI_BASE && type != IRQ_TYPE_LEVEL_HIGH && type != IRQ_TYPE_EDGE_RISING)
		return -EINVAL;
	if (gic_irq_in_rdist(d))
		return gic_configure_irq(irq, type, gic_data_rdist_sgi_base() + GICR_ICFGR0, gic_redist_wait_for_rwp);
	return gic_configure_irq(irq, type, gic_data.dist_base + GICD_ICFGR, gic_dist_wait_for_rwp);
}

/*
 * Make an interrupt an NMI on this CPU. For SGIs (banked), each CPU runs this for its own
 * redistributor. As in the v8 series, SGIs keep their flow handler; PPIs and SPIs switch
 * to the NMI flow handlers.
 */
static int gic_irq_nmi_setup(struct irq_data *d)
{
	struct irq_desc *desc = irq_to_desc(d->irq);

	if (!gic_supports_nmi())
		return -EINVAL;

	if (gic_peek_irq(d, GICD_ISENABLER)) {
		printk("GICv3: Cannot set NMI property of enabled IRQ %u\n", d->irq);
		return -EINVAL;
	}

	if (gic_irq_in_rdist(d)) {
		if (d->hwirq >= GIC_NR_SGIS)
			desc->handle_irq = handle_percpu_devid_fasteoi_nmi;
	} else {
		desc->handle_irq = handle_fasteoi_nmi;
	}

	gic_irq_set_prio(d, GICD_INT_NMI_PRI);
	return 0;
}

static void gic_irq_nmi_teardown(struct irq_data *d)
{
	struct irq_desc *desc = irq_to_desc(d->irq);

	if (!gic_supports_nmi() || gic_peek_irq(d, GICD_ISENABLER))
		return;
	if (gic_irq_in_rdist(d)) {
		if (d->hwirq >= GIC_NR_SGIS)
			desc->handle_irq = handle_percpu_devid_irq;
	} else {
		desc->handle_irq = handle_fasteoi_irq;
	}
	gic_irq_set_prio(d, GICD_INT_DEF_PRI);
}

static struct irq_chip gic_chip = {
	.name = "GICv3",
	.irq_mask = gic_mask_irq,
	.irq_unmask = gic_unmask_irq,
	.irq_eoi = gic_eoi_irq,
	.irq_set_type = gic_set_type,
	.irq_nmi_setup = gic_irq_nmi_setup,
	.irq_nmi_teardown = gic_irq_nmi_teardown,
	.flags = 0,
};

/* ---- interrupt entry ---- */

static void gic_complete_ack(u32 irqnr)
{
	if (supports_deactivate_key)
		write_sysreg(irqnr, icc_eoir1_el1);
	isb();
}

static bool gic_rpr_is_nmi_prio(void)
{
	if (!gic_supports_nmi())
		return false;
	return unlikely(gic_read_rpr() == GICD_INT_RPR_PRI(GICD_INT_NMI_PRI));
}

static void gic_deactivate_unhandled(u32 irqnr)
{
	if (supports_deactivate_key) {
		if (irqnr < 8192)
			gic_write_dir(irqnr);
	} else {
		gic_write_eoir(irqnr);
	}
}

static void __gic_handle_irq(u32 irqnr, struct pt_regs *regs)
{
	(void)regs;
	if (gic_irqnr_is_special(irqnr))
		return;

	gic_complete_ack(irqnr);

	if (generic_handle_domain_irq(irqnr)) {
		printk("WARNING: GICv3: Unexpected interrupt (irqnr %u)\n", irqnr);
		gic_deactivate_unhandled(irqnr);
	}
}

/*
 * The NMI itself. NMI context was entered by the caller: by the exception entry when the
 * interrupted context had IRQs off (arm64_enter_nmi), by __gic_handle_irq_from_irqson
 * otherwise.
 */
static void __gic_handle_nmi(u32 irqnr, struct pt_regs *regs)
{
	(void)regs;
	if (gic_irqnr_is_special(irqnr))
		return;

	gic_complete_ack(irqnr);

	/*
	 * Leave the PSR.I bit set to prevent other NMIs to be received while handling this
	 * one. PSR.I will be restored when we ERET to the interrupted context.
	 */
	if (generic_handle_domain_nmi(irqnr)) {
		printk("WARNING: GICv3: Unexpected pseudo-NMI (irqnr %u)\n", irqnr);
		gic_deactivate_unhandled(irqnr);
	}
}

/*
 * An interrupt while IRQs were enabled: it may still be an NMI (RPR says so, since the
 * acknowledge raised the running priority to the interrupt's). Afterwards, with priority
 * masking, run the IRQ handler with PMR masking IRQs but PSTATE.I clear, so an NMI can
 * preempt it.
 */
static void __gic_handle_irq_from_irqson(struct pt_regs *regs)
{
	bool is_nmi;
	u32 irqnr;

	irqnr = gic_read_iar();

	is_nmi = gic_rpr_is_nmi_prio();

	if (is_nmi) {
		nmi_enter();
		__gic_handle_nmi(irqnr, regs);
		nmi_exit();
	}

	if (system_uses_irq_prio_masking()) {
		gic_pmr_mask_irqs();
		gic_arch_enable_irqs();
	}

	if (!is_nmi)
		__gic_handle_irq(irqnr, regs);
}

/*
 * An interrupt that arrived while IRQs were disabled, i.e. an NMI. The entry code opened
 * PMR (IRQON | PSR_I_SET), which would let an IRQ be acknowledged if the NMI had been
 * retired meanwhile; so drop PMR back to "IRQs off" around the IAR read.
 */
static void __gic_handle_irq_from_irqsoff(struct pt_regs *regs)
{
	u64 pmr;
	u32 irqnr;

	pmr = gic_read_pmr();
	gic_pmr_mask_irqs();
	isb();
	irqnr = gic_read_iar();
	gic_write_pmr((u32)pmr);

	__gic_handle_nmi(irqnr, regs);
}

static void gic_handle_irq(struct pt_regs *regs)
{
	if (unlikely(gic_supports_nmi() && !interrupts_enabled(regs)))
		__gic_handle_irq_from_irqsoff(regs);
	else
		__gic_handle_irq_from_irqson(regs);
}

static void default_handle_fiq(struct pt_regs *regs)
{
	(void)regs;
	panic("FIQ taken without a root FIQ handler");
}

/* ---- SGIs ---- */

static u16 gic_compute_target_list(unsigned int *base_cpu, const struct cpumask *mask, unsigned long cluster_id)
{
	unsigned int next_cpu, cpu = *base_cpu;
	unsigned long mpidr = cpu_logical_map[cpu];
	u16 tlist = 0;

	while (cpu < nr_cpu_ids) {
		tlist |= (u16)(1U << (mpidr & 0xf));

		next_cpu = cpumask_next((int)cpu, mask);
		if (next_cpu >= nr_cpu_ids)
			goto out;
		cpu = next_cpu;

		mpidr = cpu_logical_map[cpu];

		if (cluster_id != MPIDR_TO_SGI_CLUSTER_ID(mpidr)) {
			cpu--;
			goto out;
		}
	}
out:
	*base_cpu = cpu;
	return tlist;
}

static void gic_send_sgi(u64 cluster_id, u16 tlist, unsigned int irq)
{
	u64 val = MPIDR_TO_SGI_AFFINITY(cluster_id, 3) | MPIDR_TO_SGI_AFFINITY(cluster_id, 2) |
		  (u64)irq << ICC_SGI1R_SGI_ID_SHIFT | MPIDR_TO_SGI_AFFINITY(cluster_id, 1) |
		  MPIDR_TO_SGI_RS(cluster_id) | (u64)tlist << ICC_SGI1R_TARGET_LIST_SHIFT;
	gic_write_sgi1r(val);
}

/* One ICC_SGI1R_EL1 write per run of CPUs that share Aff3.Aff2.Aff1 and Aff0[7:4]. */
static void gic_ipi_send_mask(const struct cpumask *mask, unsigned int hwirq)
{
	unsigned int cpu;

	if (hwirq >= GIC_NR_SGIS) {
		printk("WARNING: GICv3: SGI %u out of range\n", hwirq);
		return;
	}

	/* Ensure that stores to Normal memory are visible to the other CPUs before issuing the IPI. */
	dsb(ishst);

	for_each_cpu(cpu, mask) {
		u64 cluster_id = MPIDR_TO_SGI_CLUSTER_ID(cpu_logical_map[cpu]);
		u16 tlist = gic_compute_target_list(&cpu, mask, cluster_id);
		gic_send_sgi(cluster_id, tlist, hwirq);
	}

	/* Force the above writes to ICC_SGI1R_EL1 to be executed */
	isb();
}

/* ---- distributor ---- */

static void gic_dist_config(phys_addr_t base, unsigned int gic_irqs)
{
	unsigned int i;

	/* Set all global interrupts to be level triggered, active low. */
	for (i = 32; i < gic_irqs; i += 16)
		writel_relaxed(GICD_INT_ACTLOW_LVLTRIG, base + GICD_ICFGR + i / 4);

	/* Set priority on all global interrupts. */
	for (i = 32; i < gic_irqs; i += 4)
		writel_relaxed(GICD_INT_DEF_PRI_X4, base + GICD_IPRIORITYR + i);

	/* Deactivate and disable all SPIs; SGIs and PPIs live in the redistributors. */
	for (i = 32; i < gic_irqs; i += 32) {
		writel_relaxed(GICD_INT_EN_CLR_X32, base + GICD_ICACTIVER + i / 8);
		writel_relaxed(GICD_INT_EN_CLR_X32, base + GICD_ICENABLER + i / 8);
	}

	gic_dist_wait_for_rwp();
}

static u64 gic_mpidr_to_affinity(u64 mpidr)
{
	return MPIDR_AFFINITY_LEVEL(mpidr, 3) << 32 | MPIDR_AFFINITY_LEVEL(mpidr, 2) << 16 |
	       MPIDR_AFFINITY_LEVEL(mpidr, 1) << 8 | MPIDR_AFFINITY_LEVEL(mpidr, 0);
}

static void gic_dist_init(void)
{
	phys_addr_t base = gic_data.dist_base;
	unsigned int i;

	/* Disable the distributor */
	writel_relaxed(0, base + GICD_CTLR);
	gic_dist_wait_for_rwp();

	/*
	 * Configure SPIs as non-secure Group-1. This will only matter if the GIC only has a
	 * single security state (as on QEMU virt without secure=on): the reset value is Group 0,
	 * which would be delivered as FIQ.
	 */
	for (i = 32; i < gic_data.irq_nr; i += 32)
		writel_relaxed(~0U, base + GICD_IGROUPR + i / 8);

	gic_dist_config(base, gic_data.irq_nr);

	/* Enable distributor with ARE, Group1, and wait for it to drain */
	writel_relaxed(GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A | GICD_CTLR_ENABLE_G1, base + GICD_CTLR);
	gic_dist_wait_for_rwp();

	/* Set all global interrupts to the boot CPU only. ARE must be enabled. */
	u64 affinity = gic_mpidr_to_affinity(cpu_logical_map[smp_processor_id()]);
	for (i = 32; i < gic_data.irq_nr; i++)
		gic_write_irouter(affinity, base + GICD_IROUTER + i * 8);

	gic_data.dist_security_disabled = (readl_relaxed(base + GICD_CTLR) & GICD_CTLR_DS) != 0;
}

/* ---- redistributors ---- */

/* Match this CPU's affinity against the frame at ptr; 0 when found. */
static int __gic_populate_rdist(struct redist_region *region, phys_addr_t ptr)
{
	unsigned int cpu = smp_processor_id();
	unsigned long mpidr = cpu_logical_map[cpu];
	u32 aff = (u32)(MPIDR_AFFINITY_LEVEL(mpidr, 3) << 24 | MPIDR_AFFINITY_LEVEL(mpidr, 2) << 16 |
			MPIDR_AFFINITY_LEVEL(mpidr, 1) << 8 | MPIDR_AFFINITY_LEVEL(mpidr, 0));
	u64 typer = gic_read_typer(ptr + GICR_TYPER);

	if ((typer >> 32) == aff) {
		gic_data.rd_base[cpu] = ptr;
		printk("GICv3: CPU%u: found redistributor %lx region %d:0x%016lx\n", cpu, mpidr,
		       (int)(region - gic_data.redist_regions), ptr);
		return 0;
	}
	/* Try next one */
	return 1;
}

static int gic_iterate_rdists(int (*fn)(struct redist_region *, phys_addr_t))
{
	int ret = -ENODEV;

	for (u32 i = 0; i < gic_data.nr_redist_regions; i++) {
		phys_addr_t ptr = gic_data.redist_regions[i].phys_base;
		u64 typer;
		u32 reg = readl_relaxed(ptr + GICR_PIDR2) & GIC_PIDR2_ARCH_MASK;

		if (reg != GIC_PIDR2_ARCH_GICv3 && reg != GIC_PIDR2_ARCH_GICv4) { /* We're in trouble... */
			printk("GICv3: No redistributor present @0x%lx\n", ptr);
			break;
		}

		do {
			typer = gic_read_typer(ptr + GICR_TYPER);
			ret = fn(gic_data.redist_regions + i, ptr);
			if (!ret)
				return 0;

			if (gic_data.redist_regions[i].single_redist)
				break;

			if (gic_data.redist_stride) {
				ptr += gic_data.redist_stride;
			} else {
				ptr += SZ_64K * 2; /* Skip RD_base + SGI_base */
				if (typer & GICR_TYPER_VLPIS)
					ptr += SZ_64K * 2; /* Skip VLPI_base + reserved page */
			}
		} while (!(typer & GICR_TYPER_LAST));
	}

	return ret ? -ENODEV : 0;
}

static int gic_populate_rdist(void)
{
	if (gic_iterate_rdists(__gic_populate_rdist) == 0)
		return 0;

	/* We couldn't even deal with ourselves... */
	printk("WARNING: GICv3: CPU%u: mpidr %lx has no re-distributor!\n", smp_processor_id(),
	       cpu_logical_map[smp_processor_id()]);
	return -ENODEV;
}

static void gic_enable_redist(bool enable)
{
	phys_addr_t rbase = gic_data_rdist_rd_base();
	u32 count = 1000000; /* 1s! */
	u32 val = readl_relaxed(rbase + GICR_WAKER);

	if (enable)
		/* Wake up this CPU redistributor */
		val &= ~GICR_WAKER_ProcessorSleep;
	else
		val |= GICR_WAKER_ProcessorSleep;
	writel_relaxed(val, rbase + GICR_WAKER);

	while (--count) {
		val = readl_relaxed(rbase + GICR_WAKER);
		if (enable ^ (bool)(val & GICR_WAKER_ChildrenAsleep))
			break;
		cpu_relax();
		udelay(1);
	}
	if (!count)
		printk("GICv3: redistributor failed to %s...\n", enable ? "wakeup" : "sleep");
}

/* Banked SGIs and PPIs: disable and deactivate everything, default priority (gic_cpu_config). */
static void gic_cpu_config(phys_addr_t base, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i += 32) {
		writel_relaxed(GICD_INT_EN_CLR_X32, base + GICD_ICACTIVER + i / 8);
		writel_relaxed(GICD_INT_EN_CLR_X32, base + GICD_ICENABLER + i / 8);
	}
	for (i = 0; i < nr; i += 4)
		writel_relaxed(GICD_INT_DEF_PRI_X4, base + GICD_IPRIORITYR + i);

	gic_redist_wait_for_rwp();
}

/* ---- CPU interface ---- */

static u32 gic_get_pribits(void)
{
	return ((gic_read_ctlr() & ICC_CTLR_EL1_PRI_BITS_MASK) >> ICC_CTLR_EL1_PRI_BITS_SHIFT) + 1;
}

/*
 * Does this kernel control Group 0? Write the highest non-zero priority to PMR and read it
 * back: with two security states and Group 0 owned by EL3, a non-secure write of a value
 * in the secure range is ignored.
 */
static bool gic_has_group0(void)
{
	u32 old_pmr = gic_read_pmr();
	gic_write_pmr(1U << (8 - gic_get_pribits()));
	u32 val = gic_read_pmr();
	gic_write_pmr(old_pmr);
	return val != 0;
}

static void gic_cpu_sys_reg_init(void)
{
	unsigned int cpu = smp_processor_id();
	u64 mpidr = cpu_logical_map[cpu];
	u64 need_rss = MPIDR_RS(mpidr);
	u32 pribits;
	bool group0;

	if (!gic_enable_sre())
		printk("GICv3: GIC: unable to set SRE (disabled at EL2), panic ahead\n");

	pribits = gic_get_pribits();
	group0 = gic_has_group0();

	/* Set priority mask register */
	if (!system_uses_irq_prio_masking()) {
		gic_write_pmr(DEFAULT_PMR_VALUE);
	} else if (gic_supports_nmi()) {
		/* A CPU whose view differs from the boot CPU's would mask wrongly. */
		if (gic_nonsecure_priorities ? (!group0 || gic_data.dist_security_disabled)
					     : (group0 && !gic_data.dist_security_disabled))
			printk("WARNING: GICv3: CPU%u: priority view differs from the boot CPU\n", cpu);
	}

	/*
	 * Some firmwares hand over to the kernel with the BPR changed from its reset value (and
	 * with a value large enough to prevent any pre-emptive interrupt from working at all).
	 * Writing a zero to BPR restores is reset value.
	 */
	gic_write_bpr1(0);

	if (supports_deactivate_key)
		gic_write_ctlr(ICC_CTLR_EL1_EOImode_drop);	/* EOI drops priority only (mode 1) */
	else
		gic_write_ctlr(ICC_CTLR_EL1_EOImode_drop_dir);	/* EOI deactivates interrupt too (mode 0) */

	/* Always whack Group0 before Group1 (5 priority bits: one active-priority register each). */
	if (group0) {
		if (pribits > 5)
			printk("WARNING: GICv3: %u priority bits: only AP0R0 cleared\n", pribits);
		write_sysreg(0, icc_ap0r0_el1);
		isb();
	}
	write_sysreg(0, icc_ap1r0_el1);
	isb();

	/* ... and let's hit the road... */
	gic_write_grpen1(1);

	/* Keep the RSS capability status, and check every CPU can send SGIs to the others. */
	gic_data.cpu_has_rss[cpu] = (gic_read_ctlr() & ICC_CTLR_EL1_RSS) != 0;
	unsigned int i;
	for_each_online_cpu(i) {
		bool have_rss = gic_data.cpu_has_rss[i] && gic_data.cpu_has_rss[cpu];
		need_rss |= MPIDR_RS(cpu_logical_map[i]);
		if (need_rss && !have_rss)
			printk("GICv3: CPU%u (%lx) can't SGI CPU%u (%lx), no RSS\n", cpu, (unsigned long)mpidr, i,
			       (unsigned long)cpu_logical_map[i]);
	}
	if (need_rss && !gic_data.has_rss)
		printk("GICv3: RSS is required but GICD doesn't support it\n");
}

static void gic_cpu_init(void)
{
	/* Register ourselves with the rest of the world */
	if (gic_populate_rdist())
		return;

	gic_enable_redist(true);

	phys_addr_t rbase = gic_data_rdist_sgi_base();

	/* Configure SGIs/PPIs as non-secure Group-1 */
	for (unsigned int i = 0; i < gic_data.ppi_nr + 16; i += 32)
		writel_relaxed(~0U, rbase + GICR_IGROUPR0 + i / 8);

	gic_cpu_config(rbase, gic_data.ppi_nr + 16);

	/* initialise system registers */
	gic_cpu_sys_reg_init();
}

void gic_starting_cpu(unsigned int cpu)
{
	(void)cpu;
	gic_cpu_init();
}

/* ---- pseudo-NMI ---- */

static void gic_enable_nmi_support(void)
{
	if (!system_uses_irq_prio_masking())
		return;

	printk("GICv3: Pseudo-NMIs enabled using %s ICC_PMR_EL1 synchronisation\n",
	       system_has_relaxed_pmr_sync() ? "relaxed" : "forced");

	/*
	 * How priority values are used by the GIC depends on the security state of the GIC
	 * (GICD_CTLR.DS) and on whether Group 0 interrupts can be delivered to this kernel
	 * (SCR_EL3.FIQ). With two security states and Group 0 ours, the CPU interface sees
	 * distributor priorities shifted into the non-secure half (p >> 1 | 0x80) while PMR and
	 * RPR are not: IRQOFF must then be 0xa0 and an NMI shows in RPR as 0x90. With a single
	 * security state (QEMU virt, kgdb-lab) nothing shifts.
	 */
	if (gic_has_group0() && !gic_data.dist_security_disabled)
		gic_nonsecure_priorities = true;

	supports_pseudo_nmis = true;
	gic_chip.flags |= IRQCHIP_SUPPORTS_NMI;
}

/* ---- set-up ---- */

static void gic_smp_init(void)
{
	__smp_cross_call = gic_ipi_send_mask;
	/* Register all 8 non-secure SGIs (the other 8 are potentially stolen by the secure side) */
	set_smp_ipi_range(0, 8);
}

/* The identity domain: every INTID gets the GIC chip and the right flow handler. */
static void gic_irq_domain_init(void)
{
	for (unsigned int irq = 0; irq < gic_data.irq_nr; irq++) {
		if (irq < GIC_SPI_BASE) {
			irq_set_percpu_devid(irq);
			irq_set_chip_and_handler(irq, &gic_chip, handle_percpu_devid_irq);
		} else {
			irq_set_chip_and_handler(irq, &gic_chip, handle_fasteoi_irq);
		}
	}
}

/* Find the node compatible with "arm,gic-v3" among the root's children. */
static int gic_find_node(const void *fdt)
{
	int root = fdt_path_offset(fdt, "/");
	for (int node = fdt_next_child(fdt, root, -1); node >= 0; node = fdt_next_child(fdt, root, node))
		if (fdt_node_is_compatible(fdt, node, "arm,gic-v3"))
			return node;
	return -ENODEV;
}

int gic_of_init(const void *fdt)
{
	int node = fdt ? gic_find_node(fdt) : -ENODEV;
	if (node < 0) {
		printk("GICv3: no arm,gic-v3 node in the device tree\n");
		return -ENODEV;
	}
	u32 len;
	int root = fdt_path_offset(fdt, "/");
	unsigned int ac = fdt_get_cells(fdt, root, "#address-cells", 2);
	unsigned int sc = fdt_get_cells(fdt, root, "#size-cells", 1);
	const u32 *prop = fdt_getprop(fdt, node, "#redistributor-regions", &len);
	u32 nr_redist_regions = prop && len == 4 ? fdt32_to_cpu(*prop) : 1;
	const u8 *reg = fdt_getprop(fdt, node, "reg", &len);
	u32 entry = 4 * (ac + sc);
	if (!reg || nr_redist_regions < 1 || nr_redist_regions > MAX_RDIST_REGIONS || len < entry * (1 + nr_redist_regions)) {
		printk("GICv3: bad reg or #redistributor-regions in the device tree\n");
		return -EINVAL;
	}
	gic_data.dist_base = fdt_read_number(reg, ac);
	gic_data.nr_redist_regions = nr_redist_regions;
	for (u32 i = 0; i < nr_redist_regions; i++)
		gic_data.redist_regions[i].phys_base = fdt_read_number(reg + entry * (1 + i), ac);
	prop = fdt_getprop(fdt, node, "redistributor-stride", &len);
	gic_data.redist_stride = prop && len >= 4 ? fdt_read_number(prop, len / 4) : 0;

	u32 reg_pidr2 = readl_relaxed(gic_data.dist_base + GICD_PIDR2) & GIC_PIDR2_ARCH_MASK;
	if (reg_pidr2 != GIC_PIDR2_ARCH_GICv3 && reg_pidr2 != GIC_PIDR2_ARCH_GICv4) {
		printk("GICv3: no distributor detected at @0x%lx, giving up\n", gic_data.dist_base);
		return -ENODEV;
	}

	/* Find out how many interrupts are supported. */
	u32 typer = readl_relaxed(gic_data.dist_base + GICD_TYPER);
	gic_data.irq_nr = min(GICD_TYPER_SPIS(typer), (u32)NR_IRQS);
	printk("GICv3: %u SPIs implemented\n", gic_data.irq_nr - 32);
	printk("GICv3: %u Extended SPIs implemented\n", 0U);
	gic_data.has_rss = (typer & GICD_TYPER_RSS) != 0;
	printk("GICv3: Distributor has %sRange Selector support\n", gic_data.has_rss ? "" : "no ");

	gic_irq_domain_init();
	set_handle_irq(gic_handle_irq);
	handle_arch_fiq = default_handle_fiq;

	/* Extended PPIs are not used: 16 PPIs (GICR_TYPER.PPInum = 0 on QEMU virt). */
	gic_data.ppi_nr = 16;
	printk("GICv3: GICv3 features: %u PPIs%s\n", gic_data.ppi_nr, gic_data.has_rss ? ", RSS" : "");

	gic_dist_init();
	gic_cpu_init();
	gic_enable_nmi_support();
	gic_smp_init();
	return 0;
}
