import type { MachinePort } from './machine-port';

/** A hook body: `cpu` is about to execute the hooked instruction; true = it took (held) the CPU. */
export type AddressHook = (cpu: number) => boolean;

/**
 * Several debug-core hooks on one address. The machine keeps one hook per address
 * (MachinePort.hookAddress replaces any earlier one), but the core needs more: the guest's
 * kgdb entry points stay hooked for the whole session while a single step also waits for
 * the master at its resume address, which can be the same instruction. Hooks run in the
 * order they were added until one takes the CPU.
 */
export class AddressHooks {
  private readonly byAddr = new Map<number, AddressHook[]>();

  constructor(private readonly port: MachinePort) {}

  /** Add `fn` at `addr` (bytes; 4-aligned RAM, see MachinePort.hookAddress). @returns a remover */
  add(addr: number, fn: AddressHook): () => void {
    let list = this.byAddr.get(addr);
    if (!list) {
      list = [];
      const mine = list;
      // Hooked first: an address the machine refuses (it throws) leaves nothing recorded.
      this.port.hookAddress(addr, (cpu) => {
        // A copy: a hook may remove itself (or add one) while it runs.
        for (const h of mine.slice()) if (h(cpu)) return true;
        return false;
      });
      this.byAddr.set(addr, list);
    }
    list.push(fn);
    return () => this.remove(addr, fn);
  }

  private remove(addr: number, fn: AddressHook): void {
    const list = this.byAddr.get(addr);
    if (!list) return;
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      this.byAddr.delete(addr);
      this.port.unhookAddress(addr);
    }
  }
}
