import { AARCH64_REGISTERS, G_PACKET_BYTES, registerByNumber, writeRegister, writeRegisterFile } from '../aarch64-regs';
import { decodeHex, fromLittleEndian, TWO_POW_64 } from '../hex';
import type { Command } from '../packets/command';
import { Errno, TargetError } from '../target-error';
import { REG_CPSR, type CoreRegId } from '../target';
import type { ReplyBuilder } from '../writer';
import { OK, REPLY, type HandlerContext, type HandlerStatus } from './context';
import { resolveCpu } from './threads';

/**
 * Registers and memory of the thread selected with `Hg` (gdb manual, "Packets": g, G, p,
 * P, m, M, x, X), plus `?` and `qAttached`.
 */

/** `?`: the halt reason, from the target (possibly after it halts the machine). */
export function handle_question_mark(ctx: HandlerContext): HandlerStatus | Promise<HandlerStatus> {
  const r = ctx.caps.base.haltReason();
  if (r instanceof Promise) return r.then((stop): HandlerStatus => ({ kind: 'stop', stop }));
  return { kind: 'stop', stop: r };
}

/** `g`: all registers, {@link G_PACKET_BYTES} bytes; unavailable ones as `xx`. */
export function handle_g(ctx: HandlerContext, out: ReplyBuilder): HandlerStatus {
  const cpu = resolveCpu(ctx, ctx.conn.hg);
  writeRegisterFile(out, ctx.caps.base.readRegisters(cpu));
  return REPLY;
}

const HEX_X = 0x78;

/**
 * `G XX…`: write registers in `g` order. A register sent as all `xx` is skipped (gdb marks
 * unavailable ones that way); FP/SIMD registers are not modelled and their bytes are
 * ignored (gdb writes back whatever it holds for them). A shorter packet writes only the
 * registers it covers completely. The whole packet is checked before any register is
 * written, so a rejected `G` changes nothing (gdb manual, "Standard Replies": an error
 * reply means the packet failed).
 * @throws TargetError EINVAL for a packet longer than the register file, a register cut in
 *   the middle, or a register mixing hex and `x`
 */
export function handle_G(ctx: HandlerContext, cmd: Extract<Command, { kind: 'G' }>): HandlerStatus {
  const bytes = cmd.hex.length / 2;
  if (bytes > G_PACKET_BYTES) throw TargetError.errno(Errno.EINVAL, `G: ${bytes} bytes, the register file has ${G_PACKET_BYTES}`);
  const writes: Array<[core: CoreRegId, value: bigint]> = [];
  for (const def of AARCH64_REGISTERS) {
    if (def.offset >= bytes) break;
    if (def.offset + def.size > bytes) throw TargetError.errno(Errno.EINVAL, `G: register ${def.name} cut short`);
    const text = cmd.hex.subarray(def.offset * 2, (def.offset + def.size) * 2);
    const xs = text.filter((b) => b === HEX_X).length;
    if (xs === text.length || def.core === undefined) continue;
    const value = xs === 0 ? decodeHex(text) : undefined;
    if (value === undefined) throw TargetError.errno(Errno.EINVAL, `G: register ${def.name} is partly unavailable`);
    writes.push([def.core, fromLittleEndian(value)]);
  }
  const cpu = resolveCpu(ctx, ctx.conn.hg);
  // cpsr first: the packet's sp is the SP of the mode its cpsr names (as `g` shows sp), so a
  // G that changes PSTATE.SPSel must switch the SP bank before sp is written.
  writes.sort(([a], [b]) => Number(b === REG_CPSR) - Number(a === REG_CPSR));
  for (const [core, value] of writes) ctx.caps.base.writeRegister(cpu, core, value);
  return OK;
}

/** The register `regnum` names, or EINVAL. */
function registerDef(regnum: number) {
  const def = registerByNumber(regnum);
  if (def === undefined) throw TargetError.errno(Errno.EINVAL, `no register ${regnum.toString(16)}`);
  return def;
}

/** `p n`: one register (`p21` is cpsr: 8 hex characters). */
export function handle_p(ctx: HandlerContext, cmd: Extract<Command, { kind: 'p' }>, out: ReplyBuilder): HandlerStatus {
  const def = registerDef(cmd.regnum);
  const cpu = resolveCpu(ctx, ctx.conn.hg);
  writeRegister(out, ctx.caps.base.readRegisters(cpu), def);
  return REPLY;
}

