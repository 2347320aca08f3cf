/**
 * A property-based fuzzer for the RSP server (issue 7), with fast-check, against a live
 * `kgdb-lab serve` running the bundled guest (hardlockup, 4 CPUs).
 *
 * Each case opens a connection, sends one input and drops the connection. Inputs come
 * from three generators, mixed:
 * - random bytes;
 * - packets built from the real grammar (every packet the stub parses, with random and
 *   boundary arguments, framed correctly or with bad checksums, `}` escapes, run-length
 *   encoding, split at random points, interleaved with acks, NAKs, 0x03 and noise);
 * - mutated captures of a real gdb session (test/fixtures/rsp/gdb-session.json, recorded
 *   with --trace-rsp): windows of it with tokens dropped, duplicated, swapped, truncated or
 *   corrupted.
 * The properties: the server process stays up, every case's connection is served (the
 * server answers or closes, it never wedges), and every `healthEvery` cases, and at the end,
 * a fresh connection's `?` gets a well-formed stop reply and `g` the 788-byte register file.
 * The server's resident memory is sampled at each health check and must stay within
 * `rssGrowthLimitMiB` of the first sample.
 *
 * Inputs are sanitized so the fuzzer attacks the stub, not the guest: memory writes go to
 * unassigned memory, flash, devices or a scratch page at the top of RAM the guest never
 * uses, register writes only to registers that are not modelled or do not exist, and
 * breakpoints only into a few workload functions (a `brk` planted in the exception entry
 * path would hang the guest exactly as it hangs Linux, which is not what is tested here).
 *
 * Used by test/rsp/fuzz.test.ts (a few seconds in `make test`) and test/fuzz/run.ts
 * (`make fuzz FUZZ_SECONDS=600`).
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { findSymbol, loadElfFile } from '../../src/loader/elf';
import { BUNDLED_IMAGE, killAll, startServe, type ServeProcess } from '../helpers/gdb';
import { RspClient, frame } from '../rsp/rsp-client';

export interface FuzzOptions {
  /** How long to generate cases, host seconds (the final health check comes after). */
  seconds: number;
  /** fast-check seed (random when absent); printed so a failure can be replayed. */
  seed?: number;
  /** A full health check every this many cases. Default 25. */
  healthEvery?: number;
  /** Allowed RSS growth of the server between the first and any later sample, MiB. Default 128. */
  rssGrowthLimitMiB?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  /** Cases run (fast-check runs, shrinking included). */
  cases: number;
  /** Cases per generator. */
  byKind: Record<InputKind, number>;
  healthChecks: number;
  rssFirstKiB: number;
  rssLastKiB: number;
  rssMaxKiB: number;
  /** fast-check's failure report, or undefined when every property held. */
  failure: string | undefined;
}

type InputKind = 'bytes' | 'grammar' | 'capture';
interface FuzzInput {
  kind: InputKind;
  /** What to write, in order (each element one socket write). */
  chunks: Buffer[];
}

/** Top 64 KiB of the default 256 MiB of RAM: the guest never touches it. */
const SCRATCH = 0x4fff0000;
const RAM_END = 0x50000000;
/** Functions the guest runs all the time, where a breakpoint is harmless. */
const BREAKPOINT_FUNCTIONS = ['checksum_block', 'default_idle_call', 'busy_compute_loop', 'recurse_deeply', 'cpu_startup_entry', 'do_idle'];

/** Addresses the generators use, resolved from the guest image. */
interface Addresses {
  text: number[];
  data: number;
}

function addresses(): Addresses {
  const img = loadElfFile(BUNDLED_IMAGE);
  const text = BREAKPOINT_FUNCTIONS.map((n) => findSymbol(img, n)?.value).filter((v): v is number => v !== undefined);
  const data = findSymbol(img, 'kgdb_lab_compute_result')!.value;
  return { text, data };
}

const h = (n: number | bigint): string => n.toString(16);
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// ---- the grammar ----

