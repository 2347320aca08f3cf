/**
 * Issue 7: the RSP fuzzer (test/fuzz/rsp-fuzz.ts) for a few seconds against a live server:
 * random bytes, grammar-built packets and mutated captures of a real gdb session; the
 * server must stay up, keep answering `?` correctly and keep its memory bounded.
 * `make fuzz FUZZ_SECONDS=600` runs the same for as long as asked.
 * FUZZ_SEED replays a reported seed.
 */
import { fuzzServer } from '../fuzz/rsp-fuzz';

test('the server survives a few seconds of fuzzing and still answers ? correctly', async () => {
  const report = await fuzzServer({ seconds: 6, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, healthEvery: 20 });
  const summary = `seed ${report.seed}: ${report.cases} cases (${JSON.stringify(report.byKind)}), ${report.healthChecks} health checks, RSS ${report.rssFirstKiB} → ${report.rssLastKiB} KiB (max ${report.rssMaxKiB})`;
  expect({ summary, failure: report.failure }).toEqual({ summary, failure: undefined });
  expect(report.cases).toBeGreaterThan(20);
  expect(report.byKind.bytes + report.byKind.grammar + report.byKind.capture).toBe(report.cases);
  for (const k of ['bytes', 'grammar', 'capture'] as const) expect(report.byKind[k]).toBeGreaterThan(0);
  expect(report.healthChecks).toBeGreaterThanOrEqual(3);
}, 120_000);
