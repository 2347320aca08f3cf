/**
 * How scripts and IDEs reach `kgdb-lab serve` (issue 9): the ready line and the command it
 * prints, --port 0 and --port-file, --json events, --once and its exit statuses, --unix
 * with a persistent server serving two gdb sessions in a row, and the flag combinations
 * refused. Real gdb-multiarch against the real server and guest, --icount.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { BUNDLED_IMAGE, assertGdbOk, interruptedContinue, killAll, parseInfoThreads, runGdb } from '../helpers/gdb';
import { GUEST_DIR } from '../helpers/guest-build';
import { STEADY } from '../helpers/bundled-kernel';
import { runCli } from '../cli/helpers';
import { READY_LINE, killServes, spawnServe, type ServeChild } from './serve-process';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-tools-'));
});
afterEach(async () => {
  await killAll();
  await killServes();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ALL_ROUNDED_UP = [
  [0, 'master'],
  [1, 'rounded up by NMI'],
  [2, 'rounded up by NMI'],
  [3, 'rounded up by NMI'],
];

/** The words of a command line with single-quoted arguments (as the ready line prints it). */
function shellWords(cmd: string): string[] {
  return [...cmd.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** Wait for the ready line and the guest's steady line (on stdout, or inside --json console events). */
async function ready(s: ServeChild): Promise<RegExpExecArray> {
  const m = await s.waitFor('ready line', () => READY_LINE.exec(s.stderr()) ?? undefined);
  await s.waitFor('steady console line', () => (STEADY.test(s.stdout()) ? true : undefined));
  return m;
}

// ---- the --json schema (README, "Machine-readable events") ----
type Check = (v: unknown) => boolean;
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const int: Check = (v) => Number.isInteger(v);
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const ints: Check = (v) => Array.isArray(v) && v.every(int);
const optional = (c: Check): Check => (v) => v === undefined || c(v);
const roundupCpu: Check = (v) =>
  matches(v, { cpu: int, role: (r) => ['master', 'slave', 'next-master', 'halted', 'none'].includes(r as string), state: str, takenAs: optional((t) => t === 'nmi' || t === 'irq'), latencyUs: optional(num), late: optional(bool) });
const roundup: Check = (v) => matches(v, { master: int, stopped: ints, notStopped: ints, timedOut: bool, cpus: (c) => Array.isArray(c) && c.every(roundupCpu) });
const SCHEMA: Record<string, Record<string, Check>> = {
  listening: { transport: (v) => v === 'tcp', host: str, port: int },
  connected: { peer: str },
  stopped: { cpu: int, signal: int, reason: str, detail: str, roundup },
  resumed: { step: bool },
  disconnected: { peer: str, reason: (v) => ['detach', 'kill', 'connection-lost', 'error'].includes(v as string) },
  console: { text: str },
  exited: { status: int, reason: str, detail: str },
};
/** Every key of `shape` passes its check, and the object has no other key. */
function matches(v: unknown, shape: Record<string, Check>): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Object.keys(o).every((k) => k in shape) && Object.entries(shape).every(([k, c]) => c(o[k]));
}

test('README.md documents every --json event and each of its keys', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Machine-readable events (`--json`)'));
  for (const [event, keys] of Object.entries(SCHEMA)) {
    const row = section.split('\n').find((l) => l.startsWith(`| \`${event}\` |`));
    expect({ event, row: row !== undefined }).toEqual({ event, row: true });
    for (const k of Object.keys(keys)) expect({ event, key: k, documented: row?.includes(`\`${k}\``) }).toEqual({ event, key: k, documented: true });
  }
});

