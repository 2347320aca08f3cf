/**
 * `G` on a CPU held from outside (`--wait`: CPU 0 at the ELF entry, its real registers): a
 * `G` that changes PSTATE.SPSel sets the SP of the new mode to the packet's sp, as `g` then
 * shows it (gdb's sp is the SP of the mode cpsr names). Real gdb-multiarch, whose Python
 * builds the `G` from the `g` reply within one session (`maint packet`), against the real
 * server.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertGdbOk, killAll, runGdb, startServe } from '../helpers/gdb';

afterAll(async () => {
  await killAll();
});

/** gdb Python: read g, write G with sp = 0x40001230 and cpsr switched to EL1t, read g again. */
const SCRIPT = String.raw`
import gdb, re, struct
def packet(p):
    out = gdb.execute("maint packet " + p, to_string=True)
    return re.search(r'received: "([^"]*)"', out).group(1)
packet("Hg1")  # gdb's own Hg may name another thread after info threads
g = packet("g")
cpsr = struct.unpack("<I", bytes.fromhex(g[33*16:33*16+8]))[0]
print("@@before cpsr=%x" % cpsr)
G = g[:31*16] + struct.pack("<Q", 0x40001230).hex() + g[32*16:33*16] + struct.pack("<I", (cpsr & ~0xf) | 0x4).hex() + g[33*16+8:]
print("@@G " + packet("G" + G))
after = packet("g")
print("@@after sp=%x cpsr=%x" % (struct.unpack("<Q", bytes.fromhex(after[31*16:32*16]))[0], struct.unpack("<I", bytes.fromhex(after[33*16:33*16+8]))[0]))
`;

test('G switching SPSel writes sp into the new mode\'s SP', async () => {
  const server = await startServe({ wait: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kgdb-lab-g-'));
  const script = path.join(dir, 'g.py');
  fs.writeFileSync(script, SCRIPT);
  try {
    const r = await runGdb({ port: server.port, commands: ['info threads'], scripts: [script] });
    assertGdbOk(r, server);
    expect(r.stdout).toMatch(/held at the first instruction/);
    const before = /^@@before cpsr=([0-9a-f]+)$/m.exec(r.stdout);
    expect(Number.parseInt(before?.[1] ?? '', 16) & 0xf).toBe(0x5); // EL1h at the entry
    expect(r.stdout).toMatch(/^@@G OK$/m);
    const after = /^@@after sp=([0-9a-f]+) cpsr=([0-9a-f]+)$/m.exec(r.stdout);
    expect(after?.[1]).toBe('40001230');
    expect(Number.parseInt(after?.[2] ?? '', 16) & 0xf).toBe(0x4);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

test.each([
  ['held from outside (--wait)', { wait: true }],
  ['the kgdb master (pt_regs)', {}],
])('a cpsr naming a mode the CPU lacks (EL2h, AArch32, M[1] set) is refused and changes nothing: %s', async (_what, o) => {
  const server = await startServe(o);
  const r = await runGdb({
    port: server.port,
    commands: ['p/x $cpsr', 'set $cpsr = ($cpsr & ~0x1f) | 0x9', 'set $cpsr = ($cpsr & ~0x1f) | 0x10', 'set $cpsr = ($cpsr & ~0x1f) | 0x6', 'p/x $cpsr', 'set $cpsr = ($cpsr & ~0x1f) | 0x4', 'p/x $cpsr & 0x1f'],
  });
  assertGdbOk(r, server);
  const values = [...r.stdout.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1]);
  // Three refusals, each a gdb error; the value read back is the one before them.
  expect(r.stderr.match(/Could not write register "cpsr"; remote failure reply 'E16'/g)).toHaveLength(3);
  expect(values[1]).toBe(values[0]);
  expect(Number(values[0]) & 0x1f).toBe(0x5); // EL1h
  // A mode the CPU has is written.
  expect(values[2]).toBe('0x4');
}, 120_000);
