/**
 * encodeHex (src/rsp/hex.ts) switches to Node's native encoder for long inputs (bulk `m`
 * replies); both paths must give the same lowercase hex pairs, also for views into the
 * middle of a larger buffer.
 */
import fc from 'fast-check';
import { decodeHex, encodeHex } from '../../src/rsp/hex';

function reference(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

test('encodeHex matches a per-byte reference on both sides of the native threshold, and round-trips', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.nat(16), (data, skip) => {
      const view = data.subarray(Math.min(skip, data.length));
      const hex = encodeHex(view);
      expect(Buffer.from(hex).toString('latin1')).toBe(reference(view));
      expect(Array.from(decodeHex(hex) ?? [])).toEqual(Array.from(view));
    }),
    { seed: 8, numRuns: 300 },
  );
});
