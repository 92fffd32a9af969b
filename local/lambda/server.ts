import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { createRunner } from './create-runner';
import type { FunctionLogSink } from './create-runner';
import { LambdaApiError, LocalLambdaConfigError, ServiceError } from './errors';
import { parseFunctionReference } from './function-reference';
import { FunctionRegistry } from './function-registry';
import type { ResolvedFunction } from './function-registry';
import type { FunctionRunner, RunInput } from './function-runner';
import { readBody, sendAccepted, sendApiError, sendInvokeResult } from './http-io';
import type { RunResult } from './invocation-outcome';
import { InvocationTracker } from './invocation-tracker';
import type { InvocationRecord } from './invocation-tracker';
import {
  assertPayloadSize,
  matchInvokePath,
  MAX_SYNC_PAYLOAD_BYTES,
  parseInvokeHeaders,
  parsePayload,
} from './invoke-request';
import { parseFunctionName, parseLocalFunction } from './local-function';
import type { LocalFunction } from './local-function';

export type { InvocationRecord } from './invocation-tracker';
export type { LocalFunction, LocalLambdaContext } from './local-function';

/** Options of {@link startLocalLambda}. */
export interface StartLocalLambdaOptions {
  /** TCP port on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
  /** Region in the function ARNs. @default 'us-east-1' */
  readonly region?: string;
  /** Account in the function ARNs. @default '123456789012' */
  readonly accountId?: string;
  /**
   * Receives what command workers write to stderr (the function's log), line by line. Off by default: a
   * function's log is its own business and may be noisy; the tail is also returned with `LogType: 'Tail'`.
   */
  readonly onFunctionLog?: FunctionLogSink;
}

/** A running local Lambda endpoint. See {@link startLocalLambda}. */
export interface LocalLambda {
  /** `http://127.0.0.1:PORT`, for `LambdaClient({ endpoint })` or `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Registers (or replaces, like UpdateFunctionCode) a function; returns its ARN
   * `arn:aws:lambda:<region>:<account>:function:<name>`. Replacing a command function stops its worker.
   */
  register(name: string, fn: LocalFunction): string;
  /** The unqualified ARN a function of that name has here. */
  arnOf(name: string): string;
  /** Finished invocations (of one function, by name or ARN, if given): sizes and outcomes, never payloads. */
  invocations(name?: string): readonly InvocationRecord[];
  /** Resolves when no invocation is running, including asynchronous (`Event`) ones. */
  whenIdle(): Promise<void>;
  /** Stops the HTTP server and every worker process. */
  close(): Promise<void>;
}

const OptionsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(0),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be a region name such as us-east-1')
    .default('us-east-1'),
  accountId: z.string().regex(/^\d{12}$/, 'must be 12 digits').default('123456789012'),
});

interface Entry {
  readonly runner: FunctionRunner;
}

/**
 * Starts a local AWS Lambda endpoint on 127.0.0.1 that the real `@aws-sdk/client-lambda` can call: the Invoke
 * API (`POST /2015-03-31/functions/{FunctionName}/invocations`) with AWS's status codes, headers, function
 * errors and restJson1 service errors. SigV4 signatures are not checked. Payloads are never logged.
 *
 * @example
 * const lambda = await startLocalLambda();
 * const arn = lambda.register('rotator', { kind: 'in-process', handler: rotationHandler });
 * const client = new LambdaClient({ endpoint: lambda.endpoint, region: lambda.region,
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 * await client.send(new InvokeCommand({ FunctionName: arn, Payload: JSON.stringify(event) }));
 * await lambda.close();
 */
