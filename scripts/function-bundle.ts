import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../infra/constructs/bundle-banner';

/**
 * esbuild, loaded only when a bundle is built: the construct imports this module for the entry points' names too,
 * and a deployment that ships a prebuilt asset need not have esbuild installed.
 */
const esbuild = (): typeof Esbuild => createRequire(import.meta.url)('esbuild') as typeof Esbuild;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The function's entry points, one self-contained file each in the bundle directory: Lambda handler strings
 * `rotation.handler`, `orchestrator.handler` and `status.handler`. The rotation function's file holds no
 * orchestrator code path it could be tricked into, the status function's neither pg nor any step or action, and each
 * cold start loads only its own file.
 */
export const FUNCTION_ENTRIES = {
  rotation: 'lambda/handlers/rotation.ts',
  orchestrator: 'lambda/handlers/orchestrator.ts',
  status: 'lambda/handlers/status.ts',
} as const;

export type FunctionEntry = keyof typeof FUNCTION_ENTRIES;

/** The Lambda handler string of an entry point in the bundle directory. */
export function handlerOf(entry: FunctionEntry): string {
  return `${entry}.handler`;
}

/**
 * Dependencies the bundle replaces with smaller stand-ins of its own (lambda/bundle-substitutes/, each says why it is
 * safe): code node-postgres imports but that never runs in Lambda. Applied to the bundle only; tests and
 * the local stack, which run the sources, keep the real modules.
 */
export const BUNDLE_SUBSTITUTES: Readonly<Record<string, string>> = {
  // ~/.pgpass lookup for connections without a password; the function always has one.
  pgpass: path.join(ROOT, 'lambda/bundle-substitutes/pgpass.cjs'),
  // Connection-string parsing; the function connects from the secret's fields.
  'pg-connection-string': path.join(ROOT, 'lambda/bundle-substitutes/pg-connection-string.cjs'),
};

/**
 * Node's built-in modules the function imports, each reached in the bundle through `require` (a one-line shim in
 * lambda/bundle-substitutes/builtins/) instead of as an ES module. Node builds an ES module's facade of a built-in by
 * reading every export, which runs the getters that load its lazy parts: `node:fs` loads its promises API, streams
 * and watchers, `node:crypto` WebCrypto, `node:util` parseArgs and its diff code, 31 more of Node's internal modules.
 * Lambda starts node with --expose-gc, and under that flag V8 declines the code cache Node ships for those modules,
 * so each is compiled as it loads: measured here, 11 ms of a cold rotation. test/infra/bundle.test.ts fails on a
 * built-in the bundle imports as an ES module, so a new one is added here.
 */
export const BUILTIN_SHIMS: Readonly<Record<string, string>> = Object.fromEntries(
  ['crypto', 'fs', 'net', 'tls'].map((name) => [`node:${name}`, path.join(ROOT, `lambda/bundle-substitutes/builtins/${name}.cjs`)]),
);

/**
 * How the function is bundled, for Lambda and locally alike: minified ESM with its dependencies inside (pg, zod; it
 * calls Secrets Manager through its own client, lambda/secrets/secrets-manager-client.ts, and imports nothing from
 * the runtime's AWS SDK), a linked source map without sources, and no code shared between the files (no splitting),
 * so each file is complete on its own.
 *
 * @param target esbuild's target: `node24` for Lambda's nodejs24.x, the local Node to run the bundle here
 */
export function functionBuildOptions(outdir: string, target: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: Object.fromEntries(Object.entries(FUNCTION_ENTRIES).map(([name, file]) => [name, path.join(ROOT, file)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: false,
    platform: 'node',
    target,
    format: 'esm',
    minify: true,
    // No keepNames (it cost 46 KB): error classes write their name out as a string (lambda/errors.ts), which is all
    // Lambda's errorType reads.
    sourcemap: 'linked',
    sourcesContent: false,
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
    // No `external`: the function imports node-postgres's Client alone (lambda/postgres/connect.ts), never pg's index
    // and its pg-native wrapper, so a change that brought them back fails the build on the missing pg-native.
    absWorkingDir: ROOT,
    alias: { ...BUNDLE_SUBSTITUTES, ...BUILTIN_SHIMS },
    banner: { js: ESM_REQUIRE_BANNER },
  };
}

/**
 * Bundles the function into `outdir` (rotation.mjs, orchestrator.mjs, status.mjs and their source maps) for the local Node: for
 * inspection, size checks and running the function as its own process on the local Lambda endpoint (the benchmark).
 *
 * @returns the size of what was written, in bytes
 */
export async function bundleFunction(outdir: string): Promise<number> {
  const result = await esbuild().build(functionBuildOptions(outdir, `node${process.versions.node.split('.')[0]}`));
  return Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
}

/** The same bundle, synchronously, as CDK's local bundling hook needs it (infra/constructs/function-code.ts). */
export function bundleFunctionSync(outdir: string, target: string): void {
  esbuild().buildSync(functionBuildOptions(outdir, target));
}
