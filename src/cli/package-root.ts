import * as fs from 'fs';
import * as path from 'path';

/**
 * The package root (the folder holding package.json, bin/ and guest/). This file sits two
 * levels below it both as source (src/cli/) and compiled (dist/cli/), so the answer does not
 * depend on the current directory or on how the CLI was started (bin/kgdb-lab.js, npx, a
 * global npm link).
 */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** The guest kernel shipped with the package, run when no `--kernel` is given. */
export const BUNDLED_KERNEL = path.join(PACKAGE_ROOT, 'guest', 'kgdb-lab-guest.elf');

/**
 * The `version` field of the package's package.json, read at run time (tsconfig.build.json
 * roots the build at src/, so the JSON cannot be imported).
 * @throws Error if package.json is missing or has no version string.
 */
export function packageVersion(): string {
  const pkg: unknown = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  const version = (pkg as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error(`no version in ${PACKAGE_ROOT}/package.json`);
  return version;
}