export async function startLocalLambda(options: StartLocalLambdaOptions = {}): Promise<LocalLambda> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LocalLambdaConfigError(`options.${String(issue?.path[0] ?? '')}`, issue?.message ?? 'invalid');
  }
  const { port, region, accountId } = parsed.data;
  const registry = new FunctionRegistry<Entry>(region, accountId);
  const tracker = new InvocationTracker();
  const execute = executor(tracker);

  const server = createServer((req, res) => {
    void handleInvoke(req, res, registry, execute);
  });
  const boundPort = await listen(server, port);

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${boundPort}`,
    region,
    accountId,
    register(name, fn) {
      const runner = createRunner(parseFunctionName(name), parseLocalFunction(fn), region, options.onFunctionLog);
      const { arn, replaced } = registry.register(name, { runner });
      void replaced?.runner.dispose();
      return arn;
    },
    arnOf: (name) => registry.arnOf(name),
    invocations: (name) => tracker.list(name === undefined ? undefined : (registry.find(name)?.name ?? name)),
    whenIdle: () => tracker.whenIdle(),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // close() alone waits for keep-alive sockets the SDK holds open.
        server.closeAllConnections();
        await Promise.all([stopped, ...registry.all().map((entry) => entry.runner.dispose())]);
      })();
      return closing;
    },
  };
}

type Execute = (
  fn: ResolvedFunction<Entry>,
  input: RunInput,
  invocationType: InvocationRecord['invocationType'],
  payloadBytes: number,
) => Promise<RunResult>;

/** Runs an invocation while the tracker counts it, then records its outcome (never its payload). */
function executor(tracker: InvocationTracker): Execute {
  return (fn, input, invocationType, payloadBytes) =>
    tracker.track(
      (async () => {
        const startedAt = performance.now();
        const result = await fn.entry.runner.run(input);
        const { outcome } = result;
        tracker.record({
          functionName: fn.name,
          awsRequestId: input.meta.awsRequestId,
          invocationType,
          payloadBytes,
          outcome:
            outcome.kind === 'ok' ? { kind: 'ok' } : { kind: 'function-error', errorType: outcome.error.errorType },
          durationMs: performance.now() - startedAt,
        });
        return result;
      })(),
    );
}

async function handleInvoke(
  req: IncomingMessage,
  res: ServerResponse,
  registry: FunctionRegistry<Entry>,
  execute: Execute,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const target = matchInvokePath(req.method ?? '', req.url ?? '/');
    const headers = parseInvokeHeaders(req.headers);
    const { body, size } = await readBody(req, MAX_SYNC_PAYLOAD_BYTES);
    assertPayloadSize(headers.invocationType, size);
    const fn = registry.resolve(parseFunctionReference(target.functionName, target.qualifier));
    const event = parsePayload(body);
    if (headers.invocationType === 'DryRun') return sendAccepted(res, 204, requestId);

    const meta = { awsRequestId: requestId, invokedFunctionArn: fn.invokedFunctionArn };
    if (headers.invocationType === 'Event') {
      // Accepted now, run later, as Lambda's async queue does; no retries here, so failures stay visible
      // (in invocations()) instead of being run twice more. The client context is dropped: Lambda passes it
      // for synchronous invocations only (Invoke API reference, ClientContext).
      void execute(fn, { event, meta }, 'Event', size).catch(() => undefined);
      return sendAccepted(res, 202, requestId);
    }
    const { clientContext } = headers;
    const input: RunInput = { event, meta: { ...meta, ...(clientContext !== undefined && { clientContext }) } };
    const { outcome, log } = await execute(fn, input, 'RequestResponse', size);
    sendInvokeResult(res, outcome, requestId, headers.logType === 'Tail' ? log : undefined);
  } catch (error) {
    // The caller went away (aborted upload, closed socket) or the answer already started: nobody to tell.
    if (res.headersSent || res.destroyed || req.socket.destroyed) {
      res.destroy();
      return;
    }
    if (error instanceof LambdaApiError) return sendApiError(res, error, requestId);
    // Only the class name: a message could quote request data.
    const kind = error instanceof Error ? error.name : typeof error;
    console.error(`local-lambda: internal error ${kind} (request ${requestId})`);
    sendApiError(res, new ServiceError('Internal error in the local Lambda endpoint'), requestId);
  }
}

/** Listens on 127.0.0.1 and resolves with the bound port. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      // A TCP listener's address is always an object; a string would mean a pipe or socket path.
      if (typeof address === 'object' && address !== null) resolve(address.port);
      else reject(new ServiceError('the local Lambda endpoint did not bind a TCP port'));
    });
  });
}
