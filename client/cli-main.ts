import { processIo, runCli } from './cli';

// The entry point of `npx pg-rotator` (client/bin/pg-rotator.mjs loads it through tsx).
process.exitCode = await runCli(process.argv.slice(2), processIo());
