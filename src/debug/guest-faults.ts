import { SIGBUS, SIGILL, SIGSEGV, SIGTRAP, type KgdbCore } from './kgdb-core';
import type { GuestFault, GuestFaultKind, MachinePort } from './machine-port';

/**
 * Guest faults the guest cannot report to the debugger itself, caught from outside.
 *
 * A guest with kgdb reports its own faults: its die() calls kgdb_handle_exception with
 * SIGILL, SIGSEGV or SIGBUS (Linux arch/arm64/kernel/traps.c, the die notifier), which the
 * debug core intercepts. That needs working exception vectors. This module covers the rest,
 * as a hardware probe's "vector catch" would:
 * - a guest without kgdb: every fault (and every BRK, so gdb's breakpoints work there too)
 *   stops the machine;
 * - a guest with kgdb whose vectors cannot take the exception (VBAR_EL1 pointing at nothing
 *   or at something that is not a vector table, or a handler whose entry faults because the
 *   stack pointer is misaligned or has run off into unassigned memory): the fault would
 *   otherwise repeat forever without ever reaching kgdb.
 *
 * The machine is then held from outside (KgdbCore.haltOnFault) with the faulting CPU
 * reported to gdb with the signal Linux would give it, the CPU's pc at the faulting
 * instruction; a line on the machine console says what happened, so a fault with nobody
 * attached is visible and waits for gdb. Resuming re-executes the faulting instruction (as
 * on Linux), so unless gdb changed the registers the CPU stops again.
 */

/** Linux's signal for each fault kind (arch/arm64/mm/fault.c fault_info, traps.c); kgdb-core numbering. */
export function faultSignal(kind: GuestFaultKind): number {
  switch (kind) {
    case 'undefined-instruction':
    case 'illegal-state':
    case 'sysreg-trap':
      return SIGILL;
    case 'breakpoint':
      return SIGTRAP;
    case 'alignment':
    case 'pc-alignment':
    case 'sp-alignment':
      return SIGBUS;
    case 'instruction-abort':
    case 'data-abort':
      // An access to unassigned memory: the bundled guest's do_mem_abort says SIGSEGV too.
      return SIGSEGV;
  }
}

/**
 * Install the catcher on `port` (a no-op when the machine cannot offer faults).
 * @param core the debug core that stops the machine and reports to gdb
 */
export function catchGuestFaults(port: MachinePort, core: KgdbCore): void {
  port.catchGuestFaults?.((f) => onFault(port, core, f));
}

function onFault(port: MachinePort, core: KgdbCore, f: GuestFault): boolean {
  // The guest's own vectors will take it to die() → kgdb_handle_exception.
  if (core.guestHasKgdb && f.unusable === undefined) return false;
  const why = f.unusable === undefined ? f.description : `${f.description}; not taken: ${f.unusable}`;
  try {
    // While the debugger is in (a step of the master), let the guest take it as before: the
    // step ends on the vector, and the fault is caught again when the machine runs.
    if (!core.haltOnFault(f.cpu, faultSignal(f.kind), why)) return false;
  } catch (e) {
    // This runs inside the CPU's instruction: an exception here would end the machine.
    port.consoleWrite(`kgdb-lab: internal error while stopping for a fault on CPU ${f.cpu}: ${String(e)}\n`);
    return false;
  }
  if (f.kind !== 'breakpoint') port.consoleWrite(`kgdb-lab: CPU ${f.cpu}: ${why}; stopped for the debugger\n`);
  return true;
}
