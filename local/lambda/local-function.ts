import { z } from 'zod';
import { LocalLambdaConfigError } from './errors';

/**
 * Lambda's own default is 3 s. Locally a command worker's cold start (tsx compiling TypeScript, an interpreter
 * loading) counts toward the first invocation's timeout, which AWS does not do, so the local default is roomier
 * to keep tests from flaking. Pass the deployed function's timeout as `timeoutMs` to test timeouts faithfully.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Lambda's maximum function timeout (15 minutes). */
export const MAX_TIMEOUT_MS = 900_000;

/** What Lambda reports as `memoryLimitInMB` for a function created with the default memory size. */
export const DEFAULT_MEMORY_MB = 128;

/** The only version the local endpoint has: every function runs its registered code as `$LATEST`. */
export const LATEST = '$LATEST';

/**
 * The parts of the Node.js Lambda context object that functions use. `clientContext` is the JSON decoded from
 * the `X-Amz-Client-Context` header, when the caller sent one.
 *
 * @example
 * const handler = async (event: unknown, context: LocalLambdaContext) => {
 *   if (context.getRemainingTimeInMillis() < 1_000) throw new Error('not enough time left');
 * };
 */
export interface LocalLambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  /** The ARN the caller invoked, with the qualifier it used (if any), as Lambda reports it. */
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly clientContext?: unknown;
  getRemainingTimeInMillis(): number;
}

/** A handler run inside the endpoint's own process. */
export type InProcessHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown> | unknown;

/**
 * The code behind a registered function: a handler in this process, or an external command run as a warm
 * worker speaking the line protocol of `worker-protocol.ts`.
 *
 * @example
 * lambda.register('echo', { kind: 'in-process', handler: (event) => event });
 * lambda.register('rotator-py', { kind: 'command', command: 'python3', args: ['rotate_loop.py'], timeoutMs: 30_000 });
 */
export type LocalFunction =
  | { kind: 'in-process'; handler: InProcessHandler; timeoutMs?: number }
  | {
      kind: 'command';
      command: string;
      args?: string[];
      env?: Record<string, string>;
      cwd?: string;
      timeoutMs?: number;
    };

/** CreateFunction's rule for a function name. */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const timeoutMs = z.number().int().min(1).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS);

const LocalFunctionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('in-process'),
    handler: z.custom<InProcessHandler>((value) => typeof value === 'function', 'must be a function'),
    timeoutMs,
  }),
  z.object({
    kind: z.literal('command'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
    timeoutMs,
  }),
]);

/** A {@link LocalFunction} with its defaults filled in. */
export type ResolvedLocalFunction = z.infer<typeof LocalFunctionSchema>;

/**
 * Validates what a caller passed to `register`, so a typo fails at registration rather than at the first
 * invocation.
 *
 * @example
 * const fn = parseLocalFunction({ kind: 'in-process', handler: () => 'ok' }); // fn.timeoutMs === 30_000
 */
export function parseLocalFunction(value: unknown): ResolvedLocalFunction {
  const parsed = LocalFunctionSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['register.fn', ...(issue?.path ?? []).map(String)].join('.');
    throw new LocalLambdaConfigError(field, issue?.message ?? 'invalid', { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * Validates a function name with CreateFunction's rule.
 *
 * @example
 * parseFunctionName('rotator'); // 'rotator'
 */
export function parseFunctionName(name: string): string {
  if (!FUNCTION_NAME_PATTERN.test(name)) {
    throw new LocalLambdaConfigError('register.name', 'must be 1 to 64 letters, digits, hyphens or underscores');
  }
  return name;
}
