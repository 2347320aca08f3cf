/**
 * Rows 3 and 5, measured with a raw RSP client (rsp-client.ts) rather than gdb, so only the
 * stub's own latency counts.
 *
 * Row 3, packet round trip: `m40200000,8` with the machine stopped (after QStartNoAckMode when
 * the stub offers it: ours does, QEMU 7.2 does not, so its replies are acked as gdb acks them),
 * WARMUP then SAMPLES round trips; median and 99th percentile in µs. The floor is a plain
 * TCP echo server (a separate Node process, TCP_NODELAY) answering the same bytes.
 * Row 5, break-in latency: with the machine running (`c`), 0x03 until the stop reply
 * (`S`/`T` packet; console `O` packets in between are skipped), 4 CPUs, ours rounding up by
 * pseudo-NMI; median of BREAKS in ms.
 */
import { spawn } from 'child_process';
import { RspClient, frame } from './rsp-client';
import { median, percentile } from './row';
import { STEADY, startOurs, startQemu, tracked, type StubOptions } from './targets';
import { SERVE_ICOUNT, bootargs } from './gdb-rows';

const WARMUP = 100;
const SAMPLES = 1000;
const BREAKS = 7;

export interface LatencyResult {
  medianUs: number;
  p99Us: number;
}

/** Time `SAMPLES` request/reply exchanges of `payload` on `c`. */
async function roundTrips(c: RspClient, payload: string): Promise<LatencyResult> {
  for (let i = 0; i < WARMUP; i++) await c.request(payload);
  const us: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    await c.request(payload);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return { medianUs: median(us), p99Us: percentile(us, 99) };
}

const M_PACKET = 'm40200000,8';

/** The echo floor: the same framed bytes through a TCP echo server in another process. */
export async function echoFloor(): Promise<LatencyResult> {
  const code =
    "const net=require('net');const s=net.createServer(c=>{c.setNoDelay(true);c.on('data',d=>c.write(d));});" +
    "s.listen(0,'127.0.0.1',()=>console.log(s.address().port));";
  const child = tracked(spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] }));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
      child.once('exit', () => reject(new Error('echo server exited')));
    });
    const c = await RspClient.connect(port);
    c.assumeNoAck();
    try {
      return await roundTrips(c, M_PACKET);
    } finally {
      c.close();
    }
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * Attach as gdb does (qSupported, QStartNoAckMode, `?`): ours breaks in with a roundup,
 * QEMU stops its VM on connection and may report that stop unasked, which is dropped.
 */
async function attach(port: number): Promise<RspClient> {
  const c = await RspClient.connect(port);
  await new Promise((r) => setTimeout(r, 300));
  c.drain();
  const sup = await c.request('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386', 60_000);
  if (!/PacketSize=/.test(sup)) throw new Error(`qSupported replied ${sup}`);
  // QEMU 7.2 does not offer no-ack mode (empty reply): it then stays in ack mode, as with gdb.
  if (/QStartNoAckMode\+/.test(sup)) {
    const ok = await c.startNoAck();
    if (ok !== 'OK') throw new Error(`QStartNoAckMode: ${ok}`);
  }
  const stop = await c.request('?', 60_000);
  if (!/^[ST]/.test(stop)) throw new Error(`? replied ${stop}`);
  return c;
}

function stubOptions(): StubOptions {
  return { cpus: 4, bootargs: bootargs('hardlockup'), icountShift: SERVE_ICOUNT, waitConsole: STEADY, timeoutMs: 300_000 };
}

/** Row 3 on one stub. */
export async function packetRoundTrip(which: 'ours' | 'qemu'): Promise<LatencyResult> {
  const stub = await (which === 'ours' ? startOurs : startQemu)(stubOptions());
  try {
    const c = await attach(stub.port);
    try {
      const r = await c.request(M_PACKET);
      if (!/^[0-9a-f]{16}$/.test(r)) throw new Error(`${M_PACKET} replied ${r}`);
      return await roundTrips(c, M_PACKET);
    } finally {
      c.close();
    }
  } finally {
    await stub.stop();
  }
}

/** The next stop reply, skipping console output packets. */
async function stopReply(c: RspClient): Promise<string> {
  for (;;) {
    const p = await c.next(60_000);
    if (/^[ST]/.test(p)) return p;
    if (/^[WX]/.test(p)) throw new Error(`the target exited: ${p}`);
  }
}

/** Row 5 on one stub: ms from 0x03 to the stop reply, median of BREAKS. */
export async function breakIn(which: 'ours' | 'qemu'): Promise<{ medianMs: number; runsMs: number[] }> {
  const stub = await (which === 'ours' ? startOurs : startQemu)(stubOptions());
  try {
    const c = await attach(stub.port);
    try {
      const runsMs: number[] = [];
      for (let i = 0; i < BREAKS; i++) {
        c.sendRaw(frame('c'));
        await new Promise((r) => setTimeout(r, 300));
        const t0 = process.hrtime.bigint();
        c.sendRaw(Buffer.from([0x03]));
        await stopReply(c);
        runsMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return { medianMs: median(runsMs), runsMs };
    } finally {
      c.close();
    }
  } finally {
    await stub.stop();
  }
}
