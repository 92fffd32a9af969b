import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionCodeSource, handlerFiles } from '../../infra/constructs/function-code';

/**
 * A prebuilt bundle directory with a one-line handler per entry point: the construct's real copy-and-write bundling
 * hook runs (the bindings file lands in the asset) without esbuild, so large syntheses stay fast.
 */
export function stubBundle(): FunctionCodeSource {
  const directory = mkdtempSync(join(tmpdir(), 'pg-rotator-stub-bundle-'));
  for (const file of handlerFiles()) writeFileSync(join(directory, file), 'export const handler = async () => ({});\n');
  return FunctionCodeSource.prebuilt(directory);
}
