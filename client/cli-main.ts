import { processIo, runCli } from './cli';

// The CLI's entry point: the package's bin is this file bundled (scripts/package/cli-bundle.ts); in a checkout,
// client/bin/pg-rotator.mjs loads it from source through tsx.
process.exitCode = await runCli(process.argv.slice(2), processIo());
