import type { Cpu } from './cpu/cpu';

/** PSCI function IDs (Arm DEN 0022, PSCI 1.1 §5; the SMC32 and SMC64 forms). */
export const PSCI_VERSION = 0x8400_0000;
export const PSCI_CPU_SUSPEND_32 = 0x8400_0001;
export const PSCI_CPU_SUSPEND_64 = 0xc400_0001;
export const PSCI_CPU_OFF = 0x8400_0002;
export const PSCI_CPU_ON_32 = 0x8400_0003;
export const PSCI_CPU_ON_64 = 0xc400_0003;
export const PSCI_AFFINITY_INFO_32 = 0x8400_0004;
export const PSCI_AFFINITY_INFO_64 = 0xc400_0004;
export const PSCI_MIGRATE_INFO_TYPE = 0x8400_0006;
export const PSCI_SYSTEM_OFF = 0x8400_0008;
export const PSCI_SYSTEM_RESET = 0x8400_0009;
export const PSCI_FEATURES = 0x8400_000a;

/** PSCI return codes (signed 32-bit, returned sign-extended in X0). */
export const PSCI_SUCCESS = 0;
export const PSCI_NOT_SUPPORTED = -1;
export const PSCI_INVALID_PARAMETERS = -2;
export const PSCI_ALREADY_ON = -4;

/** Version 1.1, as QEMU 7.2 reports (major << 16 | minor). */
const VERSION_1_1 = 0x0001_0001;

/** What PSCI needs from the board. */
export interface PsciPlatform {
  /** The CPU whose MPIDR affinity (Aff2..Aff0, bits [23:0]) is exactly `mpidr`, if any. */
  cpuByMpidr(mpidr: bigint): Cpu | undefined;
  /** Power on `target` at `entry` (bytes) with X0 = contextId, as if reset. */
  powerOn(target: Cpu, entry: bigint, contextId: bigint): void;
  powerOff(c: Cpu): void;
  isOn(c: Cpu): boolean;
  systemOff(by: Cpu): void;
  systemReset(by: Cpu): void;
  /** CPU_SUSPEND: QEMU treats it as WFI. */
  suspend(c: Cpu): void;
}

/**
 * The PSCI firmware interface as QEMU implements it for `virt` over HVC
 * (QEMU target/arm/psci.c arm_handle_psci_call): a function ID in X0, arguments in X1–X3,
 * the result in X0. Unknown function IDs return NOT_SUPPORTED with no exception.
 */
export class Psci {
  constructor(private readonly platform: PsciPlatform) {}

  /** Handle `hvc #imm` from EL1 on CPU `c`. The immediate is ignored, as QEMU does. */
  call(c: Cpu): void {
    const fn = c.lo[0] >>> 0;
    const is64 = (fn & 0x4000_0000) !== 0;
    const arg = (i: number): bigint => (is64 ? c.getX(i) : BigInt(c.lo[i] >>> 0));
    const ret = (v: number): void => c.setX(0, BigInt.asUintN(64, BigInt(v)));
    // PSCI uses only W0 for the function ID; the upper half of X0 is ignored.
    switch (fn) {
      case PSCI_VERSION:
        return ret(VERSION_1_1);
      case PSCI_MIGRATE_INFO_TYPE:
        return ret(2); // no Trusted OS that needs migration
      case PSCI_FEATURES:
        return ret(this.supported(c.lo[1] >>> 0) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED);
      case PSCI_CPU_ON_32:
      case PSCI_CPU_ON_64: {
        const target = this.platform.cpuByMpidr(arg(1));
        if (!target) return ret(PSCI_INVALID_PARAMETERS);
        // An AArch64 entry point must be 4-byte aligned (QEMU arm-powerctl.c arm_set_cpu_on).
        if ((arg(2) & 3n) !== 0n) return ret(PSCI_INVALID_PARAMETERS);
        if (this.platform.isOn(target)) return ret(PSCI_ALREADY_ON);
        this.platform.powerOn(target, arg(2), arg(3));
        return ret(PSCI_SUCCESS);
      }
      case PSCI_AFFINITY_INFO_32:
      case PSCI_AFFINITY_INFO_64: {
        // Above affinity level 0 (clusters) everything is always on, as QEMU answers.
        if (arg(2) !== 0n) return ret(0);
        const target = this.platform.cpuByMpidr(arg(1));
        if (!target) return ret(PSCI_INVALID_PARAMETERS);
        return ret(this.platform.isOn(target) ? 0 : 1);
      }
      case PSCI_CPU_OFF:
        this.platform.powerOff(c);
        return ret(PSCI_SUCCESS);
      case PSCI_CPU_SUSPEND_32:
      case PSCI_CPU_SUSPEND_64:
        ret(PSCI_SUCCESS);
        return this.platform.suspend(c);
      case PSCI_SYSTEM_OFF:
        return this.platform.systemOff(c);
      case PSCI_SYSTEM_RESET:
        return this.platform.systemReset(c);
      default:
        return ret(PSCI_NOT_SUPPORTED);
    }
  }

  private supported(fn: number): boolean {
    return [
      PSCI_VERSION, PSCI_CPU_SUSPEND_32, PSCI_CPU_SUSPEND_64, PSCI_CPU_OFF, PSCI_CPU_ON_32, PSCI_CPU_ON_64,
      PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64, PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET,
      PSCI_FEATURES,
    ].includes(fn);
  }
}
