/**
 * Scheduler alarms under --icount fire at an exact instruction count, and an alarm that
 * stops the machine (how `kgdb-lab compare` pauses both runs at the same machine time) is
 * followed by no further CPU turn: machine time stays exactly where the alarm fired.
 */
import { Scheduler } from '../../src/machine/scheduler';
import { RunState, type Cpu } from '../../src/machine/cpu/cpu';

/** A CPU that always retires its whole budget. */
function fakeCpu(): Cpu {
  const c = {
    state: RunState.Running,
    qn: 0,
    retired: 0,
    exitRequested: false,
    limit: 0,
    run(budget: number): number {
      c.retired += budget;
      return budget;
    },
  };
  return c as unknown as Cpu;
}

test('an alarm that stops the scheduler leaves machine time at the alarm', async () => {
  const cpus = [fakeCpu(), fakeCpu()];
  const s = new Scheduler(cpus, { poll: () => {}, nextDeadlineNs: () => Infinity, flush: () => {} }, 4);
  const at = 16 * 10_000 + 16 * 7; // 10 007 instructions of 16 ns
  let firedAt = -1;
  s.at(at, () => {
    firedAt = s.nowNs();
    s.stop();
  });
  await s.run();
  expect(firedAt).toBe(at);
  expect(s.nowNs()).toBe(at);
  // Running on to a later alarm continues from there, exactly.
  s.at(at + 16 * 5000, () => s.stop());
  await s.run();
  expect(s.nowNs()).toBe(at + 16 * 5000);
});
