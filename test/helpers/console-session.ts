/**
 * Interactive serial-console sessions with a running guest, for tests that type into it:
 * wait for a line, send a break, type characters, stop.
 *
 * - QEMU: `-serial mon:stdio` (qemuArgs with serialMux): the multiplexer turns Ctrl-A b on
 *   stdin into a break condition on the PL011 line (hw/char/pl011.c receives it as a NUL
 *   with UARTDR.BE set).
 * - kgdb-lab: the Board runs in this process, so the test can call Pl011.receiveBreak(),
 *   which the CLI's stdin cannot express.
 */
import { spawn } from 'child_process';
import { loadElfFile } from '../../src/loader/elf';
import { Board } from '../../src/machine/board';
import { QEMU, qemuArgs } from './qemu';

/** A running guest with a console. */
export interface ConsoleSession {
  /** Human-readable description of what runs (for failure messages). */
  readonly what: string;
  /** Everything the guest printed so far (latin1). */
  output(): string;
  /**
   * Resolve with the first complete line at or after byte `from` of the output that
   * matches; reject after timeoutMs with the output so far.
   */
  waitFor(re: RegExp, timeoutMs: number, from?: number): Promise<string>;
  /** A break condition on the serial line. */
  sendBreak(): void;
  /** Characters on the serial line. */
  type(text: string): void;
  /** Stop the guest (idempotent). */
  stop(): Promise<void>;
}

abstract class BaseSession implements ConsoleSession {
  protected text = '';
  private waiters: { re: RegExp; from: number; resolve: (l: string) => void }[] = [];
  abstract readonly what: string;

  output(): string {
    return this.text;
  }

  protected append(s: string): void {
    this.text += s;
    this.waiters = this.waiters.filter((w) => {
      const line = this.findLine(w.re, w.from);
      if (line === undefined) return true;
      w.resolve(line);
      return false;
    });
  }

  private findLine(re: RegExp, from: number): string | undefined {
    const tail = this.text.slice(from);
    const complete = tail.slice(0, tail.lastIndexOf('\n') + 1);
    return complete.split('\n').find((l) => re.test(l));
  }

  waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<string> {
    const found = this.findLine(re, from);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        re,
        from,
        resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.what}: no line matching ${re} within ${timeoutMs} ms\n--- output ---\n${this.text.slice(-4000)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  abstract sendBreak(): void;
  abstract type(text: string): void;
  abstract stop(): Promise<void>;
}

/** QEMU with its serial line on a stdio multiplexer. */
export class QemuSession extends BaseSession {
  readonly what: string;
  private readonly child;
  private readonly exited: Promise<void>;

  constructor(opts: { elf: string; cpus: number; append: string }) {
    super();
    const args = qemuArgs({ elf: opts.elf, cpus: opts.cpus, append: opts.append, serialMux: true });
    this.what = `${QEMU} ${args.join(' ')}`;
    this.child = spawn(QEMU, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (b: Buffer) => this.append(b.toString('latin1')));
    this.child.stderr.on('data', (b: Buffer) => this.append(b.toString('latin1')));
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.on('close', () => resolve()));
  }

  sendBreak(): void {
    this.child.stdin.write(Buffer.from([0x01, 0x62])); // Ctrl-A b: the mux's "send break"
  }

  type(text: string): void {
    this.child.stdin.write(Buffer.from(text, 'latin1'));
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** kgdb-lab's Board, run in this process. */
export class BoardSession extends BaseSession {
  readonly what: string;
  private readonly board: Board;
  private readonly running: Promise<unknown>;

  constructor(opts: { elf: string; cpus: number; append: string }) {
    super();
    this.what = `kgdb-lab Board (in-process) --cpus ${opts.cpus} --append '${opts.append}' --kernel ${opts.elf}`;
    this.board = new Board({
      cpus: opts.cpus,
      memoryMiB: 256,
      bootargs: opts.append,
      onConsole: (bytes) => this.append(Buffer.from(bytes).toString('latin1')),
    });
    this.board.load(loadElfFile(opts.elf));
    this.running = this.board.run();
  }

  sendBreak(): void {
    this.board.uart.receiveBreak();
    this.board.consoleInput(new Uint8Array(0)); // wakes the scheduler if every CPU sleeps
  }

  type(text: string): void {
    this.board.consoleInput(Uint8Array.from(Buffer.from(text, 'latin1')));
  }

  async stop(): Promise<void> {
    this.board.halt();
    await this.running;
  }
}