function grammarPackets(a: Addresses): fc.Arbitrary<string> {
  const readAddr = fc.oneof(
    fc.constantFrom(0, 0x08000000, 0x09000000, 0x30000000, 0x40000000, a.data, SCRATCH, RAM_END - 4, RAM_END, ...a.text).map(h),
    fc.bigUint(2n ** 64n - 1n).map(h),
    fc.constantFrom('', 'zz', '-1', 'ffffffffffffffffff', '0x10'),
  );
  const writeAddr = fc.oneof(
    fc.constantFrom(0, 0x08000000, 0x09000000, 0x30000000, RAM_END - 2, RAM_END).map(h),
    fc.integer({ min: 0, max: 0xff00 }).map((o) => h(SCRATCH + o)),
    fc.bigUint(2n ** 64n - 1n).filter((v) => v < 0x40000000n || v >= BigInt(RAM_END)).map(h),
  );
  const len = fc.oneof(fc.integer({ min: 0, max: 64 }).map(h), fc.constantFrom('4000', '3fff', '2000', 'ffffffff', 'ffffffffffffffff', '1ffffffffffffffffff', '', 'q'));
  const bytes = fc.uint8Array({ maxLength: 48 });
  const tid = fc.oneof(fc.constantFrom('-1', '0', '1', '2', '3', '4', '5', 'p1.1', 'p1.-1', 'ffffffff', ''), fc.integer({ min: 0, max: 300 }).map(h));
  const bpAddr = fc.oneof(fc.constantFrom(...a.text).map(h), fc.constantFrom(0x30000000, 0, SCRATCH, a.text[0] + 2).map(h), fc.bigUint(2n ** 64n - 1n).filter((v) => v < 0x40000000n || v >= BigInt(RAM_END)).map(h));
  const word = fc.stringMatching(/^[\x20-\x7e]{0,24}$/).map((s) => s.replace(/[$#}*]/g, '_'));
  return fc.oneof(
    fc.constantFrom('?', 'g', 'qC', 'qfThreadInfo', 'qsThreadInfo', 'qAttached', 'vCont?', 'vMustReplyEmpty', 'QStartNoAckMode', 'qOffsets', 'qSymbol::', 'c', 's', 'C05', 'S02', 'vCont;c', 'vCont;s:1;c', 'vCont;t', 'vCont;r40200000,40200010', 'vCont;x', 'vCont;c:9', 'D', 'k', '!', 'R00', 'i', 'I', 'A', 'bc', 'bs', 'r', 'QNonStop:1', 'QThreadEvents:1', 'vStopped', 'qTStatus', 'vKill;1', 'vAttach;1'),
    fc.tuple(readAddr, len).map(([ad, l]) => `m${ad},${l}`),
    fc.tuple(readAddr, len).map(([ad, l]) => `x${ad},${l}`),
    fc.tuple(writeAddr, bytes, fc.integer({ min: -2, max: 2 })).map(([ad, d, off]) => `M${ad},${h(Math.max(0, d.length + off))}:${hexOf(d)}`),
    fc.tuple(writeAddr, bytes).map(([ad, d]) => `X${ad},${h(d.length)}:${Buffer.from(d).toString('latin1')}`),
    fc.oneof(fc.integer({ min: 0, max: 2000 }).filter((n) => n % 2 === 1 || n > 1576).map((n) => `G${'0'.repeat(n)}`), fc.constant(`G${'x'.repeat(1576)}`)),
    fc.oneof(fc.integer({ min: 0, max: 0x50 }).map(h), fc.bigUint(2n ** 80n).map(h), fc.constantFrom('', 'zz', '-1')).map((r) => `p${r}`),
    fc.tuple(fc.oneof(fc.integer({ min: 0x22, max: 0x60 }).map(h), fc.constantFrom('ffff', '', 'zz')), fc.hexaString({ maxLength: 40 })).map(([r, v]) => `P${r}=${v}`),
    fc.tuple(fc.integer({ min: 0, max: 0x21 }).map(h), fc.constantFrom('', '00', '0', 'zz', '00'.repeat(9))).map(([r, v]) => `P${r}=${v}`),
    fc.tuple(fc.constantFrom('g', 'c', 'x', ''), tid).map(([op, t]) => `H${op}${t}`),
    tid.map((t) => `T${t}`),
    tid.map((t) => `qThreadExtraInfo,${t}`),
    fc.tuple(fc.constantFrom('Z', 'z'), fc.integer({ min: 0, max: 6 }), bpAddr, fc.constantFrom('4', '2', '0', '8', 'ffffffff', '')).map(([l, t, ad, k]) => `${l}${t},${ad},${k}`),
    fc.array(word, { maxLength: 6 }).map((f) => `qSupported:${f.join(';')}`),
    fc.tuple(fc.constantFrom('features', 'threads', 'auxv', 'exec-file', 'libraries', 'memory-map', ''), fc.constantFrom('read', 'write', ''), fc.constantFrom('target.xml', '', '../../etc/passwd', 'x.xml'), fc.oneof(fc.integer({ min: 0, max: 0x3000 }).map(h), fc.constant('ffffffffffff'), fc.constant('')), len).map(
      ([o, op, annex, off, l]) => `qXfer:${o}:${op}:${annex}:${off},${l}`,
    ),
    fc.oneof(fc.constantFrom('help', 'cpus', 'events', 'cpus extra', ''), word).map((cmd) => `qRcmd,${Buffer.from(cmd).toString('hex')}`),
    fc.tuple(fc.constantFrom('q', 'Q', 'v'), word).map(([p, w]) => `${p}${w}`),
    word,
  );
}

/** Frame a payload, sometimes badly: wrong checksum, escapes, run-length encoding, upper-case checksum. */
function framed(payload: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  return fc.tuple(payload, fc.nat(99), fc.nat(255)).map(([p, how, r]) => {
    const body = Buffer.from(p, 'latin1');
    if (how < 70) return frame(body);
    if (how < 80) {
      const f = frame(body);
      f.write(h((parseInt(f.subarray(-2).toString(), 16) + 1 + (r % 255)) & 0xff).padStart(2, '0'), f.length - 2, 'latin1');
      return f;
    }
    if (how < 88) {
      // Escape one byte (any byte may be escaped; the stub decodes escapes for every packet).
      const i = body.length === 0 ? 0 : r % body.length;
      return frame(Buffer.concat([body.subarray(0, i), Buffer.from([0x7d, (body[i] ?? 0x20) ^ 0x20]), body.subarray(i + 1)]));
    }
    // Run-length: the previous byte repeated (count char from 29+3), sometimes a bad count.
    // Not on register writes: repeating the last digit of a deliberately broken `G`/`P`
    // can complete it into a valid write of zeros that crashes the guest.
    if (how < 94 && !/^[GP]/.test(p)) {
      return frame(Buffer.concat([body, Buffer.from([0x2a, how < 92 ? 0x20 + (r % 60) : r])]));
    }
    return Buffer.from(frame(body).toString('latin1').toUpperCase(), 'latin1');
  });
}

const noise = fc.oneof(
  fc.constantFrom('+', '-', '\x03', '$', '#', '}', '*', '##00', '$#00', '\x00', '\xff'),
  fc.stringMatching(/^[^$]{0,16}$/),
).map((s) => Buffer.from(s, 'latin1'));

/** Split `data` into chunks at random points (the stub must reassemble across reads). */
function chunked(parts: fc.Arbitrary<Buffer[]>): fc.Arbitrary<Buffer[]> {
  return fc.tuple(parts, fc.array(fc.nat(), { maxLength: 4 })).map(([ps, cuts]) => {
    const all = Buffer.concat(ps);
    const points = [...new Set(cuts.map((c) => (all.length === 0 ? 0 : c % all.length)))].sort((x, y) => x - y);
    const out: Buffer[] = [];
    let prev = 0;
    for (const p of points) {
      if (p > prev) out.push(all.subarray(prev, p));
      prev = p;
    }
    out.push(all.subarray(prev));
    return out;
  });
}

// ---- captures ----

type CaptureToken = { packet: string } | { ack: string } | { interrupt: true };

function loadCapture(): CaptureToken[] {
  const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'rsp', 'gdb-session.json'), 'utf8')) as { tokens: CaptureToken[] };
  return doc.tokens;
}

