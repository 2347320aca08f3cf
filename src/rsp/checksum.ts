/**
 * The RSP packet checksum: "the two-digit checksum is computed as the modulo 256 sum of all
 * characters between the leading '$' and the trailing '#' (an eight bit unsigned checksum)"
 * (gdb manual, "Overview"). It covers the bytes as transmitted, i.e. after `}` escaping and
 * run-length encoding.
 */

/**
 * The modulo-256 sum of `bytes[start..end)`.
 * @returns 0..255
 */
export function checksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i];
  return sum & 0xff;
}
