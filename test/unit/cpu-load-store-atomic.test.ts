import { DFSC_ALIGNMENT, EC_DATA_ABORT_SAME_EL } from '../../src/machine/cpu/exception';
import { LdstRig, MMIO, RAM, asm, asm1, esrDfsc, esrEc, esrWnR } from './helpers/assemble-ldst';

/**
 * ARMv8.1 LSE: LD<op>, SWP, CAS, CASP in every size and ordering, checked against a BigInt
 * reference model of the ARM ARM pseudocode (old value to Rt, op(old, Rs) to memory).
 */

const ADDR = RAM + 0x3000;
const SIZES: [string, number][] = [
  ['b', 1],
  ['h', 2],
  ['', 4],
  ['', 8],
];
const ORDERS = ['', 'a', 'l', 'al'];
const OPS = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin', 'swp'];

const mask = (bytes: number): bigint => (1n << BigInt(bytes * 8)) - 1n;
const sext = (v: bigint, bytes: number): bigint => BigInt.asIntN(bytes * 8, v);

/** Reference: the new memory value for `op` on `bytes`-byte operands (both taken mod 2^bits). */
function reference(op: string, old: bigint, rs: bigint, bytes: number): bigint {
  const m = mask(bytes);
  const o = old & m;
  const s = rs & m;
  switch (op) {
    case 'add':
      return (o + s) & m;
    case 'clr':
      return o & ~s & m;
    case 'eor':
      return o ^ s;
    case 'set':
      return o | s;
    case 'smax':
      return sext(o, bytes) >= sext(s, bytes) ? o : s;
    case 'smin':
      return sext(o, bytes) <= sext(s, bytes) ? o : s;
    case 'umax':
      return o >= s ? o : s;
    case 'umin':
      return o <= s ? o : s;
    default:
      return s;
  }
}

/** Deterministic operand values: edges of every width plus a xorshift stream. */
function operands(count: number): bigint[] {
  const edge = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, mask(8), 0x00000001_ffffffffn];
  const out = [...edge];
  let x = 0x9e3779b97f4a7c15n;
  while (out.length < count) {
    x ^= (x << 13n) & mask(8);
    x ^= x >> 7n;
    x ^= (x << 17n) & mask(8);
    out.push(x);
  }
  return out;
}

function mnemonic(op: string, order: string, suffix: string): string {
  return op === 'swp' ? `swp${order}${suffix}` : `ld${op}${order}${suffix}`;
}