/**
 * Keep a mutated packet off the guest (see the module comment): redirect memory writes to
 * the scratch page, drop register writes and addresses on resumes, and move breakpoints
 * outside the safe functions onto one of them.
 */
export function sanitize(p: string, a: Addresses): string {
  const c = p[0];
  if (c === 'M' || c === 'X') return `${c}${h(SCRATCH)}${p.slice(Math.max(1, p.indexOf(',')))}`;
  if (c === 'G') return 'g';
  if (c === 'P') {
    const reg = parseInt(p.slice(1, p.indexOf('=') < 0 ? undefined : p.indexOf('=')), 16);
    return Number.isNaN(reg) || reg < 0x22 ? `p${p.slice(1).split('=')[0]}` : p;
  }
  if (c === 'c' || c === 's') return c;
  if (c === 'C' || c === 'S') return p.split(';')[0];
  if (c === 'Z' || c === 'z') {
    const f = p.slice(1).split(',');
    const addr = parseInt(f[1] ?? '', 16);
    if (f.length >= 2 && addr >= 0x40000000 && addr < RAM_END && !a.text.includes(addr)) f[1] = h(a.text[addr % a.text.length]);
    return `${c}${f.join(',')}`;
  }
  if (p.startsWith('vCont;') && /[0-9a-f]{5,}/.test(p)) return 'vCont;c'; // range steps with addresses
  return p;
}

