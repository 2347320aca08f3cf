/*
 * GICv3 helpers shared by the gic_* test programs (see gic_lib.h).
 */
#include "gic_lib.h"

void gic_fiq_dispatch(struct rt_frame *f, unsigned vector);

static rt_handler_t fiq_handler;

void gicd_wait_rwp(void)
{
	while (gicd_read(GICD_CTLR) & GICD_CTLR_RWP)
		;
}

void gicr_set_priority(uintptr_t rd, unsigned intid, u8 prio)
{
	*(volatile u8 *)(rd + GICR_IPRIORITYR + intid) = prio;
}

void gicr_set_group(uintptr_t rd, unsigned intid, unsigned g)
{
	u32 v = gicr_read(rd, GICR_IGROUPR0);
	v = g ? v | (1u << intid) : v & ~(1u << intid);
	gicr_write(rd, GICR_IGROUPR0, v);
}

/* ---- redistributor regions from the DTB ---- */

static u64 rdist_base[GIC_MAX_RDIST_REGIONS];
static unsigned rdist_regions;

static u32 be32(const u32 *p) { return __builtin_bswap32(*p); }
static u64 be64(const u32 *p) { return ((u64)be32(p) << 32) | be32(p + 1); }

unsigned gic_read_rdist_regions(void)
{
	const void *fdt = (const void *)RT_DTB_BASE;
	u32 len = 0;
	/* QEMU virt: the root has #address-cells = #size-cells = 2, so each reg entry is 4 cells. */
	const u32 *reg = fdt_getprop(fdt, "/intc@8000000", "reg", &len);
	const u32 *count = fdt_getprop(fdt, "/intc@8000000", "#redistributor-regions", NULL);
	unsigned n = count ? be32(count) : 1;
	if (!reg)
		return 0;
	if (n > GIC_MAX_RDIST_REGIONS)
		n = GIC_MAX_RDIST_REGIONS;
	/* Entry 0 is the distributor; the redistributor regions follow. */
	unsigned have = len / 16;
	if (have < 1 + n)
		n = have > 0 ? have - 1 : 0;
	for (unsigned i = 0; i < n; i++)
		rdist_base[i] = be64(reg + 4 * (i + 1));
	rdist_regions = n;
	dsb(sy);
	return n;
}

/* MPIDR_EL1 affinity packed as GICR_TYPER[63:32] has it: Aff3.Aff2.Aff1.Aff0. */
static u64 my_affinity(void)
{
	u64 m = read_sysreg(mpidr_el1);
	return ((m >> 8) & 0xff000000UL) | (m & 0xffffffUL);
}

bool gic_find_rdist(struct gic_rdist *out)
{
	u64 aff = my_affinity();
	for (unsigned r = 0; r < rdist_regions; r++) {
		uintptr_t ptr = rdist_base[r];
		u32 arch = gicr_read(ptr, GICR_PIDR2) & 0xf0;
		if (arch != 0x30 && arch != 0x40)
			break; /* Linux: "No redistributor present @..." */
		unsigned frame = 0;
		u64 typer;
		do {
			typer = mmio_read64(ptr + GICR_TYPER);
			if ((typer >> 32) == aff) {
				out->base = ptr;
				out->region = r;
				out->frame = frame;
				out->typer = typer;
				return true;
			}
			ptr += GICR_FRAME_SIZE;
			if (typer & GICR_TYPER_VLPIS)
				ptr += GICR_FRAME_SIZE;
			frame++;
		} while (!(typer & GICR_TYPER_LAST));
	}
	return false;
}

/* ---- set-up ---- */

void gic_dist_init(void)
{
	gicd_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP0 | GICD_CTLR_ENGRP1);
	gicd_wait_rwp();
}

void gic_cpu_init(uintptr_t rd, u8 prio)
{
	gicr_write(rd, GICR_WAKER, gicr_read(rd, GICR_WAKER) & ~GICR_WAKER_PS);
	while (gicr_read(rd, GICR_WAKER) & GICR_WAKER_CA)
		;
	gicr_write(rd, GICR_ICENABLER0, 0xffffffffu);
	gicr_write(rd, GICR_ICPENDR0, 0xffffffffu);
	gicr_write(rd, GICR_ICACTIVER0, 0xffffffffu);
	gicr_write(rd, GICR_IGROUPR0, 0xffffffffu);
	u32 p4 = (u32)prio * 0x01010101u;
	for (unsigned i = 0; i < 32; i += 4)
		gicr_write(rd, GICR_IPRIORITYR + i, p4);
	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
	isb();
	write_sysreg(icc_pmr_el1, 0xf0);
	write_sysreg(icc_bpr0_el1, 0);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, 0);
	write_sysreg(icc_igrpen0_el1, 1);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

/* ---- FIQ dispatch ---- */

void gic_install_vectors(void)
{
	write_sysreg(vbar_el1, (u64)gic_vectors);
	isb();
}

void gic_set_fiq_handler(rt_handler_t h)
{
	fiq_handler = h;
}

/* Called by gic_vectors.S for the four FIQ vectors. */
void gic_fiq_dispatch(struct rt_frame *f, unsigned vector)
{
	if (fiq_handler && fiq_handler(f, vector))
		return;
	rt_unexpected(f, vector);
}

/* ---- the interrupt log ---- */

struct gic_event gic_events[32];
volatile unsigned gic_nevents;
void (*volatile gic_hook)(unsigned intid, bool fiq);
volatile bool gic_defer_eoi;
static volatile unsigned log_depth;

void gic_eoi(bool fiq, u64 intid)
{
	if (fiq)
		write_sysreg(icc_eoir0_el1, intid);
	else
		write_sysreg(icc_eoir1_el1, intid);
	isb();
}

static void log_handle(unsigned vector, bool fiq)
{
	u64 intid = fiq ? read_sysreg(icc_iar0_el1) : read_sysreg(icc_iar1_el1);
	u64 rpr = read_sysreg(icc_rpr_el1);
	unsigned n = gic_nevents;
	if (n < ARRAY_SIZE(gic_events)) {
		gic_events[n] = (struct gic_event){ (u8)vector, (u16)intid, (u8)rpr, (u8)log_depth };
		gic_nevents = n + 1;
	}
	if (intid >= 1020)
		return;
	log_depth++;
	if (gic_hook)
		gic_hook((unsigned)intid, fiq);
	log_depth--;
	if (!gic_defer_eoi)
		gic_eoi(fiq, intid);
}

static int log_irq(struct rt_frame *f, unsigned vector)
{
	(void)f;
	log_handle(vector, false);
	return 1;
}

static int log_fiq(struct rt_frame *f, unsigned vector)
{
	(void)f;
	log_handle(vector, true);
	return 1;
}

void gic_log_install(void)
{
	rt_set_irq_handler(log_irq);
	gic_set_fiq_handler(log_fiq);
}

void gic_print_events(const char *label)
{
	char buf[512];
	int len = snprintf(buf, sizeof(buf), "%s:", label);
	if (gic_nevents == 0)
		len += snprintf(buf + len, sizeof(buf) - len, " none");
	for (unsigned i = 0; i < gic_nevents && len < (int)sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s %s %u rpr %x depth %u", i ? ";" : "",
				rt_vector_name(gic_events[i].vector), gic_events[i].intid, gic_events[i].rpr,
				gic_events[i].depth);
	printf("%s\n", buf);
	gic_nevents = 0;
}
