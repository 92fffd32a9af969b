import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/bundle-banner';

/** Where the package keeps the CLI, relative to dist/: package.json's `bin` names its entry, `cli/pg-rotator.mjs`. */
export const CLI_DIR = 'cli';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The `pg-rotator` command as two files: the entry, which answers `--help` with the usage text alone, and one chunk
 * with everything else (the request schemas, the Lambda client), which it imports for any other command. Node then
 * loads a module or two instead of resolving about a hundred (zod, the schemas, the SDK), and `--help` parses none of
 * the chunk (bench/cli-startup.ts). The files carry their dependencies, so the bin works whatever else the project
 * installed. Node 20 is the oldest runtime the package supports (engines); class names are kept, as the CLI prints
 * errors by their class.
 *
 * @param outdir dist/cli: the entry `pg-rotator.mjs` and `chunks/`
 */
export async function bundleCli(outdir: string): Promise<void> {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  await esbuild.build({
    entryPoints: { 'pg-rotator': path.join(ROOT, 'client/cli-main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    // The shebang first (harmless in a chunk), then CommonJS's require for the dependencies that call it (bundle-banner.ts).
    banner: { js: `#!/usr/bin/env node\n${ESM_REQUIRE_BANNER}` },
    external: ['pg-native'],
    logLevel: 'warning',
  });
}
