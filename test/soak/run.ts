/**
 * `make soak`: SOAK_SECONDS (default 600) of real gdb continue / Ctrl-C / breakpoint cycles
 * on a 16-CPU machine (SOAK_CPUS to change), then the report: cycles done, failures, the
 * server's resident memory at start and end. Exit status 1 when any cycle failed.
 */
import { formatSoak, soak } from './soak';

async function main(): Promise<number> {
  const seconds = Number(process.env.SOAK_SECONDS ?? '600');
  const cpus = Number(process.env.SOAK_CPUS ?? '16');
  if (!(seconds > 0) || !Number.isInteger(cpus) || cpus < 4 || cpus > 256) {
    process.stderr.write('soak: SOAK_SECONDS must be a positive number and SOAK_CPUS a whole number from 4 to 256\n');
    return 2;
  }
  const report = await soak({ seconds, cpus, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${formatSoak(report)}\n`);
  return report.failures.length === 0 && report.cycles > 0 ? 0 : 1;
}

main().then(
  (status) => process.exit(status),
  (e) => {
    process.stderr.write(`soak: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
