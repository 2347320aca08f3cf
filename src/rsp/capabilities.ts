import type {
  BaseOps,
  HwBreakpointOps,
  HwWatchpointOps,
  MonitorCmdOps,
  ResumeOps,
  SwBreakpointOps,
  Target,
  ThreadExtraInfoOps,
} from './target';

/**
 * A target's capabilities, resolved once per connection from its `support*()` / `use*()`
 * methods. Both the qSupported reply ({@link supportedFeatures}) and the packet gating in
 * the handlers read this one object, so what is advertised and what is answered cannot
 * drift apart, and they stay fixed for the connection: gdb treats a packet that was once
 * answered and later gets the empty reply as a protocol error ("conflicting enabled
 * responses", remote.c `packet_ok`).
 */
export interface Capabilities {
  readonly base: BaseOps;
  readonly resume: ResumeOps | undefined;
  readonly singleStep: boolean;
  readonly swBreakpoint: SwBreakpointOps | undefined;
  readonly hwBreakpoint: HwBreakpointOps | undefined;
  readonly hwWatchpoint: HwWatchpointOps | undefined;
  readonly monitor: MonitorCmdOps | undefined;
  readonly threadExtraInfo: ThreadExtraInfoOps | undefined;
  readonly noAckMode: boolean;
}

/** Call the target's `support*()` methods (absent method = capability absent). */
export function resolveCapabilities(target: Target): Capabilities {
  const resume = target.supportResume?.();
  const bp = target.supportBreakpoints?.();
  return {
    base: target.baseOps(),
    resume,
    singleStep: resume?.supportSingleStep?.() === true,
    swBreakpoint: bp?.supportSwBreakpoint?.(),
    hwBreakpoint: bp?.supportHwBreakpoint?.(),
    hwWatchpoint: bp?.supportHwWatchpoint?.(),
    monitor: target.supportMonitorCmd?.(),
    threadExtraInfo: target.supportThreadExtraInfo?.(),
    noAckMode: target.useNoAckMode?.() ?? true,
  };
}

/**
 * The stub features for the qSupported reply (gdb manual, "General Query Packets",
 * qSupported): `PacketSize` (hex) always; the others only when the capability behind them
 * is there.
 * @param packetSize the largest packet body accepted, in bytes
 */
export function supportedFeatures(caps: Capabilities, packetSize: number): string[] {
  const f = [`PacketSize=${packetSize.toString(16)}`];
  if (caps.noAckMode) f.push('QStartNoAckMode+');
  f.push('qXfer:features:read+', 'qXfer:threads:read+');
  if (caps.resume) f.push('vContSupported+');
  if (caps.swBreakpoint) f.push('swbreak+');
  if (caps.hwBreakpoint) f.push('hwbreak+');
  f.push('binary-upload+');
  return f;
}
