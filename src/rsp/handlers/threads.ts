import type { Command } from '../packets/command';
import { Errno, TargetError } from '../target-error';
import { cpuToTid, tidToCpu, type ThreadId } from '../thread-id';
import type { ReplyBuilder } from '../writer';
import { OK, REPLY, type HandlerContext, type HandlerStatus } from './context';

/**
 * Threads are CPUs: thread id = CPU index + 1 (gdbstub's multicore example; Linux kgdb
 * uses shadow ids -cpu-2 instead, kernel/debug/gdbstub.c). All packets here follow the
 * gdb manual, "Packets" (H, T) and "General Query Packets" (qfThreadInfo, qsThreadInfo,
 * qC, qThreadExtraInfo).
 */

/** The name gdb shows for a CPU's thread. */
export function threadName(cpu: number): string {
  return `CPU#${cpu}`;
}

/** The CPU a thread id names, or undefined when there is no such CPU. */
function cpuOfTid(ctx: HandlerContext, tid: number): number | undefined {
  const cpu = tidToCpu(tid);
  return ctx.caps.base.listCpus().includes(cpu) ? cpu : undefined;
}

/**
 * The CPU "the current thread" means: the one of the last stop reported to gdb, or the
 * first CPU when there was none yet (or it has gone).
 * @throws TargetError ESRCH when the target lists no CPU at all
 */
export function currentCpu(ctx: HandlerContext): number {
  const cpus = ctx.caps.base.listCpus();
  const cur = ctx.conn.currentCpu;
  if (cur !== undefined && cpus.includes(cur)) return cur;
  if (cpus.length === 0) throw TargetError.errno(Errno.ESRCH, 'the target has no CPU');
  return cpus[0];
}

/**
 * The CPU a thread selection resolves to: a named thread is that CPU; `0` (any) and `-1`
 * (all) resolve to the current CPU, which is what a single-CPU operation like `g` can use.
 * @throws TargetError ESRCH for a thread that does not exist
 */
export function resolveCpu(ctx: HandlerContext, sel: ThreadId): number {
  if (sel.kind !== 'id') return currentCpu(ctx);
  const cpu = cpuOfTid(ctx, sel.tid);
  if (cpu === undefined) throw TargetError.errno(Errno.ESRCH, `no thread ${sel.tid.toString(16)}`);
  return cpu;
}

/** `Hg`/`Hc`: remember the selection after checking the thread exists. */
export function handle_H(ctx: HandlerContext, cmd: Extract<Command, { kind: 'H' }>): HandlerStatus {
  resolveCpu(ctx, cmd.thread);
  if (cmd.op === 'g') ctx.conn.hg = cmd.thread;
  else ctx.conn.hc = cmd.thread;
  return OK;
}

/** `T thread-id`: OK when alive, E03 (ESRCH) otherwise. */
export function handle_T(ctx: HandlerContext, cmd: Extract<Command, { kind: 'T' }>): HandlerStatus {
  resolveCpu(ctx, cmd.thread);
  return OK;
}

/**
 * `qfThreadInfo`: every thread in one `m` reply (QEMU sends one id per packet, costing a
 * round trip per CPU; FreeBSD measured a large win from packing them). `qsThreadInfo`
 * then ends the list with `l`.
 */
export function handle_qfThreadInfo(ctx: HandlerContext, out: ReplyBuilder): HandlerStatus {
  const cpus = ctx.caps.base.listCpus();
  if (cpus.length === 0) {
    out.text('l');
    return REPLY;
  }
  out.text('m');
  cpus.forEach((cpu, i) => {
    if (i > 0) out.text(',');
    out.hexNumber(cpuToTid(cpu));
  });
  return REPLY;
}

export function handle_qsThreadInfo(out: ReplyBuilder): HandlerStatus {
  out.text('l');
  return REPLY;
}

/** `qC`: `QC<tid>` of the current thread. */
export function handle_qC(ctx: HandlerContext, out: ReplyBuilder): HandlerStatus {
  out.text('QC').hexNumber(cpuToTid(currentCpu(ctx)));
  return REPLY;
}

/** The extra text for a CPU's thread: the target's, else its name. */
export function extraInfo(ctx: HandlerContext, cpu: number): string {
  return ctx.caps.threadExtraInfo?.threadExtraInfo(cpu) ?? threadName(cpu);
}

/** `qThreadExtraInfo,tid`: the text, hex-encoded (UTF-8). */
export function handle_qThreadExtraInfo(
  ctx: HandlerContext,
  cmd: Extract<Command, { kind: 'qThreadExtraInfo' }>,
  out: ReplyBuilder,
): HandlerStatus {
  const cpu = resolveCpu(ctx, cmd.thread);
  out.hex(Buffer.from(extraInfo(ctx, cpu), 'utf8'));
  return REPLY;
}
