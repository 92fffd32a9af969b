/**
 * `npm run build` (and `npm pack`, through prepack): the package's dist/.
 * - dist/infra, dist/client, dist/lambda, dist/scripts: tsc's JavaScript and declarations (tsconfig.build.json), with
 *   relative imports given the extensions Node's ESM loader needs (relative-specifiers.ts);
 * - dist/function: the prebuilt function bundle the construct ships (rotation.mjs, orchestrator.mjs, maps), built by
 *   scripts/function-bundle.ts for Lambda's runtime, as a synth from source would;
 * - dist/cli/: the CLI bundled, an entry that answers --help and one chunk for the rest (cli-bundle.ts).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAMBDA_TARGET } from '../../infra/constructs/function-code';
import { bundleFunctionSync } from '../function-bundle';
import { bundleCli, CLI_DIR } from './cli-bundle';
import { rewriteRelativeSpecifiers } from './relative-specifiers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'dist');

/** Total size of the files under a directory. */
function sizeOf(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const full = path.join(dir, name);
    return sum + (statSync(full).isDirectory() ? sizeOf(full) : statSync(full).size);
  }, 0);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

rmSync(DIST, { recursive: true, force: true });
execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
const files = rewriteRelativeSpecifiers(DIST);
// The config loader's default, read at run time beside it.
copyFileSync(path.join(ROOT, 'infra/config/example.json'), path.join(DIST, 'infra/config/example.json'));

const functionDir = path.join(DIST, 'function');
mkdirSync(functionDir, { recursive: true });
bundleFunctionSync(functionDir, LAMBDA_TARGET);

const cliDir = path.join(DIST, CLI_DIR);
await bundleCli(cliDir);

console.log(
  `dist: ${files} modules and declarations (${kib(sizeOf(DIST) - sizeOf(functionDir) - sizeOf(cliDir))}), ` +
    `function/ ${readdirSync(functionDir).join(', ')} (${kib(sizeOf(functionDir))}, ${LAMBDA_TARGET}), ${CLI_DIR}/ (${kib(sizeOf(cliDir))})`,
);
