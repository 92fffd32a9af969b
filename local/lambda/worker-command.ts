import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LocalFunction } from './local-function';

/** Options of {@link typescriptWorker}; the same as a command function's, minus what it computes. */
export interface TypescriptWorkerOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/**
 * A `kind: 'command'` function that runs `exportName` of a TypeScript or JavaScript module in a warm worker
 * process (`worker-main.ts`). Node runs with tsx's loader directly rather than through the `tsx` CLI, which
 * would add a second process per worker.
 *
 * @example
 * lambda.register('rotator', typescriptWorker('lambda/handler.ts', 'handler', { timeoutMs: 30_000 }));
 */
export function typescriptWorker(
  modulePath: string,
  exportName = 'handler',
  options: TypescriptWorkerOptions = {},
): LocalFunction {
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const workerMain = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
  return {
    kind: 'command',
    command: process.execPath,
    // Absolute paths, so `cwd` only changes what the handler sees, not what gets loaded.
    args: ['--import', tsxLoader, workerMain, resolve(modulePath), exportName],
    ...options,
  };
}
