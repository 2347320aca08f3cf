/**
 * Snapshots of the bundled guest's progress through gdb, for tests asking "which CPUs
 * ran?": each CPU's pc and the hardlockup scenario's kgdb_lab_compute_result[0..3] (CPUs 0
 * and 3 compute them without pause, thousands of times a quantum).
 */

/** One snapshot per `@@snap@@` in gdb's output. */
export interface Snapshot {
  /** Each CPU's pc as gdb shows it (`thread apply all print/x $pc`). */
  pcs: Map<number, bigint>;
  /** kgdb_lab_compute_result[0..3], as gdb prints them (hex text). */
  results: string[];
}

/** The gdb commands that take one snapshot. */
export const SNAPSHOT = ['echo @@snap@@\\n', 'thread apply all print/x $pc', 'print/x kgdb_lab_compute_result[0]@4'];

/** The snapshots in gdb's stdout, in order. */
export function snapshots(text: string): Snapshot[] {
  return text
    .split('@@snap@@\n')
    .slice(1)
    .map((part) => {
      const pcs = new Map<number, bigint>();
      let cpu: number | undefined;
      let results: string[] = [];
      for (const line of part.split('\n')) {
        const head = /^Thread \d+ \(Thread \d+ "CPU#(\d+)"/.exec(line);
        if (head) cpu = Number(head[1]);
        const pc = /^\$\d+ = (0x[0-9a-f]+)$/.exec(line);
        if (pc && cpu !== undefined) {
          pcs.set(cpu, BigInt(pc[1]));
          cpu = undefined;
        }
        const res = /^\$\d+ = \{(0x.*)\}$/.exec(line);
        if (res && results.length === 0) results = res[1].split(', ');
      }
      return { pcs, results };
    });
}
