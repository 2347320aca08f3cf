/**
 * The committed table of normalisations between our disassembler (src/machine/cpu/disasm.ts)
 * and capstone 5 (@alexaltea/capstone-js, LLVM's AArch64 printer), used by
 * decode-capstone.test.ts. The disassembler prints what capstone prints wherever capstone
 * follows the ARM ARM; each rule below covers one place where it does not (a capstone printing
 * bug, or a capstone choice that differs from the ARM ARM's preferred disassembly), and says
 * why. A rule only rewrites a text that matches its pattern; the test counts how often each
 * rule was needed to make a pair equal, and fails on any pair no rule set reconciles.
 */

/** One normalisation: rewrite capstone's text and/or ours towards a common form. */
export interface AliasRule {
  /** Short identifier shown in the test summary. */
  readonly name: string;
  /** Why the texts differ. */
  readonly why: string;
  /** Rewrite capstone's text; undefined (or the same text) when the rule does not apply. */
  readonly capstone?: (text: string) => string | undefined;
  /** Rewrite our text; undefined (or the same text) when the rule does not apply. */
  readonly ours?: (text: string) => string | undefined;
}

/** Format a bigint the way capstone prints a signed immediate (#n up to 9, else #0x.., #-0x..). */
function capstoneImm(v: bigint): string {
  const m = v < 0n ? -v : v;
  const body = m > 9n ? `0x${m.toString(16)}` : m.toString(10);
  return `#${v < 0n ? '-' : ''}${body}`;
}

/** Parse `#0x..`, `#-0x..`, `#n` or `#-n` into a bigint. */
function parseImm(text: string): bigint {
  const neg = text.startsWith('#-');
  const body = text.slice(neg ? 2 : 1);
  const v = BigInt(body); // BigInt() accepts both "0x.." and decimal
  return neg ? -v : v;
}

export const ALIAS_RULES: readonly AliasRule[] = [
  {
    name: 'int32-min',
    why:
      'capstone prints the value -2^31 as "#-0xffffffff80000000" (it negates the value in 32 bits ' +
      'and then sign-extends the result), e.g. for MOVZ W0, #0x8000, LSL #16 or an ANDS/TST ' +
      'immediate of 0xffffffff80000000; the value is -0x80000000.',
    capstone: (t) => (t.includes('#-0xffffffff80000000') ? t.replace('#-0xffffffff80000000', '#-0x80000000') : undefined),
  },
  {
    name: 'post-index-negative',
    why:
      'capstone 5 prints a negative imm9 of a single-register post-index access (LDR/STR/LDRB/... ' +
      '[Xn], #imm) as an unsigned 64-bit number, e.g. "#0xffffffffffffff2e" for -0xd2; LLVM and ' +
      'the ARM ARM print the signed value. We print "#-0xd2".',
    capstone: (t) => {
      const m = /^(\S+ \S+ \[[^\]]+\], )#0x(f{8}[0-9a-f]{8})$/.exec(t);
      return m ? m[1] + capstoneImm(BigInt.asIntN(64, BigInt(`0x${m[2]}`))) : undefined;
    },
  },
  {
    name: 'prfop-unnamed',
    why:
      'For a PRFM/PRFUM prfop value with no name (type 11 or target 11) capstone prints an ' +
      'empty operand ("prfm , [x1]"); the ARM ARM prints the 5-bit value as #imm5.',
    ours: (t) => {
      const m = /^(prfu?m) #(?:0x)?[0-9a-f]+, (.*)$/.exec(t);
      return m ? `${m[1]} , ${m[2]}` : undefined;
    },
  },
  {
    name: 'ands-imm-signed',
    why:
      'capstone prints the bitmask immediate of 64-bit ANDS/TST (only those: AND/ORR/EOR and the ' +
      '32-bit forms are unsigned) as a signed value, e.g. "#-0x3fff" for 0xffffffffffffc001; ' +
      'the ARM ARM and binutils print it unsigned.',
    capstone: (t) => {
      const m = /^((?:ands x\w+, |tst )x\w+, )(#-\S+)$/.exec(t);
      return m ? m[1] + `#0x${BigInt.asUintN(64, parseImm(m[2])).toString(16)}` : undefined;
    },
  },
  {
    name: 'orr-mov-wide-preferred',
    why:
      'capstone prints every ORR Rd, ZR, #imm as MOV (bitmask immediate). The ARM ARM makes MOV ' +
      'the preferred disassembly only when !MoveWidePreferred(sf, N, imms, immr), i.e. when ' +
      'MOVZ/MOVN is not the preferred encoding of that value; we implement that pseudocode and ' +
      'print ORR otherwise (binutils uses a value-based variant that also keeps ORR for values ' +
      'with 15 or 16 zero bits, where the pseudocode still prefers MOV).',
    ours: (t) => {
      const m = /^orr (\w+), ([xw])zr, (#\S+)$/.exec(t);
      if (!m) return undefined;
      const width = m[2] === 'x' ? 64 : 32;
      return `mov ${m[1]}, ${capstoneImm(BigInt.asIntN(width, parseImm(m[3])))}`;
    },
  },
  {
    name: 'bfc-lsb-0',
    why:
      'For BFM Rd, ZR, #0, #imms (a field at bit 0) capstone prints BFC Rd, #0, #width (LLVM lets ' +
      'BFC "take precedence over its entire range"). The ARM ARM makes BFC the preferred ' +
      'disassembly only when imms < immr, so we print BFXIL Rd, ZR, #0, #width, as binutils does.',
    capstone: (t) => {
      const m = /^bfc ([xw])(\w+), #0, (#\S+)$/.exec(t);
      return m ? `bfxil ${m[1]}${m[2]}, ${m[1]}zr, #0, ${m[3]}` : undefined;
    },
  },
  {
    name: 'dsb-12-dfb',
    why:
      'capstone names DSB with CRm = 12 "dfb" (an old LLVM mnemonic not in the ARM ARM); the ' +
      'ARM ARM and binutils print "dsb #0xc".',
    ours: (t) => (t === 'dsb #0xc' ? 'dfb' : undefined),
  },
];

/**
 * Reconcile our text with capstone's using the rules.
 * @returns the names of the rules that were needed (empty when the texts are equal), or
 *          undefined when the texts differ even after applying every matching rule
 */
export function reconcile(ours: string, capstone: string): string[] | undefined {
  if (ours === capstone) return [];
  let a = ours;
  let b = capstone;
  const used: string[] = [];
  for (const rule of ALIAS_RULES) {
    const a2 = rule.ours?.(a);
    const b2 = rule.capstone?.(b);
    let applied = false;
    if (a2 !== undefined && a2 !== a) {
      a = a2;
      applied = true;
    }
    if (b2 !== undefined && b2 !== b) {
      b = b2;
      applied = true;
    }
    if (applied) used.push(rule.name);
  }
  return a === b ? used : undefined;
}
