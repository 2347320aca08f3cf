/**
 * gdb-scripts/kgdb-cpus.py (issue 6): the `kgdb-cpus` command, the `$kgdb_cpu(N, "COLUMN")`
 * convenience function and the Python `kgdb_cpus()` in a scripted (batch) gdb session
 * against `kgdb-lab serve --roundup ipi` on hardlockup, where CPU 2 is not rounded up.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from '../helpers/guest-build';
import { assertGdbOk, killAll, runGdb, startServe } from '../helpers/gdb';

afterEach(killAll);

test('kgdb-cpus prints the CPU table; $kgdb_cpu and kgdb_cpus() read it in scripts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-cpus-'));
  const script = path.join(dir, 'session.gdb');
  fs.writeFileSync(
    script,
    [
      `source ${path.join(ROOT, 'gdb-scripts', 'kgdb-cpus.py')}`,
      'kgdb-cpus CPU state roundup',
      'if $_streq($kgdb_cpu(2, "roundup"), "timed out")',
      '  echo @@cpu2 timed out@@\\n',
      'end',
      'python print("@@" + ",".join(r["state"] for r in kgdb_cpus()) + "@@")',
      'kgdb-cpus nope',
      '',
    ].join('\n'),
  );
  const server = await startServe({ scenario: 'hardlockup', roundup: 'ipi', icountShift: 8 });
  try {
    const r = await runGdb({ port: server.port, scripts: [script] });
    assertGdbOk({ ...r, status: 0 }, server); // the last command fails on purpose: batch gdb exits 1
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => /^CPU\s+state\s+roundup$/.test(l));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at + 1, at + 5).map((l) => l.split(/\s{2,}/))).toEqual([
      ['0', 'master', 'master'],
      ['1', 'rounded up by IPI', 'irq'],
      ['2', 'not rounded up (IRQs masked, timed out)', 'timed out'],
      ['3', 'rounded up by IPI', 'irq'],
    ]);
    expect(r.stdout).toContain('@@cpu2 timed out@@');
    expect(r.stdout).toContain('@@master,rounded up by IPI,not rounded up (IRQs masked, timed out),rounded up by IPI@@');
    expect(r.stderr).toMatch(/kgdb-cpus: no column nope; columns: CPU thread state PC I PMR RPR roundup arrived ESR FAR ELR SPSR VBAR SCTLR/);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