describe('LD<op> and SWP', () => {
  const values = operands(24);
  for (const op of OPS) {
    test(`${op}: all sizes and orderings against the BigInt reference`, () => {
      const r = new LdstRig(1);
      const lines: string[] = [];
      const meta: [number][] = [];
      for (const [suffix, bytes] of SIZES) {
        for (const order of ORDERS) {
          const reg = bytes === 8 ? 'x' : 'w';
          lines.push(`${mnemonic(op, order, suffix)} ${reg}2, ${reg}3, [x1]`);
          meta.push([bytes]);
        }
      }
      const words = asm(lines);
      let checked = 0;
      words.forEach((w, i) => {
        const bytes = meta[i][0];
        for (let k = 0; k < values.length; k++) {
          const old = values[k];
          const rs = values[(k * 7 + 3) % values.length];
          r.poke(ADDR, 8, 0xeeeeeeeeeeeeeeeen);
          r.poke(ADDR, bytes, old);
          r.setX(0, 1, BigInt(ADDR));
          r.setX(0, 2, rs);
          r.setX(0, 3, 0xdeadn);
          expect(r.exec(w)).toBe('ok');
          const want = reference(op, old, rs, bytes);
          const tail = bytes === 8 ? 0n : 0xeeeeeeeeeeeeeeeen & ~mask(bytes);
          expect([lines[i], old, rs, r.peek(ADDR, 8)]).toEqual([lines[i], old, rs, tail | want]);
          expect([lines[i], old, rs, r.x(0, 3)]).toEqual([lines[i], old, rs, old & mask(bytes)]);
          expect(r.x(0, 2)).toBe(rs); // Rs unchanged
          checked++;
        }
      });
      expect(checked).toBe(16 * values.length);
    });
  }

  test('Rt == Rs: the operand is the original register', () => {
    const r = new LdstRig(1);
    r.poke(ADDR, 8, 5n);
    r.setX(0, 1, BigInt(ADDR));
    r.setX(0, 2, 7n);
    r.exec(asm1('ldaddal x2, x2, [x1]'));
    expect(r.peek(ADDR, 8)).toBe(12n);
    expect(r.x(0, 2)).toBe(5n);
  });

  test('ST<op> aliases (Rt = XZR) update memory only', () => {
    const r = new LdstRig(1);
    const words = asm(['stadd w2, [x1]', 'stclrl x2, [x1]', 'steorb w2, [x1]', 'stsmaxh w2, [x1]', 'stuminl x2, [x1]']);
    r.setX(0, 1, BigInt(ADDR));
    r.setX(0, 2, 0x0f0fn);
    r.poke(ADDR, 8, 0xffffffff_ffff0101n);
    r.exec(words[0]);
    expect(r.peek(ADDR, 8)).toBe(0xffffffff_ffff1010n);
    r.exec(words[1]);
    expect(r.peek(ADDR, 8)).toBe(0xffffffff_ffff1010n & ~0x0f0fn);
    r.exec(words[2]);
    expect(r.peek(ADDR, 8)).toBe(0xffffffff_ffff101fn);
    r.exec(words[3]); // signed max(0x101f, 0x0f0f)
    expect(r.peek(ADDR, 8)).toBe(0xffffffff_ffff101fn);
    r.exec(words[4]);
    expect(r.peek(ADDR, 8)).toBe(0x0f0fn);
    expect(r.cpus[0].lo[31]).toBe(0);
  });

  test('alignment faults come from the read (WnR = 0, as QEMU) and change nothing', () => {
    const r = new LdstRig(1);
    r.setX(0, 1, BigInt(ADDR + 2));
    r.setX(0, 3, 0x55n);
    r.poke(ADDR, 8, 0n);
    expect(r.exec(asm1('ldadd w2, w3, [x1]'))).toBe('exception');
    const c = r.cpus[0];
    expect(esrEc(c.esr)).toBe(EC_DATA_ABORT_SAME_EL);
    expect(esrDfsc(c.esr)).toBe(DFSC_ALIGNMENT);
    expect(esrWnR(c.esr)).toBe(0);
    expect(c.far).toBe(BigInt(ADDR + 2));
    expect(r.x(0, 3)).toBe(0x55n);
    expect(r.peek(ADDR, 8)).toBe(0n);
    r.setX(0, 1, BigInt(ADDR + 1));
    expect(r.exec(asm1('swph w2, w3, [x1]'))).toBe('exception');
    expect(r.exec(asm1('swpb w2, w3, [x1]'))).toBe('ok');
    r.setX(0, 1, BigInt(ADDR + 4));
    r.setX(0, 2, 1n);
    expect(r.exec(asm1('cas w2, w3, [x1]'))).toBe('ok');
    expect(r.x(0, 2)).toBe(0n); // the old value
    r.setX(0, 2, 1n);
    r.setX(0, 1, BigInt(ADDR + 6));
    expect(r.exec(asm1('cas w2, w3, [x1]'))).toBe('exception'); // faults even when the compare would fail
    expect(r.x(0, 2)).toBe(1n);
    r.setX(0, 1, 0x09ff0000n); // unmapped
    expect(r.exec(asm1('swp x2, x3, [x1]'))).toBe('exception');
    expect([esrDfsc(c.esr), esrWnR(c.esr), c.far]).toEqual([0x10, 0, 0x09ff0000n]);
  });

  test('on MMIO: a read followed by a write of the same size', () => {
    const r = new LdstRig(1);
    r.setX(0, 1, BigInt(MMIO + 0x10));
    r.setX(0, 2, 1n);
    r.exec(asm1('ldaddal x2, x3, [x1]'));
    expect(r.dev.log.map((a) => [a.write, a.offset, a.size, a.value])).toEqual([
      [false, 0x10, 4, 0xb3b2b1b0],
      [false, 0x14, 4, 0xb7b6b5b4],
      [true, 0x10, 4, 0xb3b2b1b1],
      [true, 0x14, 4, 0xb7b6b5b4],
    ]);
    expect(r.x(0, 3)).toBe(0xb7b6b5b4b3b2b1b0n);
  });
});

