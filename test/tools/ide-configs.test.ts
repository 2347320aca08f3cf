/**
 * The IDE configurations in README.md ("IDE configurations"): every VS Code snippet is valid
 * JSON pointing at the bundled guest on 127.0.0.1:1234, and the cppdbg snippet's commands
 * are run against a real server the way the C/C++ extension runs them: gdb in MI mode
 * (`--interpreter=mi`), the setupCommands in order, then the program and
 * `-target-select remote miDebuggerServerAddress` (port replaced by the test server's).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../helpers/guest-build';
import { killAll, startServe } from '../helpers/gdb';

afterEach(killAll);

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The JSON block after `<!-- snippet: NAME -->`, with ${workspaceFolder} as the checkout. */
function snippet(name: string): { configurations: Record<string, unknown>[] } {
  const at = readme.indexOf(`<!-- snippet: ${name} -->`);
  expect({ name, found: at >= 0 }).toEqual({ name, found: true });
  const block = /```json\n([\s\S]*?)\n```/.exec(readme.slice(at));
  return JSON.parse((block?.[1] ?? '').replaceAll('${workspaceFolder}', ROOT));
}

test.each([
  ['vscode-cppdbg', 'program', 'miDebuggerServerAddress'],
  ['vscode-cortex-debug', 'executable', 'gdbTarget'],
  ['vscode-native-debug', 'executable', 'target'],
])('%s: valid JSON, the bundled guest ELF, 127.0.0.1:1234', (name, elfKey, addrKey) => {
  const [config] = snippet(name).configurations;
  expect(config[elfKey]).toBe(path.join(ROOT, 'guest', 'kgdb-lab-guest.elf'));
  expect(fs.existsSync(config[elfKey] as string)).toBe(true);
  expect(config[addrKey]).toBe('127.0.0.1:1234');
});

interface MiResult {
  token: number;
  cls: string;
  body: string;
}

test('the cppdbg setupCommands, run as the C/C++ extension runs them, attach and list every CPU with name and core', async () => {
  const [config] = snippet('vscode-cppdbg').configurations as [
    { program: string; cwd: string; miDebuggerPath: string; miDebuggerServerAddress: string; setupCommands: { text: string; ignoreFailures?: boolean }[] },
  ];
  const server = await startServe({ scenario: 'hardlockup' });
  const address = config.miDebuggerServerAddress.replace(/:1234$/, `:${server.port}`);
  const commands = [
    ...config.setupCommands.map((c) => c.text),
    `-environment-cd ${config.cwd}`,
    `-file-exec-and-symbols ${config.program}`,
    `-target-select remote ${address}`,
    '-thread-info',
    '-stack-list-frames',
    '-target-detach',
  ];
  // Each command gets a token (its index + 1) so its result record can be found.
  const input = commands.map((c, i) => `${i + 1}${c}\n`).join('') + '-gdb-exit\n';
  const gdb = spawn(config.miDebuggerPath, ['--interpreter=mi', '-q', '-nx'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  gdb.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  gdb.stdin.end(input);
  const killer = setTimeout(() => gdb.kill('SIGKILL'), 60_000);
  const status = await new Promise<number | null>((resolve) => gdb.on('close', (code) => resolve(code)));
  clearTimeout(killer);
  await server.stop();

  const results = new Map<number, MiResult>();
  for (const m of out.matchAll(/^(\d+)\^(done|connected|error|running)(?:,(.*))?$/gm)) results.set(Number(m[1]), { token: Number(m[1]), cls: m[2], body: m[3] ?? '' });
  const failures = commands
    .map((c, i) => ({ command: c, result: results.get(i + 1) }))
    .filter(({ command, result }, i) => {
      const ignore = config.setupCommands[i]?.ignoreFailures === true;
      return !result || (result.cls === 'error' && !ignore);
    });
  expect({ status, failures, out: failures.length ? out : '' }).toEqual({ status: 0, failures: [], out: '' });

  const n = config.setupCommands.length;
  expect(results.get(n + 3)?.cls).toBe('connected');
  // One `{id="N",…}` object per thread; the attribute order is gdb's business.
  const threads = (results.get(n + 4)?.body ?? '')
    .split(/(?=\{id=")/)
    .filter((t) => t.startsWith('{id="'))
    .map((t) => ({
      id: Number(/^\{id="(\d+)"/.exec(t)?.[1]),
      name: /,name="([^"]*)"/.exec(t)?.[1],
      details: /,details="([^"]*)"/.exec(t)?.[1],
      core: Number(/,core="(\d+)"/.exec(t)?.[1]),
    }));
  expect(threads).toEqual([
    { id: 1, name: 'CPU#0', details: 'master', core: 0 },
    { id: 2, name: 'CPU#1', details: 'rounded up by NMI', core: 1 },
    { id: 3, name: 'CPU#2', details: 'rounded up by NMI', core: 2 },
    { id: 4, name: 'CPU#3', details: 'rounded up by NMI', core: 3 },
  ]);
  // The source directory from setupCommands lets gdb find the guest's sources.
  expect(results.get(n + 5)?.body).toMatch(/^stack=\[frame=\{level="0",addr="0x[0-9a-f]+",func="arch_kgdb_breakpoint",file="src\/arch\/arm64\/include\/asm\/kgdb.h",fullname="[^"]*\/guest\/src\/arch\/arm64\/include\/asm\/kgdb.h",line="\d+"/);
  expect(results.get(n + 6)?.cls).toBe('done');
});
