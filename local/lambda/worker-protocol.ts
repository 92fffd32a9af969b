import { z } from 'zod';
import type { FunctionErrorBody } from './invocation-outcome';
import { ContextDataSchema } from './lambda-context';
import type { ContextData } from './lambda-context';

/**
 * The line protocol between the local Lambda endpoint and a `kind: 'command'` worker. Any program that reads
 * lines from stdin and writes lines to stdout can be a worker.
 *
 * Every message is one line of UTF-8 JSON ended by `\n` (JSON escapes newlines inside strings, so a message
 * never spans lines).
 *
 * Request, endpoint → worker stdin, one per invocation:
 * ```json
 * {"event": <the invocation payload, any JSON>,
 *  "context": {"awsRequestId": "<uuid>", "functionName": "rotator", "functionVersion": "$LATEST",
 *              "invokedFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:rotator",
 *              "memoryLimitInMB": "128", "deadlineMs": 1767225600000, "clientContext": <JSON, only if sent>}}
 * ```
 * (`deadlineMs` is epoch milliseconds: remaining time is `deadlineMs - now`.)
 *
 * Response, worker stdout → endpoint, exactly one per request:
 * ```json
 * {"result": <any JSON; null when the handler returns nothing>}
 * {"errorType": "ValueError", "errorMessage": "what went wrong", "trace": ["optional", "stack", "lines"]}
 * ```
 * A stdout line that is not one of these (not JSON, or an object with neither `result` nor a string
 * `errorType`) is kept as a log line, so a stray `print` does not break the worker. stderr is the function's
 * log. The endpoint sends the next request only after the response to the previous one. The worker should exit
 * when stdin closes. Dying mid-invocation fails it with `Runtime.ExitError`; running past the timeout gets the
 * worker's process group killed.
 *
 * @example
 * // A Python rotation function wrapped as a worker:
 * // import json, sys
 * // for line in sys.stdin:
 * //     request = json.loads(line)
 * //     try:
 * //         reply = {"result": lambda_handler(request["event"], request["context"])}
 * //     except Exception as e:
 * //         reply = {"errorType": type(e).__name__, "errorMessage": str(e)}
 * //     print(json.dumps(reply), flush=True)
 */
export const WorkerRequestSchema = z.object({
  event: z.unknown(),
  context: ContextDataSchema,
});

/** One request line, parsed. */
export type WorkerRequest = z.infer<typeof WorkerRequestSchema>;

const WorkerErrorSchema = z.object({
  errorType: z.string(),
  errorMessage: z.string().default(''),
  trace: z.array(z.string()).optional(),
});

/** One response line, parsed. */
export type WorkerResponse =
  | { readonly kind: 'result'; readonly result: unknown }
  | { readonly kind: 'error'; readonly error: FunctionErrorBody };

/**
 * Encodes a request line (with its trailing newline).
 *
 * @example
 * child.stdin.write(encodeWorkerRequest({ Step: 'createSecret' }, context));
 */
export function encodeWorkerRequest(event: unknown, context: ContextData): string {
  return `${JSON.stringify({ event, context })}\n`;
}

/**
 * Parses a request line; throws (a SyntaxError or ZodError) when the line is not a request.
 *
 * @example
 * const { event, context } = parseWorkerRequest(line);
 */
export function parseWorkerRequest(line: string): WorkerRequest {
  return WorkerRequestSchema.parse(JSON.parse(line));
}

/**
 * Encodes a response line (with its trailing newline). `undefined` is sent as `null`, as Lambda does.
 *
 * @example
 * process.stdout.write(encodeWorkerResponse({ kind: 'result', result: { ok: true } }));
 */
export function encodeWorkerResponse(response: WorkerResponse): string {
  const body = response.kind === 'result' ? { result: response.result ?? null } : response.error;
  return `${JSON.stringify(body)}\n`;
}

/**
 * Parses a stdout line of a worker; `undefined` means the line is not a response and is a log line.
 *
 * @example
 * parseWorkerResponse('{"result":42}'); // { kind: 'result', result: 42 }
 * parseWorkerResponse('debug: connecting'); // undefined
 */
export function parseWorkerResponse(line: string): WorkerResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const error = WorkerErrorSchema.safeParse(value);
  if (error.success) return { kind: 'error', error: error.data };
  if (Object.hasOwn(value, 'result')) return { kind: 'result', result: Reflect.get(value, 'result') };
  return undefined;
}
