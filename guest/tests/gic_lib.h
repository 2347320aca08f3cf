/*
 * Shared helpers for the GICv3 test programs (gic_*.c): register offsets, ICC_* access,
 * redistributor discovery the way Linux does it, per-CPU GIC set-up, and an exception
 * vector table that also dispatches FIQs (the runtime's table reports them as unexpected).
 *
 * Register names and offsets: GICv3/v4 Architecture Specification (Arm IHI 0069), §12.9
 * (GICD_*), §12.10-12.11 (GICR_*), §12.2 (ICC_*_EL1, accessed by name: binutils knows them).
 * Machine: QEMU virt with gic-version=3 (GICD_CTLR.DS = 1: one security state, so Group 0
 * is signalled as FIQ and Group 1 as IRQ) or kgdb-lab.
 */
#ifndef GIC_LIB_H
#define GIC_LIB_H

#include "rt.h"

/* ---- distributor (GICD), RT_GICD_BASE ---- */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_SETSPI_NSR 0x0040
#define GICD_CLRSPI_NSR 0x0048
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IGRPMODR 0x0d00
#define GICD_IROUTER 0x6000
#define GICD_IDREGS 0xffd0 /* PIDR4..7, PIDR0..3, CIDR0..3 */
#define GICD_CTLR_ENGRP0 (1u << 0)
#define GICD_CTLR_ENGRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_RWP (1u << 31)

/* ---- redistributor RD_base frame ---- */
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_IDREGS 0xffd0
#define GICR_PIDR2 0xffe8
#define GICR_TYPER_VLPIS (1UL << 1)
#define GICR_TYPER_LAST (1UL << 4)
#define GICR_WAKER_PS (1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CA (1u << 2) /* ChildrenAsleep */
/* ---- redistributor SGI_base frame: RD_base + 64 KiB ---- */
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_ISPENDR0 (GICR_SGI + 0x0200)
#define GICR_ICPENDR0 (GICR_SGI + 0x0280)
#define GICR_ISACTIVER0 (GICR_SGI + 0x0300)
#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)
#define GICR_ICFGR0 (GICR_SGI + 0x0c00)
#define GICR_ICFGR1 (GICR_SGI + 0x0c04)
#define GICR_IGRPMODR0 (GICR_SGI + 0x0d00)
#define GICR_NSACR (GICR_SGI + 0x0e00)
/* Bytes per redistributor (RD_base + SGI_base); twice that with GICR_TYPER.VLPIS. */
#define GICR_FRAME_SIZE 0x20000UL

/* ---- INTIDs on QEMU virt ---- */
#define INTID_VTIMER 27
#define INTID_PTIMER 30
#define INTID_UART0 33
#define INTID_SPURIOUS 1023

/* ISR_EL1 (ARM ARM D17.2.85): an IRQ / FIQ is signalled to the PE. */
#define ISR_I 0x80
#define ISR_F 0x40

/* ICC_CTLR_EL1 writable bits. */
#define ICC_CTLR_CBPR 1UL
#define ICC_CTLR_EOIMODE 2UL

/* ICC_SGI1R_EL1 / SGI0R / ASGI1R fields (GICv3 spec §12.2.23). */
#define SGI_INTID(n) ((u64)(n) << 24)
#define SGI_AFF1(a) ((u64)(a) << 16)
#define SGI_IRM (1UL << 40)

/* Generic timer: 62.5 MHz on QEMU virt (and kgdb-lab). */
#define TICKS_PER_MS 62500UL

#define mask_irq() __asm__ volatile("msr daifset, #2" ::: "memory")
#define unmask_irq() __asm__ volatile("msr daifclr, #2" ::: "memory")
#define mask_fiq() __asm__ volatile("msr daifset, #1" ::: "memory")
#define unmask_fiq() __asm__ volatile("msr daifclr, #1" ::: "memory")
#define mask_if() __asm__ volatile("msr daifset, #3" ::: "memory")
#define unmask_if() __asm__ volatile("msr daifclr, #3" ::: "memory")

/* Short window with interrupts open: anything signalled and unmasked is taken inside it. */
#define interrupt_window() \
	__asm__ volatile("msr daifclr, #3\n\tisb\n\tnop\n\tnop\n\tmsr daifset, #3\n\tisb" ::: "memory")

static inline const char *yn(bool b) { return b ? "yes" : "no"; }