function mutatedCapture(tokens: CaptureToken[], a: Addresses): fc.Arbitrary<Buffer[]> {
  const mutation = fc.tuple(fc.constantFrom('drop', 'dup', 'swap', 'truncate', 'corrupt', 'insert', 'flip'), fc.nat(), fc.nat(255));
  return fc
    .tuple(fc.nat(tokens.length - 1), fc.integer({ min: 1, max: 40 }), fc.array(mutation, { maxLength: 6 }))
    .map(([start, n, muts]) => {
      const win = tokens.slice(start, start + n).map((t) => ({ ...t }));
      let flip: [number, number] | undefined;
      for (const [kind, at, r] of muts) {
        if (win.length === 0) break;
        const i = at % win.length;
        const t = win[i];
        switch (kind) {
          case 'drop':
            win.splice(i, 1);
            break;
          case 'dup':
            win.splice(i, 0, { ...t });
            break;
          case 'swap':
            [win[i], win[(i + 1) % win.length]] = [win[(i + 1) % win.length], win[i]];
            break;
          case 'truncate':
            if ('packet' in t) t.packet = t.packet.slice(0, r % (t.packet.length + 1));
            break;
          case 'corrupt':
            if ('packet' in t && t.packet.length > 0) {
              const j = r % t.packet.length;
              t.packet = t.packet.slice(0, j) + String.fromCharCode((t.packet.charCodeAt(j) + 1 + (at % 250)) & 0xff) + t.packet.slice(j + 1);
            }
            break;
          case 'insert':
            win.splice(i, 0, { packet: String.fromCharCode(r) });
            break;
          case 'flip':
            flip = [i, r];
            break;
        }
      }
      return win.map((t, i) => {
        const wire = 'packet' in t ? frame(Buffer.from(sanitize(t.packet, a), 'latin1')) : 'ack' in t ? Buffer.from(t.ack) : Buffer.from([3]);
        // A wire-level bit flip: breaks the checksum (or the framing), never the guest.
        if (flip && flip[0] === i && wire.length > 0) wire[flip[1] % wire.length] ^= 1 << flip[1] % 8;
        return wire;
      });
    });
}

export function inputs(a: Addresses, capture: CaptureToken[]): fc.Arbitrary<FuzzInput> {
  const packet = framed(grammarPackets(a));
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((b): FuzzInput => ({ kind: 'bytes', chunks: [Buffer.from(b)] })) },
    { weight: 3, arbitrary: chunked(fc.array(fc.oneof({ weight: 4, arbitrary: packet }, { weight: 1, arbitrary: noise }), { minLength: 1, maxLength: 12 })).map((chunks): FuzzInput => ({ kind: 'grammar', chunks })) },
    { weight: 2, arbitrary: mutatedCapture(capture, a).map((chunks): FuzzInput => ({ kind: 'capture', chunks })) },
  );
}

// ---- running ----

const STOP_REPLY = /^(T[0-9a-f]{2}thread:[0-9a-f]+;core:[0-9a-f]+;|S[0-9a-f]{2}$)/;

