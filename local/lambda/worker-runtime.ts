import { Console } from 'node:console';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { HandlerLoadError } from './errors';
import { errorFromThrown } from './invocation-outcome';
import { toLambdaContext } from './lambda-context';
import type { LocalLambdaContext } from './local-function';
import { encodeWorkerResponse, parseWorkerRequest } from './worker-protocol';
import type { WorkerResponse } from './worker-protocol';

/** A Lambda-style handler a worker runs. */
export type WorkerHandler = (event: unknown, context: LocalLambdaContext) => unknown;

/** Where a worker reads requests and writes responses; the process's stdin and stdout by default. */
export interface WorkerStreams {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

/**
 * Serves the worker line protocol (`worker-protocol.ts`) with `handler`: one request at a time, one response
 * line per request. Resolves when the input ends, i.e. when the endpoint closes the worker's stdin.
 *
 * @example
 * redirectConsoleToStderr();
 * await runWorker(handler);
 */
export async function runWorker(
  handler: WorkerHandler,
  streams: WorkerStreams = { input: process.stdin, output: process.stdout },
): Promise<void> {
  for await (const line of createInterface({ input: streams.input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const response = await handleRequestLine(handler, line);
    let encoded: string;
    try {
      encoded = encodeWorkerResponse(response);
    } catch (error) {
      // A result JSON cannot represent (a cycle, a BigInt) fails the invocation, as in the Node.js runtime.
      encoded = encodeWorkerResponse({ kind: 'error', error: errorFromThrown(error) });
    }
    streams.output.write(encoded);
  }
}

async function handleRequestLine(handler: WorkerHandler, line: string): Promise<WorkerResponse> {
  let request;
  try {
    request = parseWorkerRequest(line);
  } catch {
    return {
      kind: 'error',
      error: { errorType: 'Runtime.InvalidRequest', errorMessage: 'the worker received a line that is not a request' },
    };
  }
  try {
    return { kind: 'result', result: await handler(request.event, toLambdaContext(request.context)) };
  } catch (thrown) {
    return { kind: 'error', error: errorFromThrown(thrown) };
  }
}

/**
 * Routes `console.log/info/debug/warn` to stderr, where Lambda's log goes, because stdout carries the
 * protocol. Call once at worker start-up, before loading the handler's module.
 *
 * @example
 * redirectConsoleToStderr();
 */
export function redirectConsoleToStderr(): void {
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
}

/**
 * Imports `modulePath` (relative to the working directory) and returns its export `exportName`. If that fails,
 * returns a handler that fails every invocation with the Lambda runtime's error for it, so the caller sees
 * `Runtime.ImportModuleError` or `Runtime.HandlerNotFound` rather than a dead worker.
 *
 * @example
 * const handler = await loadHandler('lambda/handler.ts', 'handler');
 */
export async function loadHandler(modulePath: string, exportName: string): Promise<WorkerHandler> {
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(resolve(modulePath)).href);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const message = `Error: Cannot load module '${modulePath}': ${reason}`;
    return failing(new HandlerLoadError('Runtime.ImportModuleError', message, { cause: error }));
  }
  const handler = exportOf(loaded, exportName);
  if (typeof handler !== 'function') {
    const message = `${modulePath}.${exportName} is undefined or not exported`;
    return failing(new HandlerLoadError('Runtime.HandlerNotFound', message));
  }
  return (event, context) => {
    const result: unknown = Reflect.apply(handler, undefined, [event, context]);
    return result;
  };
}

function exportOf(loaded: unknown, exportName: string): unknown {
  if (typeof loaded !== 'object' || loaded === null) return undefined;
  const direct: unknown = Reflect.get(loaded, exportName);
  if (direct !== undefined) return direct;
  // A CommonJS module imported from ESM puts its exports under `default`.
  const fallback: unknown = Reflect.get(loaded, 'default');
  return typeof fallback === 'object' && fallback !== null ? Reflect.get(fallback, exportName) : undefined;
}

function failing(error: HandlerLoadError): WorkerHandler {
  return () => {
    throw error;
  };
}
