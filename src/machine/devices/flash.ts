import type { MmioDevice } from '../bus';

/**
 * The boot flash at 0 on QEMU virt (two 64 MiB pflash banks). With no -bios image QEMU's
 * flash holds zeros and stays in read-array mode: reads return 0 and an instruction fetched
 * there is 0x00000000 (UDF #0, so executing it is UNDEFINED: ESR EC 0), measured on QEMU 7.2.
 * CFI programming commands are not modelled: writes are ignored.
 */
export class Flash implements MmioDevice {
  read(): number {
    return 0;
  }
  write(): void {}
  peek(): number {
    return 0;
  }
}