static inline u64 counter_now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

/* ---- distributor / redistributor access ---- */
static inline u32 gicd_read(u32 off) { return mmio_read32(RT_GICD_BASE + off); }
static inline void gicd_write(u32 off, u32 v) { mmio_write32(RT_GICD_BASE + off, v); }
static inline u32 gicr_read(uintptr_t rd, u32 off) { return mmio_read32(rd + off); }
static inline void gicr_write(uintptr_t rd, u32 off, u32 v) { mmio_write32(rd + off, v); }

/* Wait until GICD_CTLR.RWP reads 0 (a distributor write has taken effect). */
void gicd_wait_rwp(void);
/* Byte-wide priority of SGI/PPI `intid` in the redistributor (IPRIORITYR is byte-accessible). */
void gicr_set_priority(uintptr_t rd, unsigned intid, u8 prio);
/* Put SGI/PPI `intid` in Group 1 (g = 1) or Group 0 (g = 0). */
void gicr_set_group(uintptr_t rd, unsigned intid, unsigned g);

/* ---- redistributor discovery (Linux drivers/irqchip/irq-gic-v3.c gic_iterate_rdists) ---- */
#define GIC_MAX_RDIST_REGIONS 4
struct gic_rdist {
	uintptr_t base;  /* RD_base of this CPU's redistributor */
	unsigned region; /* index of the DTB redistributor region it was found in */
	unsigned frame;  /* index of the frame within that region */
	u64 typer;       /* its GICR_TYPER */
};
/*
 * Read the redistributor regions from the DTB's /intc@8000000 node ("reg" after the GICD
 * entry, "#redistributor-regions" of them). Call once (on CPU 0) before gic_find_rdist.
 * Returns the number of regions.
 */
unsigned gic_read_rdist_regions(void);
/*
 * Find the calling CPU's redistributor as Linux gic_populate_rdist does: for each region,
 * check GICR_PIDR2.ArchRev is 3 or 4, then walk the frames (RD_base + SGI_base, 128 KiB, twice
 * that with GICR_TYPER.VLPIS) comparing GICR_TYPER[63:32] with the CPU's MPIDR affinity
 * (Aff3.Aff2.Aff1.Aff0), until GICR_TYPER.Last. Returns false when no frame matches.
 */
bool gic_find_rdist(struct gic_rdist *out);

/* ---- set-up ---- */
/* GICD_CTLR: ARE, EnableGrp0, EnableGrp1 (ARE and DS are RAO/WI with DS = 1). */
void gic_dist_init(void);
/*
 * Per-CPU redistributor and CPU interface set-up, Linux gic_cpu_init/gic_cpu_sys_reg_init
 * style: wake the redistributor (GICR_WAKER), every SGI/PPI Group 1, disabled, not pending,
 * not active, priority `prio`; ICC_SRE_EL1.SRE, PMR 0xf0, BPRs at their minimum, EOImode 0,
 * both group enables on.
 */
void gic_cpu_init(uintptr_t rd, u8 prio);

/* ---- vectors: the runtime's table, except that FIQs go to the handler set here ---- */
extern char gic_vectors[];
/* Install gic_vectors in VBAR_EL1 (each CPU, after the runtime set its own table). */
void gic_install_vectors(void);
void gic_set_fiq_handler(rt_handler_t h);

/*
 * ---- an interrupt log for single-CPU tests ----
 * gic_log_install() sets IRQ and FIQ handlers that acknowledge (ICC_IAR1/IAR0), record the
 * vector, INTID, running priority and nesting depth, call gic_hook (which may unmask to let
 * higher priorities preempt), and write ICC_EOIR1/EOIR0 unless gic_defer_eoi is set.
 * Spurious acknowledges (1020-1023) are logged but not passed on or EOId.
 */
struct gic_event {
	u8 vector;
	u16 intid;
	u8 rpr;
	u8 depth;
};
extern volatile unsigned gic_nevents;
extern struct gic_event gic_events[32];
extern void (*volatile gic_hook)(unsigned intid, bool fiq);
extern volatile bool gic_defer_eoi;
void gic_log_install(void);
void gic_eoi(bool fiq, u64 intid);
/* Print "label: irq-el1h 5 rpr a0 depth 0; ..." (or "label: none") and clear the log. */
void gic_print_events(const char *label);

#endif
