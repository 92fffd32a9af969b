import { z } from 'zod';
import { DEFAULT_MEMORY_MB, LATEST } from './local-function';
import type { LocalLambdaContext } from './local-function';

/** What the endpoint knows about one invocation before a runner picks it up. */
export interface InvocationMeta {
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  readonly clientContext?: unknown;
}

/**
 * The serializable half of the Lambda context: what the endpoint sends to a command worker, and what an
 * in-process handler's context is built from. `deadlineMs` is epoch milliseconds, as the Runtime API's
 * `Lambda-Runtime-Deadline-Ms` header is.
 */
export const ContextDataSchema = z.object({
  awsRequestId: z.string(),
  functionName: z.string(),
  functionVersion: z.string(),
  invokedFunctionArn: z.string(),
  memoryLimitInMB: z.string(),
  deadlineMs: z.number(),
  clientContext: z.unknown().optional(),
});

/** See {@link ContextDataSchema}. */
export type ContextData = z.infer<typeof ContextDataSchema>;

/**
 * Builds the context of an invocation that starts now and may run for `timeoutMs`.
 *
 * @example
 * contextData('rotator', { awsRequestId: id, invokedFunctionArn: arn }, 30_000).deadlineMs; // now + 30 s
 */
export function contextData(functionName: string, meta: InvocationMeta, timeoutMs: number, now = Date.now()): ContextData {
  return {
    awsRequestId: meta.awsRequestId,
    functionName,
    functionVersion: LATEST,
    invokedFunctionArn: meta.invokedFunctionArn,
    memoryLimitInMB: String(DEFAULT_MEMORY_MB),
    deadlineMs: now + timeoutMs,
    ...(meta.clientContext !== undefined && { clientContext: meta.clientContext }),
  };
}

/**
 * Turns context data into the object a handler receives, with a live `getRemainingTimeInMillis`.
 *
 * @example
 * toLambdaContext(data).getRemainingTimeInMillis(); // e.g. 29_998
 */
export function toLambdaContext(data: ContextData): LocalLambdaContext {
  const { deadlineMs, ...rest } = data;
  return { ...rest, getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()) };
}
