import * as fs from 'fs';
import * as tty from 'tty';
import type { Logger } from '../log';

/**
 * The host side of the guest console (PL011 UART0): guest transmit → stdout as raw bytes,
 * stdin → guest receive.
 */

/**
 * True when fd 0 is a terminal, a pipe or a socket: something a person or a program may type
 * into. Regular files and /dev/null are not forwarded (the brief for `run`: forward a TTY or
 * a pipe), so `kgdb-lab run < /dev/null` and runs under CI with a closed stdin behave alike.
 */
export function stdinIsInteractive(fd = 0): boolean {
  if (tty.isatty(fd)) return true;
  try {
    const st = fs.fstatSync(fd);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false; // fd 0 closed
  }
}

/**
 * Forward stdin's bytes to `receive` (the guest UART's receive side) as they arrive.
 *
 * A terminal stays in its normal (cooked, line-buffered) mode: the guest sees a line when
 * Enter is pressed, the terminal echoes, and Ctrl-C still raises SIGINT for the host.
 *
 * @param receive called with each chunk (a fresh Uint8Array the callee may keep)
 * @returns a function that stops forwarding and releases stdin, so an open stdin (a terminal,
 *          or a pipe whose writer never closes it) does not keep the process alive after the
 *          machine has stopped. Calling it twice is harmless.
 */
export function forwardStdin(receive: (bytes: Uint8Array) => void, logger: Logger, stdin: NodeJS.ReadStream & { fd: number } = process.stdin): () => void {
  if (!stdinIsInteractive(stdin.fd)) return () => {};
  const onData = (chunk: Buffer): void => receive(new Uint8Array(chunk));
  const onError = (err: Error): void => logger.warn({ err }, 'stdin read failed; console input stops');
  stdin.on('data', onData);
  stdin.on('error', onError);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    stdin.off('data', onData);
    // destroy() closes the handle; pause() alone leaves a TTY handle referenced on some setups.
    stdin.destroy();
    stdin.off('error', onError);
  };
}

/**
 * A writer for guest console bytes to `out` (stdout), unchanged: no newline translation, no
 * encoding, so binary output and partial lines pass through exactly.
 *
 * If the reader goes away (EPIPE, e.g. `kgdb-lab run | head -1`) further bytes are dropped
 * and the machine keeps running, as a UART with no cable attached would.
 *
 * @returns the sink to give the board as `onConsole`
 */
export function consoleWriter(logger: Logger, out: NodeJS.WriteStream = process.stdout): (bytes: Uint8Array) => void {
  let open = true;
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (open) logger.warn({ code: err.code }, 'stdout closed; console output is dropped from now on');
    open = false;
  });
  return (bytes) => {
    // Copy: the board may reuse its buffer, and a pipe write can be queued by libuv.
    if (open) out.write(Buffer.from(bytes));
  };
}
