import { types } from 'node:util';

/** The body Lambda returns with `X-Amz-Function-Error: Unhandled`. */
export interface FunctionErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** How one invocation of the function ended: a serialized result, or a function error. */
export type InvocationOutcome =
  | { readonly kind: 'ok'; readonly payload: string }
  | { readonly kind: 'function-error'; readonly error: FunctionErrorBody };

/** What a runner hands back for one invocation; `log` is what the function wrote during it (may be empty). */
export interface RunResult {
  readonly outcome: InvocationOutcome;
  readonly log: string;
}

// Lambda's synchronous response limit, in the figure its own error message prints.
const MAX_RESPONSE_BYTES = 6_291_556;

/**
 * Shapes a thrown value the way the Node.js runtime does (aws-lambda-nodejs-runtime-interface-client,
 * `toRapidResponse`): an Error gives its name, message and stack lines; anything else gives its `typeof`.
 *
 * @example
 * errorFromThrown(new TypeError('boom')); // { errorType: 'TypeError', errorMessage: 'boom', trace: [...] }
 */
export function errorFromThrown(thrown: unknown): FunctionErrorBody {
  if (types.isNativeError(thrown) || thrown instanceof Error) {
    return {
      errorType: thrown.name,
      errorMessage: thrown.message,
      trace: (thrown.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
}

/** A function error outcome. */
export function functionError(error: FunctionErrorBody): InvocationOutcome {
  return { kind: 'function-error', error };
}

/**
 * Serializes a handler's result as Lambda does: `undefined` becomes `null`; a result that cannot be serialized
 * or is over the response limit becomes a function error.
 *
 * @example
 * resultOutcome(undefined); // { kind: 'ok', payload: 'null' }
 */
export function resultOutcome(result: unknown): InvocationOutcome {
  let payload: string;
  try {
    payload = JSON.stringify(result) ?? 'null';
  } catch (error) {
    return functionError(errorFromThrown(error));
  }
  if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
    return functionError({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    });
  }
  return { kind: 'ok', payload };
}

/** Lambda's timeout error, e.g. "RequestId: … Error: Task timed out after 3.00 seconds". */
export function timeoutOutcome(requestId: string, timeoutMs: number): InvocationOutcome {
  return functionError({
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
  });
}

/** Lambda's error when the runtime process dies during an invocation. */
export function exitOutcome(requestId: string, exitCode: number | null, signal: string | null): InvocationOutcome {
  const how = signal !== null ? `signal: ${signal}` : `exit status ${exitCode ?? 'unknown'}`;
  return functionError({
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`,
  });
}

/** Lambda's error when the runtime cannot be started at all (missing or non-executable command). */
export function entrypointOutcome(requestId: string, code: string): InvocationOutcome {
  return functionError({
    errorType: 'Runtime.InvalidEntrypoint',
    errorMessage: `RequestId: ${requestId} Error: could not start the worker command (${code})`,
  });
}
