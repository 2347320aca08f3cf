/**
 * `make fuzz`: run the RSP fuzzer (rsp-fuzz.ts) for FUZZ_SECONDS (default 60) against a
 * live server and print the cases tried per generator, the health checks and the server's
 * resident memory. FUZZ_SEED replays a seed. Exit status 1 on a failed property.
 */
import { fuzzServer } from './rsp-fuzz';

async function main(): Promise<number> {
  const seconds = Number(process.env.FUZZ_SECONDS ?? '60');
  if (!(seconds > 0)) {
    process.stderr.write(`fuzz: FUZZ_SECONDS must be a positive number of seconds, got '${process.env.FUZZ_SECONDS}'\n`);
    return 2;
  }
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
  const report = await fuzzServer({ seconds, seed, log: (l) => process.stdout.write(`${l}\n`) });
  const k = report.byKind;
  process.stdout.write(
    `fuzz: seed ${report.seed}: ${report.cases} cases tried in ${seconds} s ` +
      `(${k.bytes} random bytes, ${k.grammar} grammar-built, ${k.capture} mutated captures), ` +
      `${report.healthChecks} health checks, server RSS ${report.rssFirstKiB} KiB at the first check, ` +
      `${report.rssLastKiB} KiB at the last (max ${report.rssMaxKiB})\n`,
  );
  if (report.failure) {
    process.stdout.write(`fuzz: FAILED (replay with FUZZ_SEED=${report.seed})\n${report.failure}\n`);
    return 1;
  }
  process.stdout.write('fuzz: OK\n');
  return 0;
}

main().then(
  (status) => process.exit(status),
  (e) => {
    process.stderr.write(`fuzz: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
