import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Assemble A64 snippets with binutils (aarch64-linux-gnu-as, then objcopy -O binary) for
 * unit tests, the pattern lbguilherme/arm64-jit-vm-wasm uses in spec/instructions/helpers.ts.
 * Results are cached in memory and on disk (os.tmpdir()/kgdb-lab-asm-cache, keyed by a
 * hash of the source and the assembler flags), so repeated test runs do not re-run `as`.
 */

const AS = 'aarch64-linux-gnu-as';
const OBJCOPY = 'aarch64-linux-gnu-objcopy';
/** Accept every extension binutils 2.40 knows at armv8-a level plus CRC (as a Cortex-A57 has). */
const AS_FLAGS = ['-march=armv8-a+crc'];
const CACHE_DIR = path.join(os.tmpdir(), 'kgdb-lab-asm-cache');

const memo = new Map<string, number[]>();

/**
 * Assemble `source` (GNU as syntax, any number of lines) and return the .text section as
 * little-endian 32-bit words (unsigned numbers).
 * @throws Error with the assembler's message when the source does not assemble.
 */
export function assemble(source: string): number[] {
  const text = source.endsWith('\n') ? source : source + '\n';
  const key = createHash('sha1').update(AS_FLAGS.join(' ')).update('\0').update(text).digest('hex');
  const hit = memo.get(key);
  if (hit) return hit;
  const cacheFile = path.join(CACHE_DIR, `${key}.bin`);
  let bytes: Buffer;
  if (fs.existsSync(cacheFile)) {
    bytes = fs.readFileSync(cacheFile);
  } else {
    bytes = runAssembler(text);
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename so a concurrently running jest worker never reads a partial file.
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, cacheFile);
  }
  if (bytes.length % 4 !== 0) throw new Error(`assembled .text is ${bytes.length} bytes, not a multiple of 4`);
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(bytes.readUInt32LE(i));
  memo.set(key, words);
  return words;
}

/**
 * Assemble one instruction per entry and return one word per entry, in order.
 * @throws Error if the snippet does not assemble or some entry did not give exactly one word.
 */
export function assembleLines(lines: readonly string[]): number[] {
  const words = assemble(lines.join('\n'));
  if (words.length !== lines.length) {
    throw new Error(`expected ${lines.length} instructions, assembler produced ${words.length} words`);
  }
  return words;
}

function runAssembler(text: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-asm-'));
  try {
    const src = path.join(dir, 'in.s');
    const obj = path.join(dir, 'in.o');
    const bin = path.join(dir, 'in.bin');
    fs.writeFileSync(src, text);
    try {
      execFileSync(AS, [...AS_FLAGS, '-o', obj, src], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
      throw new Error(`${AS} failed:\n${stderr}\nsource:\n${text}`);
    }
    execFileSync(OBJCOPY, ['-O', 'binary', '-j', '.text', obj, bin], { stdio: ['ignore', 'pipe', 'pipe'] });
    return fs.readFileSync(bin);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
