/**
 * QEMU-only: pins what QEMU 7.2 (the oracle) does in corners the differential tests avoid
 * on purpose (guest/tests/qemu_facts.c): unaligned accesses with SCTLR_EL1.A=0 and the MMU
 * off, FP instructions with CPACR_EL1.FPEN=0, DC ZVA, SP alignment, virtio-mmio and PL011
 * ID registers, HVC immediates. kgdb-lab is not compared here; the emulator authors decide
 * which of these to reproduce. If QEMU is upgraded and this fails, re-read the facts.
 */
import { buildGuestTests, testElf } from '../helpers/guest-build';
import { runQemu } from '../helpers/qemu';

const EXPECTED = [
  'SCTLR_EL1 at reset (runtime sets A=1): c50838',
  'MIDR_EL1: 411fd070  CPACR_EL1: 0  DCZID_EL0: 4',
  'A=0: ldr x at +1 -> 807060504030201',
  'A=0: ldr x at +1                         no exception',
  'A=0: str w at +3                         no exception',
  'A=0: ldxr x at +4                        esr=96000021',
  'A=0: ldar w at +2                        esr=96000021',
  'fmov d0, x1 (FP disabled)                esr=1fe00000',
  'dc zva on RAM, MMU off                   no exception',
  'ldr [sp] with sp % 16 == 8 (SA=1)        no exception',
  'virtio-mmio 0x0a000000: magic=74726976 version=1 device=0 vendor=554d4551',
  'pl011: FR=90 CR=300 IMSC=0 PeriphID=11 10 14 0 CellID=d f0 5 b1',
  'hvc #0x1234 with PSCI_VERSION: x0=10001',
  '-- end of test --',
];

beforeAll(() => buildGuestTests());

it('QEMU 7.2 behaves as recorded in the corners kgdb-lab may treat differently', async () => {
  const r = await runQemu({ elf: testElf('qemu_facts') });
  expect(r.status).toBe(0);
  expect(r.stdout.toString('latin1').split('\n').slice(0, -1)).toEqual(EXPECTED);
});
