/**
 * The QEMU `virt` board memory map (AArch64, gic-version=3), reused exactly so one
 * guest image runs both here and on `qemu-system-aarch64 -M virt,gic-version=3`.
 * Addresses and sizes are in bytes. Source: QEMU hw/arm/virt.c base_memmap[],
 * a15irqmap[]; include/hw/arm/bsa.h (timer PPIs).
 */

export const FLASH_BASE = 0x0000_0000;
export const FLASH_SIZE = 0x0800_0000;
export const GICD_BASE = 0x0800_0000;
export const GICD_SIZE = 0x0001_0000;
/** First redistributor region: room for 123 CPUs at 0x20000 bytes each. */
export const GICR_BASE = 0x080a_0000;
export const GICR_SIZE = 0x00f6_0000;
/** Per-CPU redistributor frame size (RD_base + SGI_base), GICv3. */
export const GICR_STRIDE = 0x2_0000;
/** Second redistributor region used by QEMU virt (VIRT_HIGH_GIC_REDIST2) above 4 GiB for > 123 CPUs. */
export const GICR2_BASE = 0x40_0000_0000;
export const GICR2_SIZE = 0x400_0000;
export const UART0_BASE = 0x0900_0000;
export const UART0_SIZE = 0x1000;
export const RAM_BASE = 0x4000_0000;

/** INTIDs. SPI n is INTID 32 + n. */
export const INTID_UART0 = 33;
export const INTID_TIMER_VIRT = 27;
export const INTID_TIMER_PHYS = 30;

/** Generic timer frequency, Hz (QEMU 7.2 GTIMER_SCALE = 16 ns per tick). */
export const CNTFRQ_HZ = 62_500_000;
/** Nanoseconds per generic-timer tick. */
export const NS_PER_TICK = 16;

/** How many redistributors fit in the first region. */
export const GICR_REGION1_CPUS = GICR_SIZE / GICR_STRIDE;

/**
 * MPIDR_EL1 of CPU n on QEMU virt with GICv3: Aff0 = n % 16, Aff1 = n / 16 (clusters of
 * 16, GICv3's TargetList width), bit 31 RES1. QEMU hw/arm/virt.c virt_cpu_mp_affinity.
 */
export function mpidrOf(n: number): number {
  return (0x8000_0000 | (((n >> 4) & 0xff) << 8) | (n & 15)) >>> 0;
}
