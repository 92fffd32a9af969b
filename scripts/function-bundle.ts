import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../infra/constructs/bundle-banner';

/**
 * Bundles the function as Lambda runs it: one minified ESM file with the AWS SDK inside (the runtime's copy is
 * not pinned to ours). infra/ bundles the same entry through NodejsFunction; this one is for local inspection,
 * size checks and running the function as its own process on the local Lambda endpoint (the benchmark).
 * The target is the local Node, so the bundle also runs here.
 *
 * @returns the size of what was written, in bytes
 */
export async function bundleFunction(outfile: string): Promise<number> {
  const result = await build({
    entryPoints: [new URL('../lambda/handler.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'esm',
    minify: true,
    // Error classes keep their names: Lambda reports a failure's errorType from error.name (PgRotatorError sets it
    // from new.target.name), and alarms, RotationFailed events and the runbook key on it.
    keepNames: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // pg's optional native binding is never used.
    external: ['pg-native'],
    banner: { js: ESM_REQUIRE_BANNER },
  });
  return Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
}
