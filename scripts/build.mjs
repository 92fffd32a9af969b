// Bundles the function as Lambda runs it: one minified ESM file, the AWS SDK included (the runtime's copy is
// not pinned to ours). infra/ bundles the same entry through NodejsFunction; this is for local inspection,
// size checks and the worker-process mode of the local Lambda endpoint.
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['lambda/handler.ts'],
  outfile: 'dist/handler.mjs',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  // pg's optional native binding is never used.
  external: ['pg-native'],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`dist/handler.mjs: ${(bytes / 1024).toFixed(0)} KiB (with source map)`);
