/*
 * GICv3 register map (include/linux/irqchip/arm-gic-v3.h, arm-gic-common.h; GICv3/v4
 * architecture specification IHI 0069, chapter 12).
 */
#ifndef IRQCHIP_ARM_GIC_V3_H
#define IRQCHIP_ARM_GIC_V3_H
#include <kgdb-lab/types.h>

/* Distributor. */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
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
#define GICD_PIDR2 0xffe8

#define GICD_CTLR_RWP (1U << 31)
#define GICD_CTLR_nASSGIreq (1U << 8)
#define GICD_CTLR_DS (1U << 6)
#define GICD_CTLR_ARE_NS (1U << 4)
#define GICD_CTLR_ENABLE_G1A (1U << 1)
#define GICD_CTLR_ENABLE_G1 (1U << 0)

#define GICD_TYPER_RSS (1U << 26)
#define GICD_TYPER_LPIS (1U << 17)
#define GICD_TYPER_MBIS (1U << 16)
#define GICD_TYPER_ESPI (1U << 8)
#define GICD_TYPER_ID_BITS(typer) ((((typer) >> 19) & 0x1f) + 1)
#define GICD_TYPER_NUM_LPIS(typer) ((((typer) >> 11) & 0x1f) + 1)
#define GICD_TYPER_SPIS(typer) ((((typer) & 0x1f) + 1) * 32)
#define GICD_TYPER_ESPIS(typer) (((typer) & GICD_TYPER_ESPI) ? ((((typer) >> 27) & 0x1f) + 1) * 32 : 0)

/* Common distributor values (arm-gic-common.h / irq-gic-common.h). */
#define GICD_INT_DEF_PRI 0xa0
#define GICD_INT_DEF_PRI_X4 ((GICD_INT_DEF_PRI << 24) | (GICD_INT_DEF_PRI << 16) | (GICD_INT_DEF_PRI << 8) | GICD_INT_DEF_PRI)
#define GICD_INT_EN_CLR_X32 0xffffffff
#define GICD_INT_EN_SET_SGI 0x0000ffff
#define GICD_INT_ACTLOW_LVLTRIG 0x0
/* The pseudo-NMI priority: the default with bit 7 clear (irq-gic-v3.c of the era). */
#define GICD_INT_NMI_PRI (GICD_INT_DEF_PRI & ~0x80)

#define GIC_PIDR2_ARCH_MASK 0xf0
#define GIC_PIDR2_ARCH_GICv3 0x30
#define GIC_PIDR2_ARCH_GICv4 0x40

/* Redistributor: RD_base frame. */
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 GICD_PIDR2

#define GICR_CTLR_RWP (1U << 3)
#define GICR_TYPER_PLPIS (1U << 0)
#define GICR_TYPER_VLPIS (1U << 1)
#define GICR_TYPER_LAST (1U << 4)
#define GICR_TYPER_CPU_NUMBER(r) (((r) >> 8) & 0xffff)
#define GICR_TYPER_AFFINITY(r) ((r) >> 32)
#define GICR_WAKER_ProcessorSleep (1U << 1)
#define GICR_WAKER_ChildrenAsleep (1U << 2)

/* Redistributor: SGI_base frame, 64 KiB after RD_base. */
#define GICR_SGI_BASE_OFFSET 0x10000
#define GICR_IGROUPR0 GICD_IGROUPR
#define GICR_ISENABLER0 GICD_ISENABLER
#define GICR_ICENABLER0 GICD_ICENABLER
#define GICR_ISPENDR0 GICD_ISPENDR
#define GICR_ICPENDR0 GICD_ICPENDR
#define GICR_ISACTIVER0 GICD_ISACTIVER
#define GICR_ICACTIVER0 GICD_ICACTIVER
#define GICR_IPRIORITYR0 GICD_IPRIORITYR
#define GICR_ICFGR0 GICD_ICFGR
#define GICR_IGRPMODR0 GICD_IGRPMODR

/* ICC_CTLR_EL1 fields. */
#define ICC_CTLR_EL1_EOImode_SHIFT 1
#define ICC_CTLR_EL1_EOImode_drop_dir (0U << ICC_CTLR_EL1_EOImode_SHIFT)
#define ICC_CTLR_EL1_EOImode_drop (1U << ICC_CTLR_EL1_EOImode_SHIFT)
#define ICC_CTLR_EL1_PRI_BITS_SHIFT 8
#define ICC_CTLR_EL1_PRI_BITS_MASK (0x7 << ICC_CTLR_EL1_PRI_BITS_SHIFT)
#define ICC_CTLR_EL1_RSS (1U << 18)

/* ICC_SGI1R_EL1 fields. */
#define ICC_SGI1R_TARGET_LIST_SHIFT 0
#define ICC_SGI1R_AFFINITY_1_SHIFT 16
#define ICC_SGI1R_SGI_ID_SHIFT 24
#define ICC_SGI1R_AFFINITY_2_SHIFT 32
#define ICC_SGI1R_RS_SHIFT 44
#define ICC_SGI1R_AFFINITY_3_SHIFT 48

/* Interrupt ID ranges. */
#define GIC_NR_SGIS 16
#define GIC_SPI_BASE 32

/* Bring up the GICv3 described by the DTB node compatible "arm,gic-v3". Returns 0 or -errno. */
int gic_of_init(const void *fdt);
/* Per-CPU set-up for a secondary CPU (gic_starting_cpu): redistributor, CPU interface. */
void gic_starting_cpu(unsigned int cpu);
/* True when pseudo-NMIs are enabled (gic_supports_nmi). */
bool gic_supports_nmi(void);

#endif
