/**
 * Issue 7, `kgdb-lab serve` input checks: bad CLI input gets one clear line on stderr and
 * exit status 2, before anything starts (no ready line, no guest output); the listening
 * address is loopback unless --host says otherwise, and then a warning is printed once.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { requireBuild, runCli, tempDir, x86_64Elf } from './helpers';

beforeAll(requireBuild);

/** Exactly one `kgdb-lab: …` line, exit 2, nothing started. */
async function expectUsageError(args: string[], message: RegExp): Promise<void> {
  const r = await runCli(['serve', '--port', '0', '--timeout', '5', ...args], { closeStdin: true });
  expect({ args, status: r.status, lines: r.stderrLines }).toEqual({ args, status: 2, lines: [expect.stringMatching(/^kgdb-lab: /)] });
  expect(r.stderrLines[0]).toMatch(message);
  expect(r.stdout.length).toBe(0); // the guest never ran
}

test('an unknown scenario', async () => {
  await expectUsageError(['--scenario', 'nosuch'], /scenario.*nosuch/);
});

test('--cpus 0 and --cpus 100000', async () => {
  await expectUsageError(['--cpus', '0'], /--cpus must be a whole number from 1 to 256, got '0'/);
  await expectUsageError(['--cpus', '100000'], /--cpus must be a whole number from 1 to 256, got '100000'/);
});

test('an unreadable, a missing, a non-ELF and a non-AArch64 kernel', async () => {
  const t = tempDir();
  try {
    const junk = path.join(t.dir, 'junk.elf');
    fs.writeFileSync(junk, 'not an elf at all\n');
    const x86 = path.join(t.dir, 'x86.elf');
    fs.writeFileSync(x86, x86_64Elf());
    await expectUsageError(['--kernel', t.dir], /cannot read kernel .*not a regular file/);
    await expectUsageError(['--kernel', path.join(t.dir, 'missing.elf')], /cannot read kernel .*no such file/);
    await expectUsageError(['--kernel', junk], /not an ELF file/);
    await expectUsageError(['--kernel', x86], /not an AArch64 ELF/);
  } finally {
    t.remove();
  }
});

test('a port in use, and a port out of range', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await runCli(['serve', '--port', String(port), '--timeout', '5'], { closeStdin: true });
    expect({ status: r.status, lines: r.stderrLines }).toEqual({ status: 2, lines: [`kgdb-lab: port ${port} on 127.0.0.1 is in use (try --port 0)`] });
    expect(r.stdout.length).toBe(0);
  } finally {
    blocker.close();
  }
  await expectUsageError(['--port', '65536'], /--port must be a whole number from 0 to 65535/);
});

test('loopback by default with no warning; another --host warns once, after it listens', async () => {
  const local = await runCli(['serve', '--port', '0', '--timeout', '0.5', '--log-level', 'warn'], { closeStdin: true });
  expect(local.stderr).toMatch(/^kgdb-lab: listening for gdb on 127\.0\.0\.1:\d+;/m);
  expect(local.stderr).not.toMatch(/warning/);

  const any = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--timeout', '0.5', '--log-level', 'warn'], { closeStdin: true });
  const warnings = any.stderrLines.filter((l) => /warning/.test(l));
  expect(warnings).toEqual(['kgdb-lab: warning: listening on 0.0.0.0: anyone who can reach this port controls the guest (reads and writes all its memory)']);
  expect(any.stderr).toMatch(/listening for gdb on 0\.0\.0\.0:\d+/);
  // The attach command names this machine, not the wildcard address, and gdb can use it.
  const port = /listening for gdb on 0\.0\.0\.0:(\d+)/.exec(any.stderr)?.[1];
  expect(any.stderr).toContain(`-ex 'target remote ${os.hostname()}:${port}'`);

  // An address that cannot be bound: the error alone, no warning.
  const bad = await runCli(['serve', '--host', '256.1.1.1', '--port', '0', '--timeout', '5'], { closeStdin: true });
  expect({ status: bad.status, lines: bad.stderrLines }).toEqual({ status: 2, lines: [expect.stringMatching(/^kgdb-lab: cannot listen on 256\.1\.1\.1/)] });
});

test('a unix socket in a directory that does not exist: ENOENT named, exit code 2', async () => {
  const r = await runCli(['serve', '--unix', '/nonexistent-kgdb-lab-dir/sock', '--timeout', '5'], { closeStdin: true });
  expect({ status: r.status, lines: r.stderrLines }).toEqual({
    status: 2,
    lines: ['kgdb-lab: cannot listen on /nonexistent-kgdb-lab-dir/sock: directory /nonexistent-kgdb-lab-dir does not exist (ENOENT)'],
  });
});
