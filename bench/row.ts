/** One line of the `make bench` table: our figure, QEMU's, their ratio and the goal. */
export interface Row {
  /** Row id as in the issue ("1", "2/64", ...). */
  id: string;
  what: string;
  unit: string;
  /** Our figure (undefined when it could not be measured; see `note`). */
  ours?: number;
  qemu?: number;
  /** Which way is better, for the ratio's meaning. */
  better: 'higher' | 'lower';
  goal: string;
  /** Whether our figure meets the goal (undefined when not measured). */
  met?: boolean;
  /** Raw measurements and anything needed to interpret the figures. */
  detail: Record<string, unknown>;
  note?: string;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The p-th percentile (0..100), nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Run `f`, turning a failure into an undefined figure plus a note, so one broken row does not lose the others. */
export async function attempt<T>(what: string, f: () => Promise<T>, notes: string[]): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    notes.push(`${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return undefined;
  }
}
