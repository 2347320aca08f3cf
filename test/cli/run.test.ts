/**
 * `kgdb-lab run` end to end: tiny AArch64 programs, assembled here with the cross binutils,
 * run on the emulated board through bin/kgdb-lab.js. They talk to the PL011 data register
 * (UARTDR, 0x09000000) and flag register (UARTFR, +0x18; RXFE is bit 4) and leave through
 * PSCI over HVC (x0 = function ID; SYSTEM_OFF 0x84000008, SYSTEM_RESET 0x84000009), as on
 * QEMU virt. stdin is an open pipe throughout, so each passing run also shows that an open
 * stdin does not keep the process alive after the guest stops.
 */
import { ROOT, buildAarch64Elf, requireBuild, runCli, tempDir } from './helpers';

/** x1 = UART0 base; x0 = a PSCI function ID; then HVC. */
const UART = 'movz x1, #0x0900, lsl #16';
const psci = (fn: number) => `movz x0, #0x${(fn & 0xffff).toString(16)}\n movk x0, #0x${(fn >>> 16).toString(16)}, lsl #16\n hvc #0`;
const SYSTEM_OFF = psci(0x84000008);
const SYSTEM_RESET = psci(0x84000009);
/** Store each byte to UARTDR (a 32-bit register; the data is bits [7:0]). */
const putBytes = (bytes: number[]) => bytes.map((b) => `mov w2, #${b}\n str w2, [x1]`).join('\n');

const program = (body: string) => `
  .text
  .global _start
_start:
  ${UART}
  ${body}
1: b 1b
`;

let tmp: ReturnType<typeof tempDir>;
const elf: Record<string, string> = {};

beforeAll(() => {
  requireBuild();
  tmp = tempDir();
  elf.hi = buildAarch64Elf(tmp.dir, 'hi', program(`${putBytes([0x68, 0x69, 0x0a])}\n${SYSTEM_OFF}`));
  elf.raw = buildAarch64Elf(tmp.dir, 'raw', program(`${putBytes([0x00, 0xff, 0x0d, 0x0a, 0x80])}\n${SYSTEM_OFF}`));
  elf.loop = buildAarch64Elf(tmp.dir, 'loop', program(''));
  elf.reset = buildAarch64Elf(tmp.dir, 'reset', program(`${putBytes([0x72])}\n${SYSTEM_RESET}`));
  elf.mmu = buildAarch64Elf(tmp.dir, 'mmu', program('mrs x0, sctlr_el1\n orr x0, x0, #1\n msr sctlr_el1, x0\n isb'));
  // Echo received bytes until 'q', then power off.
  elf.echo = buildAarch64Elf(
    tmp.dir,
    'echo',
    program(`
wait:
  ldr w2, [x1, #0x18]
  tbnz w2, #4, wait
  ldr w3, [x1]
  and w3, w3, #0xff
  str w3, [x1]
  cmp w3, #0x71
  b.ne wait
  ${SYSTEM_OFF}`),
  );
  elf.flash = buildAarch64Elf(tmp.dir, 'flash', program(SYSTEM_OFF), 0x20000000);
  elf.high = buildAarch64Elf(tmp.dir, 'high', program(SYSTEM_OFF), 0x41000000);
});
afterAll(() => tmp?.remove());

test('a guest that prints "hi" and calls SYSTEM_OFF: stdout "hi\\n", exit 0', async () => {
  const r = await runCli(['run', '--kernel', elf.hi]);
  expect(r.stdout.toString('latin1')).toBe('hi\n');
  expect(r.status).toBe(0);
});

test('the same guest with every machine option set', async () => {
  const r = await runCli(['run', '--kernel', elf.hi, '--cpus', '2', '--memory', '64', '--icount', '--append', 'a b', '--timeout', '20', '--log-level', 'silent']);
  expect(r.stdout.toString('latin1')).toBe('hi\n');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('console output is copied as raw bytes', async () => {
  const r = await runCli(['run', '--kernel', elf.raw, '--log-level', 'silent']);
  expect([...r.stdout]).toEqual([0x00, 0xff, 0x0d, 0x0a, 0x80]);
  expect(r.status).toBe(0);
});

test('logs are JSON lines on stderr, never on stdout', async () => {
  const r = await runCli(['run', '--kernel', elf.hi, '--log-level', 'info']);
  expect(r.stdout.toString('latin1')).toBe('hi\n');
  expect(r.stderrLines.length).toBeGreaterThan(0);
  for (const line of r.stderrLines) expect(() => JSON.parse(line)).not.toThrow();
});

test('stdin bytes reach the guest UART', async () => {
  const r = await runCli(['run', '--kernel', elf.echo, '--log-level', 'silent', '--timeout', '5'], { input: 'abq' });
  expect(r.stdout.toString('latin1')).toBe('abq');
  expect(r.status).toBe(0);
});

test('a guest that never stops is halted by --timeout with exit 124', async () => {
  const t0 = Date.now();
  const r = await runCli(['run', '--kernel', elf.loop, '--timeout', '1', '--log-level', 'silent']);
  const elapsed = Date.now() - t0;
  expect(r.status).toBe(124);
  expect(r.stderrLines).toEqual([expect.stringMatching(/^kgdb-lab: timeout/)]);
  expect(elapsed).toBeGreaterThanOrEqual(1000);
  expect(elapsed).toBeLessThan(15_000);
});

test('SYSTEM_RESET ends the run with exit 0 and says so on stderr', async () => {
  const r = await runCli(['run', '--kernel', elf.reset, '--log-level', 'silent']);
  expect(r.stdout.toString('latin1')).toBe('r');
  expect(r.status).toBe(0);
  expect(r.stderrLines).toEqual([expect.stringMatching(/^kgdb-lab: .*SYSTEM_RESET/)]);
});

test('a machine whose CPUs all stop exits 1 with the reason on stderr', async () => {
  const r = await runCli(['run', '--kernel', elf.mmu, '--log-level', 'silent']);
  expect(r.status).toBe(1);
  expect(r.stderrLines).toEqual([expect.stringMatching(/^kgdb-lab: machine stopped: .*MMU/)]);
});

test('segments outside RAM are a usage error, before anything runs', async () => {
  for (const [args, where] of [
    [['--kernel', elf.flash], '0x20000000'],
    [['--kernel', elf.high, '--memory', '16'], '0x41000000'],
  ] as const) {
    const r = await runCli(['run', ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderrLines).toEqual([expect.stringMatching(new RegExp(`^kgdb-lab: .*${where}`))]);
  }
});

test('SIGINT halts the machine with exit 130', async () => {
  const { spawn } = await import('child_process');
  const child = spawn(process.execPath, ['bin/kgdb-lab.js', 'run', '--kernel', elf.loop, '--log-level', 'info'], { cwd: ROOT });
  let stderr = '';
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // The signal handlers are in place once the machine has started (its log line says so).
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes('"machine starting"')) resolve();
    });
    child.on('close', () => resolve());
  });
  child.kill('SIGINT');
  const status = await done;
  clearTimeout(killer);
  expect(status).toBe(130);
  expect(stderr).toMatch(/^kgdb-lab: SIGINT/m);
});
