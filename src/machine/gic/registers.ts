/**
 * GICv3 register offsets (bytes). GICv3/v4 Architecture Specification IHI 0069, §12.8
 * (GICD_*) and §12.10–12.11 (GICR_*); names and offsets as QEMU hw/intc/gicv3_internal.h.
 */
export const GICD_CTLR = 0x0000;
export const GICD_TYPER = 0x0004;
export const GICD_IIDR = 0x0008;
export const GICD_SETSPI_NSR = 0x0040;
export const GICD_CLRSPI_NSR = 0x0048;
export const GICD_IGROUPR = 0x0080;
export const GICD_ISENABLER = 0x0100;
export const GICD_ICENABLER = 0x0180;
export const GICD_ISPENDR = 0x0200;
export const GICD_ICPENDR = 0x0280;
export const GICD_ISACTIVER = 0x0300;
export const GICD_ICACTIVER = 0x0380;
export const GICD_IPRIORITYR = 0x0400;
export const GICD_ICFGR = 0x0c00;
export const GICD_IGRPMODR = 0x0d00;
export const GICD_IROUTER = 0x6000;
export const GICD_IDREGS = 0xffd0;

export const GICR_CTLR = 0x0000;
export const GICR_IIDR = 0x0004;
export const GICR_TYPER = 0x0008;
export const GICR_WAKER = 0x0014;
export const GICR_IDREGS = 0xffd0;
/** SGI_base frame, 64 KiB after RD_base. */
export const GICR_SGI_OFFSET = 0x10000;
export const GICR_IGROUPR0 = 0x0080;
export const GICR_ISENABLER0 = 0x0100;
export const GICR_ICENABLER0 = 0x0180;
export const GICR_ISPENDR0 = 0x0200;
export const GICR_ICPENDR0 = 0x0280;
export const GICR_ISACTIVER0 = 0x0300;
export const GICR_ICACTIVER0 = 0x0380;
export const GICR_IPRIORITYR = 0x0400;
export const GICR_ICFGR0 = 0x0c00;
export const GICR_ICFGR1 = 0x0c04;
export const GICR_IGRPMODR0 = 0x0d00;
export const GICR_NSACR = 0x0e00;

/** GICD_TYPER as QEMU 7.2 virt reports: ITLinesNumber 7, LPIS, IDbits 15, A3V, No1N. */
export const GICD_TYPER_VALUE = 0x037a0007;
/** GICD_IIDR/GICR_IIDR: Arm (0x43b), ProductID 0, r0p0, as QEMU gicv3_iidr(). */
export const GIC_IIDR_VALUE = 0x43b;
/**
 * GICD ID registers from 0xFFD0 (PIDR4..7, PIDR0..3, CIDR0..3); PIDR2 = 0x3b: ArchRev 3.
 * QEMU gicv3_idreg() with PIDR0 = 0x92 for the distributor.
 */
export const GIC_ID_REGS = [0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1];
/** The same for a redistributor: PIDR0 = 0x93 (QEMU GICV3_PIDR0_REDIST; measured on 7.2). */
export const GICR_ID_REGS = [0x44, 0, 0, 0, 0x93, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1];