test('ready line with --port 0 and --port-file; its gdb command attaches; --json events follow the schema; --once exits 0 after detach', async () => {
  const portFile = path.join(dir, 'port');
  const s = spawnServe(['--port', '0', '--port-file', portFile, '--once', '--json', '--scenario', 'hardlockup']);
  // The port file is written before the ready line (scripts read it when they see the line).
  const fileAtReady = await s.waitFor('ready line', () => (READY_LINE.test(s.stderr()) ? (fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8') : 'missing') : undefined));
  const [, where, attach] = await ready(s);
  const port = Number(/^127\.0\.0\.1:(\d+)$/.exec(where)?.[1]);
  expect(port).toBeGreaterThan(0);
  expect(fileAtReady).toBe(`${port}\n`);
  expect(fs.readFileSync(portFile, 'utf8')).toBe(`${port}\n`);
  expect(attach).toBe(`gdb-multiarch ${BUNDLED_IMAGE} -ex 'directory ${GUEST_DIR}' -ex 'set remotetimeout 30' -ex 'target remote :${port}'`);

  // The printed command, as a user pastes it (plus batch-mode commands).
  const [gdb, elf, ...exArgs] = shellWords(attach);
  expect(gdb).toBe('gdb-multiarch');
  const r = await runGdb({ connect: false, elf, preArgs: exArgs, commands: ['info threads', ...interruptedContinue(), 'detach'], interrupt: { delayMs: 300 } });
  assertGdbOk(r);
  expect(parseInfoThreads(r.stdout).map((t) => [t.cpu, t.extra])).toEqual(ALL_ROUNDED_UP);
  expect(await s.exited).toEqual({ status: 0, signal: null });
  expect(fs.existsSync(portFile)).toBe(false);

  // stdout is NDJSON only.
  const events = s.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const e of events) {
    const { event, timeUs, ...rest } = e;
    expect({ event, ok: typeof event === 'string' && event in SCHEMA && num(timeUs) && matches(rest, SCHEMA[event]) }).toEqual({ event, ok: true });
  }
  const times = events.map((e) => e.timeUs as number);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  const lifecycle = events.filter((e) => e.event !== 'console');
  expect(lifecycle.map((e) => e.event)).toEqual(['listening', 'connected', 'stopped', 'resumed', 'stopped', 'disconnected', 'exited']);
  expect(lifecycle[0]).toMatchObject({ transport: 'tcp', host: '127.0.0.1', port });
  const stops = lifecycle.filter((e) => e.event === 'stopped');
  for (const st of stops) {
    expect(st).toMatchObject({ cpu: 0, signal: 2, roundup: { master: 0, stopped: [0, 1, 2, 3], notStopped: [], timedOut: false } });
    const cpus = (st.roundup as { cpus: { cpu: number; state: string; takenAs?: string; latencyUs: number }[] }).cpus;
    expect(cpus.map((c) => [c.cpu, c.state])).toEqual(ALL_ROUNDED_UP);
    expect(cpus.slice(1).every((c) => c.takenAs === 'nmi' && c.latencyUs > 0)).toBe(true);
  }
  expect(lifecycle[5]).toMatchObject({ reason: 'detach' });
  expect(lifecycle[6]).toMatchObject({ status: 0, reason: 'session-ended:detach' });
  const consoleText = events.filter((e) => e.event === 'console').map((e) => e.text as string);
  expect(consoleText.some((t) => STEADY.test(t))).toBe(true);
  expect(consoleText.filter((t) => /KGDB: Entering KGDB/.test(t))).toHaveLength(2);
});

test('--json: monitor nmi-backtrace and monitor reset resume the machine, and say so', async () => {
  const s = spawnServe(['--port', '0', '--once', '--json', '--scenario', 'hardlockup']);
  const [, where] = await ready(s);
  const port = Number(/:(\d+)$/.exec(where)?.[1]);
  const r = await runGdb({ port, commands: ['monitor nmi-backtrace', 'monitor reset', ...interruptedContinue(), 'detach'], interrupt: { delayMs: 300 } });
  assertGdbOk(r);
  expect(r.stderr).toMatch(/NMI backtrace for cpu/); // monitor output: gdb's target output, on stderr
  expect(await s.exited).toEqual({ status: 0, signal: null });
  const events = s.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const lifecycle = events.filter((e) => e.event !== 'console').map((e) => e.event);
  // attach stop; nmi-backtrace: resumed, stopped; reset: resumed (the machine runs; gdb's
  // continue then only waits); Ctrl-C: stopped.
  expect(lifecycle).toEqual(['listening', 'connected', 'stopped', 'resumed', 'stopped', 'resumed', 'stopped', 'disconnected', 'exited']);
}, 120_000);

test('--once exits 3 when the connection drops without a detach', async () => {
  const s = spawnServe(['--port', '0', '--once', '--scenario', 'idle']);
  const [, where] = await ready(s);
  const sock = net.connect(Number(where.split(':')[1]), '127.0.0.1');
  let got = '';
  const stopReply = new Promise<void>((resolve) =>
    sock.on('data', (b) => {
      got += b.toString('latin1');
      if (/\$T02/.test(got)) resolve();
    }),
  );
  sock.write('$?#3f');
  await stopReply;
  sock.destroy();
  expect(await s.exited).toEqual({ status: 3, signal: null });
  expect(s.stderr()).toMatch(/^kgdb-lab: the gdb session ended \(connection-lost\); exiting \(--once\) with status 3$/m);
});

test('--unix: the ready line names the socket; a persistent server serves two gdb sessions in a row', async () => {
  const sock = path.join(dir, 'gdb.sock');
  const s = spawnServe(['--unix', sock, '--scenario', 'hardlockup']);
  const [, where, attach] = await ready(s);
  expect(where).toBe(`unix:${sock}`);
  expect(attach.endsWith(`-ex 'target remote ${sock}'`)).toBe(true);
  for (let session = 1; session <= 2; session++) {
    const r = await runGdb({ connect: false, commands: ['set remotetimeout 60', `target remote ${sock}`, 'info threads', 'detach'] });
    assertGdbOk(r);
    expect({ session, threads: parseInfoThreads(r.stdout).map((t) => [t.cpu, t.extra]) }).toEqual({ session, threads: ALL_ROUNDED_UP });
  }
  expect(s.stderr().match(/kgdb-lab: gdb detached; the machine runs on/g)).toHaveLength(2);
  expect(s.stdout().match(/KGDB: Entering KGDB/g)).toHaveLength(2);
  s.child.kill('SIGTERM');
  expect(await s.exited).toEqual({ status: 143, signal: null });
  expect(fs.existsSync(sock)).toBe(false);
});

test.each([
  [['--stdio', '--port', '1'], /^kgdb-lab: --stdio uses stdin\/stdout for gdb: it cannot be combined with --port$/],
  [['--stdio', '--json'], /^kgdb-lab: --stdio uses stdin\/stdout for gdb: it cannot be combined with --json$/],
  [['--unix', 'x.sock', '--host', '0.0.0.0', '--port-file', 'p'], /^kgdb-lab: --unix listens on a unix socket: it cannot be combined with --host, --port-file$/],
])('serve %j is refused with one line and status 2', async (args, message) => {
  const r = await runCli(['serve', ...args], { closeStdin: true });
  expect({ status: r.status, stderr: r.stderrLines }).toEqual({ status: 2, stderr: [expect.stringMatching(message)] });
});

test('an unwritable --trace-out is refused before the machine runs', async () => {
  const file = path.join(dir, 'missing-dir', 'trace.json');
  const r = await runCli(['serve', '--port', '0', '--trace-out', file], { closeStdin: true });
  expect({ status: r.status, stderr: r.stderrLines }).toEqual({ status: 2, stderr: [`kgdb-lab: --trace-out ${file}: cannot write it (ENOENT)`] });
});

test('an unwritable --port-file is refused with one line and status 2 before anything listens', async () => {
  const file = path.join(dir, 'missing-dir', 'port');
  const r = await runCli(['serve', '--port', '0', '--port-file', file], { closeStdin: true });
  expect({ status: r.status, stderr: r.stderrLines }).toEqual({ status: 2, stderr: [`kgdb-lab: --port-file ${file}: cannot write it (ENOENT)`] });
  expect(fs.existsSync(path.dirname(file))).toBe(false);
});

test('--unix refuses to replace an existing file', async () => {
  const existing = path.join(dir, 'taken');
  fs.writeFileSync(existing, 'keep me');
  const r = await runCli(['serve', '--unix', existing], { closeStdin: true });
  expect(r.status).toBe(2);
  expect(r.stderrLines).toEqual([`kgdb-lab: --unix ${existing}: the path exists; remove it first (kgdb-lab never replaces a file)`]);
  expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');
});
