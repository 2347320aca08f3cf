/**
 * Rows of cells as aligned text: columns two spaces apart, each as wide as its widest
 * cell, trailing blanks trimmed; one string per row (no newline).
 */
export function formatColumns(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd());
}

/** A byte value as 0x-prefixed hex of at least two digits ("0x60"). */
export function hexByte(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** A 64-bit value as 0x-prefixed hex ("0x40200800"). */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
