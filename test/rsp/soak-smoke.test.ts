/**
 * Issue 7: a short run of the soak (test/soak/soak.ts; `make soak` runs it for 10 minutes):
 * real gdb continue / Ctrl-C / breakpoint cycles on 16 CPUs, every cycle checked. Keeps the
 * soak script working and catches a regression in the cycle itself quickly.
 */
import { formatSoak, soak } from '../soak/soak';

test('a few soak cycles on 16 CPUs: every stop lists all CPUs rounded up, every breakpoint lands on its CPU', async () => {
  const r = await soak({ seconds: 6, cpus: 16, cyclesPerSession: 4 });
  const text = formatSoak(r);
  expect({ failures: r.failures, text }).toEqual({ failures: [], text });
  expect(r.cycles).toBeGreaterThanOrEqual(4);
  expect(r.fullRoundups).toBe(r.cycles);
  expect(r.rssEndKiB).toBeGreaterThan(0);
}, 180_000);
