/**
 * Ground truth for backtraces of the hardlockup scenario on 4 CPUs, from stock gdb attached
 * to QEMU's own gdbstub (test/helpers/gdb-ground-truth.ts): every CPU's `thread apply all
 * bt` reaches its entry point without "Backtrace stopped", passing through the workload
 * chain recorded in test/fixtures/ground-truth/hardlockup-4.json. Re-derived on each run;
 * if the guest changes on purpose, regenerate the fixture with
 *   npx ts-node --transpile-only test/helpers/gdb-ground-truth.ts --write
 */
import * as fs from 'fs';
import { HARDLOCKUP_4_BOOTARGS, HARDLOCKUP_4_FIXTURE, deriveHardlockup4, type GroundTruth } from '../helpers/gdb-ground-truth';

const fixture = JSON.parse(fs.readFileSync(HARDLOCKUP_4_FIXTURE, 'utf8')) as GroundTruth;

it('the fixture describes hardlockup on 4 CPUs, each chain ending at an entry point', () => {
  expect(fixture).toMatchObject({ scenario: 'hardlockup', cpus: 4, bootargs: HARDLOCKUP_4_BOOTARGS });
  expect(Object.keys(fixture.chains).sort()).toEqual(['0', '1', '2', '3']);
  expect(fixture.chains['0'][fixture.chains['0'].length - 1]).toBe('_start');
  for (const cpu of ['1', '2', '3']) expect(fixture.chains[cpu][fixture.chains[cpu].length - 1]).toBe('secondary_entry');
});

it('gdb on QEMU shows every CPU in its recorded call chain', async () => {
  const { truth, run } = await deriveHardlockup4();
  if (JSON.stringify(truth.chains) !== JSON.stringify(fixture.chains)) {
    throw new Error(
      `backtraces differ from ${HARDLOCKUP_4_FIXTURE}\nnow:      ${JSON.stringify(truth.chains)}\n` +
        `recorded: ${JSON.stringify(fixture.chains)}\n\n${run.gdbOutput}`,
    );
  }
  expect(run.gdbOutput).not.toMatch(/corrupt stack|Backtrace stopped/);
}, 60_000);
