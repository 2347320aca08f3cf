/**
 * The command line without a machine: help, version, and usage errors, which must each be
 * exactly one line `kgdb-lab: <message>` on stderr with exit status 2 and nothing on stdout.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, requireBuild, runCli, tempDir, x86_64Elf, type CliResult } from './helpers';

beforeAll(requireBuild);

/** The contract for every usage error. */
function expectUsageError(r: CliResult, pattern: RegExp): void {
  expect(r.stderrLines).toHaveLength(1);
  expect(r.stderrLines[0]).toMatch(/^kgdb-lab: \S/);
  expect(r.stderrLines[0]).toMatch(pattern);
  expect(r.stdout.length).toBe(0);
  expect(r.status).toBe(2);
}

describe('help and version', () => {
  test('--help lists the run command and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/kgdb-lab run/);
    expect(r.stderr).toBe('');
  });

  test('run --help lists every option of the shared table', async () => {
    const r = await runCli(['run', '--help']);
    expect(r.status).toBe(0);
    const help = r.stdout.toString();
    for (const flag of ['--kernel', '--cpus', '--memory', '--append', '--icount', '--timeout', '--log-level']) {
      expect(help).toContain(flag);
    }
  });

  test('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.status).toBe(0);
    expect(r.stdout.toString().trim()).toBe(pkg.version);
  });
});

describe('command-line errors exit 2 with one line', () => {
  test.each([
    [['run', '--bogus'], /bogus/],
    [['frobnicate'], /frobnicate/],
    [[], /no command/],
    [['run', '--cpus', '0'], /--cpus.*1 to 256.*'0'/],
    [['run', '--cpus', '100000'], /--cpus.*'100000'/],
    [['run', '--cpus', '2.5'], /--cpus/],
    [['run', '--cpus', '0x10'], /--cpus/],
    [['run', '--cpus'], /cpus/],
    [['run', '--memory', 'abc'], /--memory.*'abc'/],
    [['run', '--memory', '8'], /--memory.*16 to 4096/],
    [['run', '--memory', '100000'], /--memory/],
    [['run', '--icount', '11'], /--icount.*0 to 10/],
    [['run', '--icount', 'fast'], /--icount/],
    [['run', '--timeout', '0'], /--timeout/],
    [['run', '--timeout', 'soon'], /--timeout.*'soon'/],
    [['run', '--log-level', 'chatty'], /log-level.*chatty/],
    [['run', '--kernel'], /kernel/],
    [['run', 'extra-positional'], /extra-positional/],
    // A switch given a value yargs would quietly read as false.
    [['run', '--gic-trace=maybe'], /--gic-trace is a switch.*'maybe'/],
    [['serve', '--wait=1'], /--wait is a switch.*'1'/],
    [['serve', '--json=yes', '--port', '0'], /--json is a switch.*'yes'/],
  ])('%j', async (args, pattern) => {
    expectUsageError(await runCli(args as string[]), pattern);
  });
});

describe('kernel file errors exit 2 with one line naming the file', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.remove());

  test('missing file', async () => {
    const f = path.join(tmp.dir, 'no-such.elf');
    expectUsageError(await runCli(['run', '--kernel', f]), new RegExp(`${f}.*no such file`));
  });

  test('a directory', async () => {
    expectUsageError(await runCli(['run', '--kernel', tmp.dir]), /not a regular file/);
  });

  // Root reads any file whatever its mode, so the check only means something for other users.
  (process.getuid?.() === 0 ? test.skip : test)('a file without read permission', async () => {
    const f = path.join(tmp.dir, 'secret.elf');
    fs.writeFileSync(f, x86_64Elf());
    fs.chmodSync(f, 0o000);
    expectUsageError(await runCli(['run', '--kernel', f]), /permission denied/);
  });

  test('a relative path is resolved against the current directory', async () => {
    expectUsageError(await runCli(['run', '--kernel', 'no-such.elf'], { cwd: tmp.dir }), new RegExp(`${tmp.dir}/no-such.elf`));
  });

  test('a file that is not ELF', async () => {
    const f = path.join(tmp.dir, 'notes.txt');
    fs.writeFileSync(f, 'this is not an ELF file\n'.repeat(8));
    expectUsageError(await runCli(['run', '--kernel', f]), new RegExp(f));
  });

  test('an empty file', async () => {
    const f = path.join(tmp.dir, 'empty.elf');
    fs.writeFileSync(f, '');
    expectUsageError(await runCli(['run', '--kernel', f]), new RegExp(f));
  });

  test('an x86-64 ELF', async () => {
    const f = path.join(tmp.dir, 'x86.elf');
    fs.writeFileSync(f, x86_64Elf());
    expectUsageError(await runCli(['run', '--kernel', f]), /aarch64|machine|architecture|x86/i);
  });
});
