/**
 * `--step-mode` through real gdb (issue 5). Under `kgdb` (the default) a step runs only the
 * master and the other CPUs stay parked whatever gdb's vCont asks, as Linux kgdb does.
 * Under `gdb` a step with `set scheduler-locking off` (gdb sends vCont;s:N;c) releases the
 * other CPUs for the step and rounds them up again afterwards through the guest's SGI, as a
 * fresh debugger entry would; `set scheduler-locking step` (vCont;s:N) keeps them parked.
 *
 * The bundled guest's hardlockup scenario makes "did the others run?" visible: CPUs 0 and 3
 * compute kgdb_lab_compute_result[0] and [3] without pause, thousands of times a quantum.
 */
import { assertGdbOk, killAll, parseInfoThreadsAll, runGdb, startServe, type ServeOptions } from '../helpers/gdb';
import { SNAPSHOT, snapshots, type Snapshot } from '../helpers/gdb-snapshot';

afterEach(killAll);

/** Stop at default_idle_call (CPU 1, the idle CPU), then stepi with scheduler-locking `step`, then twice with `off`. */
async function stepSession(serve: ServeOptions): Promise<{ out: string; stderr: string; snaps: Snapshot[]; console: string }> {
  const server = await startServe({ scenario: 'hardlockup', ...serve, extraArgs: ['--trace-rsp', ...(serve.extraArgs ?? [])] });
  const r = await runGdb({
    port: server.port,
    commands: [
      'break default_idle_call',
      'continue',
      'delete',
      ...SNAPSHOT,
      'set scheduler-locking step',
      'stepi',
      ...SNAPSHOT,
      'set scheduler-locking off',
      'stepi',
      ...SNAPSHOT,
      'info threads',
      'monitor events',
      'stepi',
      ...SNAPSHOT,
      'info threads',
      'detach',
    ],
  });
  await server.stop();
  assertGdbOk(r, server);
  return { out: r.output, stderr: server.stderr(), snaps: snapshots(r.stdout), console: server.console() };
}

/** The vCont packets gdb sent for the three steps. */
function stepPackets(stderr: string): string[] {
  return [...stderr.matchAll(/^rsp <- \$(vCont;s[^\n]*)$/gm)].map((m) => m[1]);
}

test('kgdb and gdb step modes: with scheduler-locking off only gdb mode lets the other CPUs run during a step, then rounds them up again', async () => {
  const [kgdb, gdb] = [await stepSession({ extraArgs: ['--step-mode', 'kgdb'] }), await stepSession({ extraArgs: ['--step-mode', 'gdb'] })];
  for (const s of [kgdb, gdb]) {
    expect(s.snaps).toHaveLength(4);
    // gdb asks the same in both modes: the master alone, then the master with the others continuing.
    expect(stepPackets(s.stderr)).toEqual(['vCont;s:2', 'vCont;s:2;c', 'vCont;s:2;c']);
    // The master (CPU 1) moved by one instruction at each step.
    for (let i = 1; i < 4; i++) expect(s.snaps[i].pcs.get(1)).not.toBe(s.snaps[i - 1].pcs.get(1));
    // scheduler-locking step: nobody else ran, in either mode.
    for (const cpu of [0, 2, 3]) expect({ cpu, pc: s.snaps[1].pcs.get(cpu) }).toEqual({ cpu, pc: s.snaps[0].pcs.get(cpu) });
    expect(s.snaps[1].results).toEqual(s.snaps[0].results);
  }
  // kgdb mode: the others stay parked whatever vCont asks.
  expect(new Set(kgdb.snaps.map((x) => x.results.join())).size).toBe(1);
  for (const cpu of [0, 2, 3]) expect(new Set(kgdb.snaps.map((x) => x.pcs.get(cpu))).size).toBe(1);
  // gdb mode: CPUs 0 and 3 computed during each unlocked step...
  for (const i of [2, 3]) {
    const [before, after] = [gdb.snaps[i - 1].results, gdb.snaps[i].results];
    expect({ step: i, cpu0: after[0] !== before[0], cpu3: after[3] !== before[3] }).toEqual({ step: i, cpu0: true, cpu3: true });
  }
  // ...and were rounded up again afterwards by a new roundup through the guest's SGI.
  for (const t of parseInfoThreadsAll(gdb.out)) {
    expect(t.map((row) => [row.cpu, row.extra])).toEqual([
      [0, 'rounded up by NMI'],
      [1, 'master'],
      [2, 'rounded up by NMI'],
      [3, 'rounded up by NMI'],
    ]);
  }
  // `monitor events` after the first unlocked step: in gdb mode the record of that stop
  // starts with the release and has a new roundup; in kgdb mode it is still the breakpoint's.
  const events = (out: string): string[] => [...out.matchAll(/^\s+[\d.]+ µs\s+CPU (\d+)\s+(\S+)/gm)].map((m) => `${m[2]} ${m[1]}`);
  const g = events(gdb.out);
  expect(g[0]).toBe('released 1');
  for (const cpu of [0, 2, 3]) expect(g).toEqual(expect.arrayContaining([`entered-slave ${cpu}`]));
  expect(g.filter((e) => e.startsWith('sgi-sent')).length).toBe(3);
  const k = events(kgdb.out);
  expect(k[0]).toBe('entered-master 1');
  expect(k).not.toContain('released 1');
}, 120_000);

test('gdb step mode with the IPI fallback: the hard-locked CPU cannot be rounded up again and shows so; each step waits the roundup timeout', async () => {
  const server = await startServe({ scenario: 'hardlockup', roundup: 'ipi', roundupTimeoutMs: 100, extraArgs: ['--step-mode', 'gdb'] });
  const r = await runGdb({
    port: server.port,
    commands: ['break default_idle_call', 'continue', 'delete', 'set scheduler-locking off', 'stepi', 'info threads', 'stepi', 'info threads', 'detach'],
  });
  await server.stop();
  assertGdbOk(r, server);
  const tables = parseInfoThreadsAll(r.stdout);
  expect(tables).toHaveLength(2);
  for (const t of tables) {
    expect(t.map((row) => [row.cpu, row.extra])).toEqual([
      [0, 'rounded up by IPI'],
      [1, 'master'],
      [2, 'not rounded up (IRQs masked, timed out)'],
      [3, 'rounded up by IPI'],
    ]);
    expect(t[2].frame).toBe('<unavailable> in ?? ()');
  }
  // The breakpoint's roundup and the one after each step timed out on CPU 2.
  expect(server.console().match(/\[cpu1\] KGDB: Timed out waiting for secondary CPUs\./g)?.length).toBe(3);
}, 60_000);
