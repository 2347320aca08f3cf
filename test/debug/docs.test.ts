/**
 * The documentation of the main job stays true to the code: `make run` is `kgdb-lab serve`,
 * the README's option table lists every `serve` option (and every `compare` option, with the
 * `--json` report's keys), and gdb-scripts/README.md lists every script there.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SERVE_OPTIONS } from '../../src/cli/serve';
import { COMPARE_OPTIONS, COMPARE_SCENARIOS } from '../../src/cli/compare';
import type { CompareReport, CpuModeFacts, ModeSummary } from '../../src/compare/report';
import { ROOT } from '../helpers/guest-build';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const makefile = fs.readFileSync(path.join(ROOT, 'Makefile'), 'utf8');

/** The README section that documents `serve`. */
function serveSection(): string {
  const start = readme.indexOf('## Debugging with gdb');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

test('make run serves the bundled guest', () => {
  const recipe = /^run:.*\n((?:\t.*\n)+)/m.exec(makefile);
  expect(recipe?.[1]).toBe('\tnode bin/kgdb-lab.js serve $(RUN_ARGS)\n');
  expect(readme).toMatch(/make run\s+# build, then serve the bundled guest to gdb/);
  expect(readme).toContain('| `run` | `build`, then `node bin/kgdb-lab.js serve $(RUN_ARGS)`');
});

test('the README option table has a row for every serve option', () => {
  const rows = serveSection()
    .split('\n')
    .filter((l) => l.startsWith('| `--'))
    .map((l) => /^\| `--([a-z-]+)/.exec(l)?.[1]);
  expect(rows.sort()).toEqual(Object.keys(SERVE_OPTIONS).sort());
});

test('every choice of --roundup, --scenario and --step-mode is documented', () => {
  const text = serveSection();
  for (const [name, opt] of Object.entries(SERVE_OPTIONS)) {
    const choices = (opt as { choices?: readonly string[] }).choices ?? [];
    for (const c of choices) expect({ option: name, documented: text.includes(`\`${c}\``) || text.includes(`${c}\\|`) || text.includes(`|${c}\``) }).toEqual({ option: name, documented: true });
  }
});

test('gdb-scripts/README.md covers every script, with its batch-mode command line', () => {
  const dir = path.join(ROOT, 'gdb-scripts');
  const doc = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
  const scripts = fs.readdirSync(dir).filter((f) => f.endsWith('.gdb'));
  expect(scripts.sort()).toEqual(['attach-and-show-all-cpus.gdb', 'break-continue-step.gdb', 'nmi-vs-fallback.gdb']);
  for (const s of scripts) {
    expect(doc).toContain(`gdb-multiarch -batch -ex 'directory guest' -x gdb-scripts/${s} guest/kgdb-lab-guest.elf`);
    expect(fs.readFileSync(path.join(dir, s), 'utf8')).toMatch(/^set remotetimeout \d+$/m);
  }
});

/** The README section that documents `compare`. */
function compareSection(): string {
  const start = readme.indexOf('## Comparing the two roundups (`kgdb-lab compare`)');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

test('the README documents every compare option, every scenario, and every key of the JSON report', () => {
  const text = compareSection();
  const rows = text
    .split('\n')
    .filter((l) => l.startsWith('| `--'))
    .map((l) => /^\| `--([a-z-]+)/.exec(l)?.[1]);
  expect(rows.sort()).toEqual(Object.keys(COMPARE_OPTIONS).sort());
  for (const s of COMPARE_SCENARIOS) expect({ scenario: s, documented: text.includes(`\`${s}\``) }).toEqual({ scenario: s, documented: true });
  // The keys of a report as the types define them (a sample built from the types' key lists).
  const keys: (keyof CompareReport | keyof ModeSummary | keyof CpuModeFacts)[] = [
    'version', 'kernel', 'scenario', 'cpus', 'icountShift', 'afterMs', 'roundupTimeoutMs', 'lingerMs', 'breakInUs', 'modes', 'rows',
    'mode', 'bootargs', 'steadyUs', 'enteredUs', 'masterCpu', 'stopReason', 'stopUs', 'timedOutUs', 'notRoundedUp', 'arrivedLate', 'releasedUs', 'console', 'events', 'hostMs',
    'outcome', 'state', 'takenAs', 'sgiSentUs', 'arrivedUs', 'latencyUs', 'why', 'doing', 'frames',
  ];
  for (const k of keys) expect({ key: k, documented: text.includes(`\`${k}\``) }).toEqual({ key: k, documented: true });
});
