/**
 * Locations of the guest programs and a once-per-process `make -C guest tests`.
 *
 * Several jest workers may ask for a build at the same time, so the make runs under
 * `flock` on guest/tests/build/.lock (util-linux), which serializes concurrent builds.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Repository root (absolute). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const GUEST_DIR = path.join(ROOT, 'guest');
/** Where `make -C guest tests` puts the test ELFs. */
export const TEST_BUILD_DIR = path.join(GUEST_DIR, 'tests', 'build');

let built = false;

/**
 * Build every guest test program (incremental; a no-op when up to date).
 * @throws Error with make's output when the build fails
 */
export function buildGuestTests(): void {
  if (built) return;
  fs.mkdirSync(TEST_BUILD_DIR, { recursive: true });
  try {
    execFileSync('flock', [path.join(TEST_BUILD_DIR, '.lock'), 'make', '--no-print-directory', '-C', GUEST_DIR, 'tests'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`make -C guest tests failed: ${err.message}\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
  }
  built = true;
}

/** Absolute path of test program `name` (e.g. "alu" → guest/tests/build/alu.elf). */
export function testElf(name: string): string {
  return path.join(TEST_BUILD_DIR, `${name}.elf`);
}
