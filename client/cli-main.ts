import { USAGE } from './cli-usage';

// The CLI's entry point: the package's bin is this file bundled (scripts/package/cli-bundle.ts); in a checkout,
// client/bin/pg-rotator.mjs loads it from source through tsx. `pg-rotator` alone or `pg-rotator --help` is answered
// before the rest loads: evaluating the request schemas and the Lambda client takes about as long again as Node's own
// start (bench/cli-startup.ts). Anything else, --help among other arguments included, goes through runCli.
const argv = process.argv.slice(2);
if (argv.length === 0 || (argv.length === 1 && argv[0] === '--help')) {
  process.stdout.write(`${USAGE}\n`);
} else {
  const { processIo, runCli } = await import('./cli');
  process.exitCode = await runCli(argv, processIo());
}
