import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/bundle-banner';

/** Where the package keeps the CLI, relative to dist/: package.json's `bin` names it. */
export const CLI_FILE = 'cli/pg-rotator.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The `pg-rotator` command as one file: Node then loads one module instead of resolving about a hundred (zod, the
 * request schemas, the Lambda client), which is what makes `--help` take 0.25 s rather than 0.7 (bench/cli-startup.ts).
 * It carries its dependencies, so the bin works whatever else the project installed. Node 20 is the oldest runtime the
 * package supports (engines); class names are kept, as the CLI prints errors by their class.
 */
export async function bundleCli(outfile: string): Promise<void> {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'client/cli-main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    // The shebang first, then CommonJS's require for the dependencies that call it (bundle-banner.ts).
    banner: { js: `#!/usr/bin/env node\n${ESM_REQUIRE_BANNER}` },
    external: ['pg-native'],
    logLevel: 'warning',
  });
}
