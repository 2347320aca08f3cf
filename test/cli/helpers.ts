/**
 * Helpers for the CLI tests: run bin/kgdb-lab.js as a child process, and build tiny guest
 * ELF files. The CLI runs from dist/, so the tests need a build first (`make build`, which
 * `make test` does).
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'kgdb-lab.js');

/** Fails with a clear message when the CLI has not been compiled. */
export function requireBuild(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `make build` (or npx tsc -p tsconfig.build.json) first');
  }
}

export interface CliResult {
  /** Exit status, or null when killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** stderr split into lines, without the final empty one. */
  stderrLines: string[];
}

export interface CliRunOptions {
  /** Written to the child's stdin; stdin stays open afterwards unless closeStdin. */
  input?: string;
  closeStdin?: boolean;
  /** Kill the child (SIGKILL) after this many ms so a hang fails the test instead of stalling it. */
  killAfterMs?: number;
  /** Working directory; default the package root. */
  cwd?: string;
}

/**
 * Run `node bin/kgdb-lab.js ...args` with stdin as an open pipe (as a person's terminal or a
 * script's pipe would be), collecting stdout as bytes.
 */
export function runCli(args: string[], opts: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // the child may exit before reading
    if (opts.input !== undefined) child.stdin.write(opts.input);
    if (opts.closeStdin) child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      child.stdin.destroy();
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out),
        stderr,
        stderrLines: stderr.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1)),
      });
    });
  });
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-cli-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Assemble and link an AArch64 bare-metal program with the cross binutils.
 * @param source GNU as source with a global `_start`
 * @param textAddr physical address of .text (bytes); QEMU virt puts the DTB at the start of
 *        RAM, so bare-metal images link above it (0x40080000, as QEMU's tests do)
 * @returns the ELF path
 */
export function buildAarch64Elf(dir: string, name: string, source: string, textAddr = 0x40080000): string {
  const src = path.join(dir, `${name}.S`);
  const obj = path.join(dir, `${name}.o`);
  const elf = path.join(dir, `${name}.elf`);
  fs.writeFileSync(src, source);
  execFileSync('aarch64-linux-gnu-as', ['-o', obj, src]);
  // -N: one RWX segment without the ELF headers, so the only loaded bytes are the program's.
  execFileSync('aarch64-linux-gnu-ld', ['-N', '--no-warn-rwx-segments', '-e', '_start', `-Ttext=0x${textAddr.toString(16)}`, '-o', elf, obj]);
  return elf;
}

/**
 * A minimal, well-formed ELF64 little-endian executable for x86-64 (e_machine 62) with one
 * PT_LOAD segment holding a `ret`: valid ELF, wrong architecture. Built by hand so the test
 * does not depend on the host's architecture or compiler. Layout per the System V gABI.
 */
export function x86_64Elf(): Buffer {
  const EHDR = 64;
  const PHDR = 56;
  const code = Buffer.from([0xc3]); // ret
  const b = Buffer.alloc(EHDR + PHDR + code.length);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */], 0);
  b.writeUInt16LE(2, 16); // e_type ET_EXEC
  b.writeUInt16LE(62, 18); // e_machine EM_X86_64
  b.writeUInt32LE(1, 20); // e_version
  b.writeBigUInt64LE(0x400000n + BigInt(EHDR + PHDR), 24); // e_entry
  b.writeBigUInt64LE(BigInt(EHDR), 32); // e_phoff
  b.writeUInt16LE(EHDR, 52); // e_ehsize
  b.writeUInt16LE(PHDR, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt16LE(64, 58); // e_shentsize
  const p = EHDR;
  b.writeUInt32LE(1, p); // p_type PT_LOAD
  b.writeUInt32LE(5, p + 4); // p_flags R+X
  b.writeBigUInt64LE(0n, p + 8); // p_offset
  b.writeBigUInt64LE(0x400000n, p + 16); // p_vaddr
  b.writeBigUInt64LE(0x400000n, p + 24); // p_paddr
  b.writeBigUInt64LE(BigInt(b.length), p + 32); // p_filesz
  b.writeBigUInt64LE(BigInt(b.length), p + 40); // p_memsz
  b.writeBigUInt64LE(0x1000n, p + 48); // p_align
  b.set(code, EHDR + PHDR);
  return b;
}