/** Resident set size of a process, KiB (Linux /proc). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Send one input on a fresh connection, give the server a moment, drop the connection. */
async function runCase(port: number, input: FuzzInput): Promise<void> {
  const c = await RspClient.connect(port);
  try {
    for (const ch of input.chunks) {
      if (c.closed) break;
      c.write(ch);
    }
    await sleep(5);
  } finally {
    c.socket.destroy();
    await c.waitClosed(10_000);
  }
}

/**
 * The server still answers a new gdb correctly: `?` is a stop reply, `g` the 788-byte
 * register file. @throws Error with what went wrong
 */
async function healthCheck(server: ServeProcess): Promise<void> {
  if (!alive(server.pid)) throw new Error(`the server exited\nstderr:\n${server.stderr().slice(-3000)}`);
  const c = await RspClient.connect(server.port);
  try {
    const stop = await c.ask('?', { timeoutMs: 60_000 });
    if (!STOP_REPLY.test(stop)) throw new Error(`? answered ${JSON.stringify(stop)}`);
    const g = await c.ask('g', { timeoutMs: 10_000 });
    if (!/^[0-9a-fx]{1576}$/.test(g)) throw new Error(`g answered ${g.length} characters: ${g.slice(0, 80)}`);
    const d = await c.ask('D', { timeoutMs: 10_000 });
    if (d !== 'OK') throw new Error(`D answered ${d}`);
  } finally {
    c.socket.destroy();
    await c.waitClosed(10_000);
  }
}

/**
 * Start a server, fuzz it for `opts.seconds`, check it at the end, stop it.
 * @returns the report (a failed property is in `failure`, not thrown)
 * @throws Error when the server cannot be started
 */
export async function fuzzServer(opts: FuzzOptions): Promise<FuzzReport> {
  const a = addresses();
  const capture = loadCapture();
  const seed = opts.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const log = opts.log ?? (() => undefined);
  const healthEvery = opts.healthEvery ?? 25;
  const limitKiB = (opts.rssGrowthLimitMiB ?? 128) * 1024;
  const server = await startServe({ scenario: 'hardlockup', lifetimeS: Math.ceil(opts.seconds) + 600 });
  const byKind: Record<InputKind, number> = { bytes: 0, grammar: 0, capture: 0 };
  let cases = 0;
  let healthChecks = 0;
  let rssFirst = 0;
  let rssLast = 0;
  let rssMax = 0;
  const sample = (): void => {
    rssLast = rssKiB(server.pid);
    if (rssFirst === 0) rssFirst = rssLast;
    rssMax = Math.max(rssMax, rssLast);
    if (rssLast - rssFirst > limitKiB) throw new Error(`server RSS grew from ${rssFirst} KiB to ${rssLast} KiB`);
  };
  const check = async (): Promise<void> => {
    try {
      await healthCheck(server);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nserver stderr (last lines):\n${server.stderr().slice(-4000)}\nguest console (last lines):\n${server.console().slice(-3000)}`);
    }
    healthChecks++;
    sample();
  };
  let failure: string | undefined;
  try {
    await check();
    const started = Date.now();
    const result = await fc.check(
      fc.asyncProperty(inputs(a, capture), async (input) => {
        cases++;
        byKind[input.kind]++;
        await runCase(server.port, input);
        if (!alive(server.pid)) throw new Error(`the server exited\nstderr:\n${server.stderr().slice(-3000)}`);
        if (cases % healthEvery === 0) {
          await check();
          log(`fuzz: ${cases} cases, ${Math.round((Date.now() - started) / 1000)} s, server RSS ${rssLast} KiB`);
        }
      }),
      { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: opts.seconds * 1000, markInterruptAsFailure: false, endOnFailure: true },
    );
    if (result.failed) failure = fc.defaultReportMessage(result) ?? 'property failed';
    else await check();
  } catch (e) {
    failure = (e as Error).stack ?? String(e);
  } finally {
    await server.stop();
    await killAll();
  }
  return { seed, cases, byKind, healthChecks, rssFirstKiB: rssFirst, rssLastKiB: rssLast, rssMaxKiB: rssMax, failure };
}
