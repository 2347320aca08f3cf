import type { Command, VContAction } from '../packets/command';
import type { ResumeAction, ResumePlan } from '../target';
import { Errno, TargetError } from '../target-error';
import { REPLY, type HandlerContext, type HandlerStatus } from './context';
import { currentCpu, resolveCpu } from './threads';
import type { ReplyBuilder } from '../writer';

/**
 * Resuming: `c`, `C`, `s`, `S`, `vCont?`, `vCont` (gdb manual, "Packets"). Handlers only
 * build a {@link ResumePlan}; the session runs it and sends the stop reply when the target
 * stops (all-stop mode). All of these are unsupported (empty reply) when the target has no
 * resume capability, and the step forms when it cannot single-step.
 */

/** `vCont?`: the actions vCont accepts. */
export function handle_vCont_query(ctx: HandlerContext, out: ReplyBuilder): HandlerStatus {
  if (!ctx.caps.resume) return REPLY;
  out.text(ctx.caps.singleStep ? 'vCont;c;C;s;S' : 'vCont;c;C');
  return REPLY;
}

function toAction(a: VContAction, singleStep: boolean): ResumeAction {
  if (a.action === 't' || a.action === 'r') {
    throw TargetError.errno(Errno.EINVAL, `vCont: action '${a.action}' is not supported`);
  }
  if (a.action === 's' && !singleStep) throw TargetError.errno(Errno.EINVAL, 'vCont: single-step is not supported');
  return { kind: a.action === 'c' ? 'continue' : 'step', signal: a.signal };
}

/**
 * `vCont;action[:tid]…`: for each CPU the leftmost action naming it (or naming all threads)
 * applies (gdb manual, vCont). An action without a thread id, or with `-1`, applies to every
 * CPU not named earlier, so nothing after it can apply to anything: it ends the scan. A
 * thread id `0` (any) means the current CPU.
 * @throws TargetError EINVAL for `t`/`r` actions or steps without the capability, ESRCH for
 *   an unknown thread
 */
export function handle_vCont(ctx: HandlerContext, cmd: Extract<Command, { kind: 'vCont' }>): HandlerStatus {
  if (!ctx.caps.resume) return REPLY;
  const perCpu = new Map<number, ResumeAction>();
  let others: ResumeAction | undefined;
  for (const a of cmd.actions) {
    const action = toAction(a, ctx.caps.singleStep);
    if (a.thread === undefined || a.thread.kind === 'all') {
      others = action;
      break;
    }
    const cpu = resolveCpu(ctx, a.thread);
    if (!perCpu.has(cpu)) perCpu.set(cpu, action);
  }
  return { kind: 'resume', plan: { perCpu, others } };
}

/**
 * The plan for a legacy `c`/`C`/`s`/`S`: the Hc thread gets the action (and the signal);
 * when Hc names no single thread (`0` or `-1`, which is what gdb sends when resuming every
 * thread, remote.c `remote_resume_with_hc`), the current CPU gets it and every other CPU
 * continues. With an address, the plan carries it (ResumePlan.pc): the target sets that CPU's
 * PC once it has validated the whole resume, never before (a rejected `s addr` changes nothing).
 */
function legacyPlan(ctx: HandlerContext, kind: ResumeAction['kind'], signal: number, addr: bigint | undefined): HandlerStatus {
  const hc = ctx.conn.hc;
  const cpu = hc.kind === 'id' ? resolveCpu(ctx, hc) : currentCpu(ctx);
  const plan: ResumePlan = {
    perCpu: new Map([[cpu, { kind, signal }]]),
    others: hc.kind === 'id' ? undefined : { kind: 'continue', signal: 0 },
  };
  if (addr !== undefined) plan.pc = { cpu, addr };
  return { kind: 'resume', plan };
}

/** `c [addr]` / `C sig[;addr]`. */
export function handle_continue(ctx: HandlerContext, cmd: Extract<Command, { kind: 'c' | 'C' }>): HandlerStatus {
  if (!ctx.caps.resume) return REPLY;
  return legacyPlan(ctx, 'continue', cmd.kind === 'C' ? cmd.signal : 0, cmd.addr);
}

/** `s [addr]` / `S sig[;addr]`. */
export function handle_step(ctx: HandlerContext, cmd: Extract<Command, { kind: 's' | 'S' }>): HandlerStatus {
  if (!ctx.caps.resume || !ctx.caps.singleStep) return REPLY;
  return legacyPlan(ctx, 'step', cmd.kind === 'S' ? cmd.signal : 0, cmd.addr);
}
