/**
 * Comparing guest console output between QEMU and kgdb-lab.
 *
 * Single-CPU programs must match byte for byte. Multi-CPU programs print whole lines
 * prefixed "[cpuN] " under a console lock; their interleaving depends on scheduling, so
 * they are compared per CPU: the sequence of lines each CPU printed must be identical.
 * Lines without a prefix (e.g. the runtime's end marker) form their own sequence under "-".
 */

/** The end-of-test marker printed by the guest test runtime (guest/tests/lib/rt.h). */
export const END_MARKER = '-- end of test --\n';

/** Split console text into lines per CPU: key "cpuN" (or "-" for unprefixed lines) → lines in order. */
export function linesPerCpu(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const m = /^\[(cpu\d+)\] /.exec(line);
    const key = m ? m[1] : '-';
    const body = m ? line.slice(m[0].length) : line;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(body);
  }
  return out;
}

/** Human-readable account of the first difference between two texts, or undefined if equal. */
export function firstDifference(expected: string, actual: string, context = 3): string | undefined {
  if (expected === actual) return undefined;
  const e = expected.split('\n');
  const a = actual.split('\n');
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const from = Math.max(0, i - context);
  const show = (lines: string[]): string =>
    lines
      .slice(from, i + context + 1)
      .map((l, k) => `${from + k + 1 === i + 1 ? '>' : ' '} ${String(from + k + 1).padStart(4)}: ${JSON.stringify(l)}`)
      .join('\n');
  return (
    `first difference at line ${i + 1} (QEMU has ${e.length} lines, kgdb-lab ${a.length}):\n` +
    `QEMU:\n${show(e)}\nkgdb-lab:\n${show(a)}`
  );
}

/** First per-CPU difference between two multi-CPU outputs, or undefined when every CPU's lines match. */
export function firstPerCpuDifference(expected: string, actual: string): string | undefined {
  const e = linesPerCpu(expected);
  const a = linesPerCpu(actual);
  const keys = [...new Set([...e.keys(), ...a.keys()])].sort();
  for (const k of keys) {
    const d = firstDifference((e.get(k) ?? []).join('\n'), (a.get(k) ?? []).join('\n'));
    if (d) return `lines of ${k}: ${d}`;
  }
  return undefined;
}

/** The Linux-style timestamp the bundled kernel puts before each line: "[    0.001234] ". */
export const TIMESTAMP = /^\[ *\d+\.\d{6}\] /;

/**
 * Remove the leading "[    1.234567] " timestamp of every line, so that outputs of two
 * machines (whose clocks differ) can be compared with linesPerCpu / firstPerCpuDifference.
 */
export function stripTimestamps(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(TIMESTAMP, ''))
    .join('\n');
}