/**
 * `P n=r…`: write one register.
 * @throws TargetError EINVAL for a bad number or size, EOPNOTSUPP for FP/SIMD registers
 *   (not modelled)
 */
export function handle_P(ctx: HandlerContext, cmd: Extract<Command, { kind: 'P' }>): HandlerStatus {
  const def = registerDef(cmd.regnum);
  const value = decodeHex(cmd.hex);
  if (value === undefined || value.length !== def.size) {
    throw TargetError.errno(Errno.EINVAL, `P: ${def.name} takes ${def.size} bytes`);
  }
  if (def.core === undefined) throw TargetError.errno(Errno.EOPNOTSUPP, `P: ${def.name} ${def.sys ? 'is read-only here' : 'is not modelled'}`);
  ctx.caps.base.writeRegister(resolveCpu(ctx, ctx.conn.hg), def.core, fromLittleEndian(value));
  return OK;
}

/**
 * A read length capped so the reply fits: at most `maxBytes`, and not past the top of the
 * 64-bit address space.
 */
function capLength(addr: bigint, length: number, maxBytes: number): number {
  const room = TWO_POW_64 - addr;
  const n = Math.min(length, maxBytes);
  return BigInt(n) > room ? Number(room) : n;
}

/** Read memory for m/x, with the target's partial-read convention. */
function readMemory(ctx: HandlerContext, addr: bigint, length: number): Uint8Array {
  const data = ctx.caps.base.readMemory(resolveCpu(ctx, ctx.conn.hg), addr, length);
  if (data.length === 0) throw TargetError.errno(Errno.EFAULT, `cannot read memory at 0x${addr.toString(16)}`);
  return data.length > length ? data.subarray(0, length) : data;
}

/**
 * `m addr,length`: hex bytes. The length is capped at PacketSize/2 so the reply fits one
 * packet (gdb asks for at most that much anyway, remote.c `remote_read_bytes_1`); a short
 * reply is a partial read, which gdb accepts; nothing readable is E0e (EFAULT).
 */
export function handle_m(ctx: HandlerContext, cmd: Extract<Command, { kind: 'm' }>, out: ReplyBuilder): HandlerStatus {
  const length = capLength(cmd.addr, cmd.length, Math.floor(ctx.packetSize / 2));
  if (length === 0) throw TargetError.errno(Errno.EINVAL, 'm: zero length');
  out.hex(readMemory(ctx, cmd.addr, length));
  return REPLY;
}

/**
 * `x addr,length`: `b` followed by the bytes, binary-escaped (gdb ≥ 16 with binary-upload;
 * commit "gdb/remote: add 'binary-upload' feature to guard 'x' packet use"). A zero-length
 * read is `b` alone. The length is capped at the PacketSize.
 */
export function handle_x(ctx: HandlerContext, cmd: Extract<Command, { kind: 'x' }>, out: ReplyBuilder): HandlerStatus {
  const length = capLength(cmd.addr, cmd.length, ctx.packetSize);
  const data = length === 0 ? new Uint8Array(0) : readMemory(ctx, cmd.addr, length);
  out.text('b').binary(data);
  return REPLY;
}

/**
 * `M addr,length:XX…` and `X addr,length:bin`: write memory. Zero-length writes succeed
 * without calling the target (gdb probes `X` support with `X addr,0:`, remote.c
 * `check_binary_download`).
 */
export function handle_write_memory(ctx: HandlerContext, cmd: Extract<Command, { kind: 'M' | 'X' }>): HandlerStatus {
  if (cmd.data.length === 0) return OK;
  if (BigInt(cmd.data.length) > TWO_POW_64 - cmd.addr) throw TargetError.errno(Errno.EFAULT, 'write past the end of the address space');
  ctx.caps.base.writeMemory(resolveCpu(ctx, ctx.conn.hg), cmd.addr, cmd.data);
  return OK;
}

/** `qAttached`: `1`, the stub attached to an existing "process" (the machine); gdb detaches rather than kills on quit. */
export function handle_qAttached(out: ReplyBuilder): HandlerStatus {
  out.text('1');
  return REPLY;
}
