/**
 * `npm run bench:cli`: how long `pg-rotator --help` takes as a user runs it, the built CLI (dist/cli/pg-rotator.mjs,
 * bundled: an entry that answers --help and a chunk for the rest), beside the same CLI as tsc's unbundled modules and
 * through tsx from the sources, and bare `node`.
 * Whole processes, median of 15 after one warm-up each, the subjects taking turns. Target: at most 0.3 s for the built
 * CLI on the 2-core development machine. Builds dist/ first when it is missing (`-- --build` to rebuild).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 15;

const { values } = parseArgs({ options: { build: { type: 'boolean' } } });
if (values.build === true || !existsSync(path.join(ROOT, 'dist/cli/pg-rotator.mjs'))) {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

const subjects: Record<string, string[]> = {
  'node -e 0 (bare Node)': ['-e', '0'],
  'dist/cli/pg-rotator.mjs --help (the package bin)': [path.join(ROOT, 'dist/cli/pg-rotator.mjs'), '--help'],
  'dist/client/cli-main.js --help (tsc output, unbundled)': [path.join(ROOT, 'dist/client/cli-main.js'), '--help'],
  'client/bin/pg-rotator.mjs --help (tsx, from source)': [path.join(ROOT, 'client/bin/pg-rotator.mjs'), '--help'],
};

const timings = new Map<string, number[]>(Object.keys(subjects).map((name) => [name, []]));
const once = (args: string[]) => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(result.status)}`);
  return (performance.now() - started) / 1000;
};
for (const args of Object.values(subjects)) once(args);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, args] of Object.entries(subjects)) timings.get(name)?.push(once(args));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
console.log(`pg-rotator --help, whole processes, median of ${ROUNDS} (min-max), Node ${process.versions.node}:`);
for (const [name, values] of timings) {
  console.log(`  ${median(values).toFixed(2)} s  (${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})  ${name}`);
}