describe('CAS', () => {
  test('all sizes and orderings: success stores Rt, failure does not; Rs gets the old value', () => {
    const r = new LdstRig(1);
    for (const [suffix, bytes] of SIZES) {
      for (const order of ORDERS) {
        const reg = bytes === 8 ? 'x' : 'w';
        const text = `cas${order}${suffix} ${reg}2, ${reg}3, [x1]`;
        const w = asm1(text);
        const old = 0x8899aabbccddeeffn & mask(bytes);
        for (const hit of [true, false]) {
          r.poke(ADDR, 8, 0x1122334455667788n);
          r.poke(ADDR, bytes, old);
          r.setX(0, 1, BigInt(ADDR));
          // Compare value: only its low `bytes` bytes take part (upper bits are garbage).
          const cmp = hit ? (0xfedcba98_76543210n & ~mask(bytes)) | old : old ^ 1n;
          r.setX(0, 2, bytes === 4 ? cmp & mask(4) : cmp);
          r.setX(0, 3, 0x0102030405060708n);
          expect(r.exec(w)).toBe('ok');
          const stored = hit ? 0x0102030405060708n & mask(bytes) : old;
          const tail = bytes === 8 ? 0n : 0x1122334455667788n & ~mask(bytes);
          expect([text, hit, r.peek(ADDR, 8)]).toEqual([text, hit, tail | stored]);
          expect([text, hit, r.x(0, 2)]).toEqual([text, hit, old]);
        }
      }
    }
  });

  test('XZR as Rs compares with zero and discards the old value', () => {
    const r = new LdstRig(1);
    r.poke(ADDR, 8, 0n);
    r.setX(0, 1, BigInt(ADDR));
    r.setX(0, 3, 9n);
    r.exec(asm1('casal xzr, x3, [x1]'));
    expect(r.peek(ADDR, 8)).toBe(9n);
  });
});

describe('CASP', () => {
  test('W and X pairs, all orderings, match and mismatch', () => {
    const r = new LdstRig(1);
    for (const x of [false, true]) {
      const bytes = x ? 8 : 4;
      const reg = x ? 'x' : 'w';
      for (const order of ORDERS) {
        const text = `casp${order} ${reg}4, ${reg}5, ${reg}6, ${reg}7, [x1]`;
        const w = asm1(text);
        const m = mask(bytes);
        const o0 = 0xa1a2a3a4a5a6a7a8n & m;
        const o1 = 0xb1b2b3b4b5b6b7b8n & m;
        for (const hit of [true, false]) {
          r.poke(ADDR, 2 * bytes, (o1 << BigInt(bytes * 8)) | o0);
          r.setX(0, 1, BigInt(ADDR));
          r.setX(0, 4, o0);
          r.setX(0, 5, hit ? o1 : o1 ^ (1n << BigInt(bytes * 8 - 1)));
          r.setX(0, 6, 0x6666666666666666n & m);
          r.setX(0, 7, 0x7777777777777777n & m);
          expect(r.exec(w)).toBe('ok');
          const want = hit ? ((0x7777777777777777n & m) << BigInt(bytes * 8)) | (0x6666666666666666n & m) : (o1 << BigInt(bytes * 8)) | o0;
          expect([text, hit, r.peek(ADDR, 2 * bytes)]).toEqual([text, hit, want]);
          expect([r.x(0, 4), r.x(0, 5)]).toEqual([o0, o1]);
        }
      }
    }
  });

  test('X pairs need 16-byte alignment, W pairs 8', () => {
    const r = new LdstRig(1);
    r.setX(0, 1, BigInt(ADDR + 8));
    expect(r.exec(asm1('casp x4, x5, x6, x7, [x1]'))).toBe('exception');
    expect(esrDfsc(r.cpus[0].esr)).toBe(DFSC_ALIGNMENT);
    expect(esrWnR(r.cpus[0].esr)).toBe(0);
    expect(r.cpus[0].far).toBe(BigInt(ADDR + 8));
    expect(r.exec(asm1('casp w4, w5, w6, w7, [x1]'))).toBe('ok');
    r.setX(0, 1, BigInt(ADDR + 4));
    expect(r.exec(asm1('casp w4, w5, w6, w7, [x1]'))).toBe('exception');
  });

  test('register pair ending in XZR', () => {
    const r = new LdstRig(1);
    r.poke(ADDR, 16, (5n << 64n) | 4n);
    r.setX(0, 1, BigInt(ADDR));
    r.setX(0, 30, 4n);
    r.setX(0, 6, 0x66n);
    r.setX(0, 7, 0x77n);
    // Rs:Rs+1 = x30:xzr compares (4, 0) with memory (4, 5): mismatch; x30 gets 4, xzr discards 5.
    r.exec(asm1('casp x30, xzr, x6, x7, [x1]'));
    expect(r.peek(ADDR, 16)).toBe((5n << 64n) | 4n);
    expect(r.x(0, 30)).toBe(4n);
    expect(r.cpus[0].lo[31] | r.cpus[0].hi[31]).toBe(0);
    r.poke(ADDR, 16, 4n);
    r.exec(asm1('casp x30, xzr, x6, x7, [x1]'));
    expect(r.peek(ADDR, 16)).toBe((0x77n << 64n) | 0x66n);
  });
});
