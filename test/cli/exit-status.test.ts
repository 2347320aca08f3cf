/** How a machine exit maps to the CLI's exit status (src/cli/run.ts exitStatusFor). */
import { exitStatusFor } from '../../src/cli/run';

test.each([
  ['system-off', undefined, 0],
  ['system-off', 'timeout', 0], // the guest's own power-off wins over a simultaneous timeout
  ['system-reset', undefined, 0],
  ['stopped', undefined, 1],
  ['stopped', 'timeout', 1],
  ['halted', 'timeout', 124],
  ['halted', 'SIGINT', 130],
  ['halted', 'SIGTERM', 143],
  ['halted', undefined, 1],
] as const)('%s (halted by %s) → %i', (reason, cause, status) => {
  expect(exitStatusFor({ reason, detail: '' }, cause)).toBe(status);
});
