/**
 * The floor under row 2: how long gdb takes to print *our* stacks when the stub does no work
 * at all. One gdb session against kgdb-lab is recorded through a TCP proxy; its replies become
 * a table that `replay-stub.c` (compiled here with the host's `cc`) serves with a hash lookup
 * per packet, so gdb receives byte-identical replies and prints the same frames. What is left
 * is gdb's own work per frame, the loopback TCP round trips it waits for, and the host.
 *
 * This is what the row-2 goal is up against: QEMU stops busy vCPUs inside the exception
 * vector, where gdb's unwind ends after a few bogus frames, so it prints about half the frames
 * kgdb's view has (each CPU's interrupted context). When even this floor is slower than QEMU,
 * no stub that shows the right stacks can meet "no slower than QEMU" at that size.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ROOT, freePort, tracked, type Stub } from './targets';

const SOURCE = path.join(ROOT, 'bench', 'replay-stub.c');
const BINARY = path.join(ROOT, 'bench', 'build', 'replay-stub');

/** Bytes seen on one recorded connection, each direction in order (from the stub's side: in = from gdb). */
export interface Recording {
  in: Buffer;
  out: Buffer;
}

/** A TCP proxy on a free port that forwards one gdb connection to 127.0.0.1:`target` and records it. */
export async function recordingProxy(target: number): Promise<{ port: number; done: Promise<Recording>; close(): void }> {
  const port = await freePort();
  const inChunks: Buffer[] = [];
  const outChunks: Buffer[] = [];
  let finish: (r: Recording) => void = () => undefined;
  const done = new Promise<Recording>((resolve) => (finish = resolve));
  const server = net.createServer((gdb) => {
    server.close();
    const stub = net.connect({ host: '127.0.0.1', port: target });
    gdb.setNoDelay(true);
    stub.setNoDelay(true);
    gdb.on('data', (b: Buffer) => {
      inChunks.push(b);
      stub.write(b);
    });
    stub.on('data', (b: Buffer) => {
      outChunks.push(b);
      gdb.write(b);
    });
    let open = 2;
    const end = (): void => {
      if (--open === 0) finish({ in: Buffer.concat(inChunks), out: Buffer.concat(outChunks) });
    };
    gdb.on('close', () => (stub.end(), end()));
    stub.on('close', () => (gdb.end(), end()));
    gdb.on('error', () => undefined);
    stub.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, done, close: () => server.close() };
}

/** The `$payload#cs` packets in `bytes`, framed replies kept whole (acks and 0x03 skipped). */
function packets(bytes: Buffer): { payload: string; framed: Buffer }[] {
  const out: { payload: string; framed: Buffer }[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x24 /* $ */) {
      i++;
      continue;
    }
    const hash = bytes.indexOf(0x23 /* # */, i + 1);
    if (hash < 0 || hash + 3 > bytes.length) break;
    out.push({ payload: bytes.subarray(i + 1, hash).toString('latin1'), framed: bytes.subarray(i, hash + 3) });
    i = hash + 3;
  }
  return out;
}

/**
 * The replay table for `replay-stub.c`: one "KEYHEX REPLYHEX" line per request, in order.
 * Console and keepalive `O` packets are dropped (they answer no request).
 * @throws Error when requests and replies do not pair up
 */
export function replayTable(rec: Recording): string {
  const requests = packets(rec.in);
  const replies = packets(rec.out).filter((p) => !/^O(?:[0-9a-f]{2})*$/.test(p.payload));
  if (requests.length !== replies.length) throw new Error(`recording does not pair up: ${requests.length} requests, ${replies.length} replies`);
  let hg = '0';
  const lines: string[] = [];
  requests.forEach((q, k) => {
    if (q.payload.startsWith('Hg')) hg = q.payload.slice(2);
    const key = `${'gpGP'.includes(q.payload[0]) ? hg : '*'} ${q.payload}`;
    lines.push(`${Buffer.from(key, 'latin1').toString('hex')} ${replies[k].framed.toString('hex')}`);
  });
  return lines.join('\n') + '\n';
}

/**
 * Compile the replay stub (once per bench run) with the host's C compiler.
 * @throws Error when there is no `cc` or the build fails
 */
export function buildReplayStub(): string {
  fs.mkdirSync(path.dirname(BINARY), { recursive: true });
  try {
    execFileSync('cc', ['-O2', '-Wall', '-o', BINARY, SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('no host C compiler (cc) to build bench/replay-stub.c (make deps installs gcc)');
    throw new Error(`cc bench/replay-stub.c failed: ${err.stderr?.toString().trim() ?? err.message}`);
  }
  return BINARY;
}

/** Start the replay stub on `table` (file contents from replayTable). */
export async function startReplay(table: string): Promise<Stub> {
  const binary = buildReplayStub();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-replay-'));
  const file = path.join(dir, 'table.txt');
  fs.writeFileSync(file, table);
  const port = await freePort();
  const child = tracked(spawn(binary, [String(port), file], { stdio: ['ignore', 'pipe', 'pipe'] }));
  // 'close' comes after the process exited and its stderr was read to the end.
  const closed = new Promise((r) => child.once('close', r));
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (status) => reject(new Error(`replay-stub exited (${status}): ${err.trim()}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await closed;
    fs.rmSync(dir, { recursive: true, force: true });
    // A miss means gdb asked for something the recording lacks: the figure would not be the same session.
    if (err.includes('not in the table')) throw new Error(`replay diverged from the recording: ${err.split('\n')[0]}`);
  };
  return { name: 'replay', port, pid: child.pid as number, child, startMs: NaN, console: () => '', stop };
}
