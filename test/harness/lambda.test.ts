import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import type { InvokeCommandInput, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLocalLambda } from '../../local/lambda/server';
import type { LocalLambda, LocalLambdaContext } from '../../local/lambda/server';
import { typescriptWorker } from '../../local/lambda/worker-command';
import { rejectionOf, TEST_CREDENTIALS } from './support/local-aws';

const FIXTURE = 'test/fixtures/lambda-worker.ts';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let lambda: LocalLambda;
let client: LambdaClient;
let names = 0;
const clients: LambdaClient[] = [];

/** A fresh function name per test, so records and warm workers never leak between tests. */
function uniqueName(prefix: string): string {
  names += 1;
  return `${prefix}-${names}`;
}

/** What the fixture worker answers: its pid tells a warm worker from a fresh one. */
const WorkerEchoSchema = z.object({ pid: z.number().int(), value: z.unknown().optional() });
/** The body of an `X-Amz-Function-Error: Unhandled` response. */
const FunctionErrorSchema = z.object({ errorType: z.string(), errorMessage: z.string(), trace: z.array(z.string()).optional() });

function decode(output: InvokeCommandOutput): unknown {
  return output.Payload === undefined ? undefined : JSON.parse(Buffer.from(output.Payload).toString('utf8'));
}

function echoOf(output: InvokeCommandOutput): z.infer<typeof WorkerEchoSchema> {
  return WorkerEchoSchema.parse(decode(output));
}

function functionErrorOf(output: InvokeCommandOutput): z.infer<typeof FunctionErrorSchema> {
  return FunctionErrorSchema.parse(decode(output));
}

function invoke(input: InvokeCommandInput): Promise<InvokeCommandOutput> {
  return client.send(new InvokeCommand(input));
}

/** Whether a process runs; a zombie (killed, not yet reaped by a PID 1 that does not reap) counts as dead. */
function isAlive(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 3, after the parenthesised command name, is the state.
      return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  lambda = await startLocalLambda({ region: 'eu-west-1', accountId: '111122223333' });
  client = new LambdaClient({ endpoint: lambda.endpoint, region: lambda.region, credentials: TEST_CREDENTIALS });
  clients.push(client);
});

afterEach(async () => {
  await lambda.whenIdle();
});

afterAll(async () => {
  for (const each of clients) each.destroy();
  await lambda.close();
});

describe('local Lambda endpoint, in-process functions', () => {
  it('returns the handler result of a RequestResponse invocation as the payload, with AWS headers', async () => {
    const name = uniqueName('echo');
    lambda.register(name, { kind: 'in-process', handler: (event) => ({ received: event }) });

    const output = await invoke({ FunctionName: name, Payload: JSON.stringify({ Step: 'createSecret' }) });

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    expect(decode(output)).toEqual({ received: { Step: 'createSecret' } });
  });

  it('passes a Lambda context: request id, name, invoked ARN, remaining time and the decoded client context', async () => {
    const name = uniqueName('context');
    let seen: LocalLambdaContext | undefined;
    let remainingMs = 0;
    lambda.register(name, {
      kind: 'in-process',
      timeoutMs: 5_000,
      handler: (_event, context) => {
        seen = context;
        remainingMs = context.getRemainingTimeInMillis();
        return null;
      },
    });
    const clientContext = Buffer.from(JSON.stringify({ custom: { caller: 'test' } })).toString('base64');

    const output = await invoke({ FunctionName: `${name}:live`, ClientContext: clientContext });

    expect(seen?.awsRequestId).toMatch(UUID);
    expect(output.$metadata.requestId).toBe(seen?.awsRequestId);
    expect(seen?.functionName).toBe(name);
    expect(seen?.functionVersion).toBe('$LATEST');
    expect(seen?.invokedFunctionArn).toBe(`${lambda.arnOf(name)}:live`);
    expect(seen?.clientContext).toEqual({ custom: { caller: 'test' } });
    expect(remainingMs).toBeGreaterThan(4_000);
    expect(remainingMs).toBeLessThanOrEqual(5_000);
  });

  it('passes the client context to synchronous invocations only, as Lambda does', async () => {
    const name = uniqueName('context-async');
    const seen: unknown[] = [];
    lambda.register(name, { kind: 'in-process', handler: (_event, context) => void seen.push(context.clientContext) });
    const clientContext = Buffer.from(JSON.stringify({ custom: { n: 1 } })).toString('base64');

    await invoke({ FunctionName: name, InvocationType: 'Event', ClientContext: clientContext });
    await lambda.whenIdle();

    expect(seen).toEqual([undefined]);
  });

  it('serializes an undefined result as null and an empty payload arrives as {}', async () => {
    const name = uniqueName('void');
    let received: unknown;
    lambda.register(name, { kind: 'in-process', handler: (event) => void (received = event) });

    const output = await invoke({ FunctionName: name });

    expect(Buffer.from(output.Payload ?? []).toString('utf8')).toBe('null');
    expect(received).toEqual({});
  });

  it('reports a thrown error as FunctionError Unhandled with errorType, errorMessage and the stack in trace', async () => {
    const name = uniqueName('throws');
    lambda.register(name, {
      kind: 'in-process',
      handler: () => {
        throw new TypeError('pending secret missing');
      },
    });

    const output = await invoke({ FunctionName: name, Payload: '{}' });

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    const body = functionErrorOf(output);
    expect(body.errorType).toBe('TypeError');
    expect(body.errorMessage).toBe('pending secret missing');
    expect(body.trace?.[0]).toBe('TypeError: pending secret missing');
    expect(body.trace?.length).toBeGreaterThan(1);
    expect(lambda.invocations(name)).toMatchObject([{ outcome: { kind: 'function-error', errorType: 'TypeError' } }]);
  });

  it('accepts an Event invocation with 202 and an empty body, then runs it; whenIdle waits for it', async () => {
    const name = uniqueName('async');
    const seen: unknown[] = [];
    lambda.register(name, {
      kind: 'in-process',
      handler: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen.push(event);
      },
    });

    const output = await invoke({ FunctionName: name, InvocationType: 'Event', Payload: '{"n":1}' });

    expect(output.StatusCode).toBe(202);
    expect(output.Payload?.length ?? 0).toBe(0);
    expect(seen).toEqual([]);
    await lambda.whenIdle();
    expect(seen).toEqual([{ n: 1 }]);
    expect(lambda.invocations(name)).toMatchObject([{ invocationType: 'Event', payloadBytes: 7, outcome: { kind: 'ok' } }]);
  });

  it('answers DryRun with 204 without running the function', async () => {
    const name = uniqueName('dry');
    let runs = 0;
    lambda.register(name, { kind: 'in-process', handler: () => (runs += 1) });

    const output = await invoke({ FunctionName: name, InvocationType: 'DryRun', Payload: '{}' });

    expect(output.StatusCode).toBe(204);
    expect(runs).toBe(0);
    expect(lambda.invocations(name)).toEqual([]);
  });

  describe('resolves every form of FunctionName', () => {
    const name = 'resolve-me';
    beforeAll(() => {
      lambda.register(name, { kind: 'in-process', handler: (_event, context) => context.invokedFunctionArn });
    });

    it.each([
      ['a name', () => ({ FunctionName: name }), () => lambda.arnOf(name)],
      ['a full ARN', () => ({ FunctionName: lambda.arnOf(name) }), () => lambda.arnOf(name)],
      ['a partial ARN', () => ({ FunctionName: `${lambda.accountId}:function:${name}` }), () => lambda.arnOf(name)],
      ['a name with :$LATEST', () => ({ FunctionName: `${name}:$LATEST` }), () => `${lambda.arnOf(name)}:$LATEST`],
      ['a full ARN with :$LATEST', () => ({ FunctionName: `${lambda.arnOf(name)}:$LATEST` }), () => `${lambda.arnOf(name)}:$LATEST`],
      ['a name with an alias', () => ({ FunctionName: `${name}:live` }), () => `${lambda.arnOf(name)}:live`],
      ['a Qualifier parameter', () => ({ FunctionName: name, Qualifier: '$LATEST' }), () => `${lambda.arnOf(name)}:$LATEST`],
    ])('%s', async (_form, input, expectedArn) => {
      const output = await invoke(input());

      expect(output.StatusCode).toBe(200);
      expect(decode(output)).toBe(expectedArn());
    });
  });

  it('throws ResourceNotFoundException (404) naming the ARN for an unknown function', async () => {
    const error = await rejectionOf(invoke({ FunctionName: 'no-such-function', Payload: '{}' }));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe(`Function not found: ${lambda.arnOf('no-such-function')}`);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('throws ResourceNotFoundException for a registered name under another account', async () => {
    const name = uniqueName('mine');
    lambda.register(name, { kind: 'in-process', handler: () => 'ok' });

    const error = await rejectionOf(invoke({ FunctionName: `arn:aws:lambda:eu-west-1:999999999999:function:${name}` }));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('throws InvalidParameterValueException when the name and Qualifier disagree', async () => {
    const name = uniqueName('qualified');
    lambda.register(name, { kind: 'in-process', handler: () => 'ok' });

    const error = await rejectionOf(invoke({ FunctionName: `${name}:blue`, Qualifier: 'green' }));

    expect(error.name).toBe('InvalidParameterValueException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('throws InvalidRequestContentException (400) for a payload that is not JSON, without echoing it', async () => {
    const name = uniqueName('json');
    lambda.register(name, { kind: 'in-process', handler: () => 'ok' });

    const error = await rejectionOf(invoke({ FunctionName: name, Payload: 'password=hunter2' }));

    expect(error.name).toBe('InvalidRequestContentException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).not.toContain('hunter2');
    expect(lambda.invocations(name)).toEqual([]);
  });

  it('throws RequestTooLargeException (413) over 256 KB for Event and over 6 MB for RequestResponse', async () => {
    const name = uniqueName('large');
    lambda.register(name, { kind: 'in-process', handler: () => 'ok' });
    const justOver = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes) });

    const asyncError = await rejectionOf(invoke({ FunctionName: name, InvocationType: 'Event', Payload: justOver(256 * 1024) }));
    const syncError = await rejectionOf(invoke({ FunctionName: name, Payload: justOver(6 * 1024 * 1024) }));
    const fits = await invoke({ FunctionName: name, Payload: justOver(300 * 1024) });

    expect(asyncError.name).toBe('RequestTooLargeException');
    expect(asyncError.$metadata?.httpStatusCode).toBe(413);
    expect(syncError.name).toBe('RequestTooLargeException');
    expect(fits.StatusCode).toBe(200);
  });

  it('fails an invocation past its timeout with Sandbox.Timedout, as Lambda words it', async () => {
    const name = uniqueName('slow');
    lambda.register(name, { kind: 'in-process', timeoutMs: 200, handler: () => new Promise(() => undefined) });

    const output = await invoke({ FunctionName: name });

    expect(output.FunctionError).toBe('Unhandled');
    const body = functionErrorOf(output);
    expect(body.errorType).toBe('Sandbox.Timedout');
    expect(body.errorMessage).toMatch(/^RequestId: \S+ Error: Task timed out after 0\.20 seconds$/);
  });

  it('is reachable through AWS_ENDPOINT_URL_LAMBDA', async () => {
    const name = uniqueName('env');
    lambda.register(name, { kind: 'in-process', handler: () => 'via env' });
    const previous = process.env.AWS_ENDPOINT_URL_LAMBDA;
    process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.endpoint;
    try {
      const envClient = new LambdaClient({ region: lambda.region, credentials: TEST_CREDENTIALS });
      clients.push(envClient);

      const output = await envClient.send(new InvokeCommand({ FunctionName: name }));

      expect(decode(output)).toBe('via env');
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
      else process.env.AWS_ENDPOINT_URL_LAMBDA = previous;
    }
  });

  it('records sizes and outcomes of invocations but never their payloads', async () => {
    const name = uniqueName('records');
    lambda.register(name, { kind: 'in-process', handler: (event) => event });

    await invoke({ FunctionName: name, Payload: JSON.stringify({ password: 's3cr3t-value' }) });

    const records = lambda.invocations(lambda.arnOf(name));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ functionName: name, invocationType: 'RequestResponse', outcome: { kind: 'ok' } });
    expect(JSON.stringify(records)).not.toContain('s3cr3t-value');
  });
});

describe('local Lambda endpoint, command workers', () => {
  it('starts a worker on the first invocation and reuses it for the next', async () => {
    const name = uniqueName('warm');
    lambda.register(name, typescriptWorker(FIXTURE, 'handler'));

    const first = echoOf(await invoke({ FunctionName: name, Payload: '{"value":1}' }));
    const second = echoOf(await invoke({ FunctionName: name, Payload: '{"value":2}' }));

    expect(first.value).toBe(1);
    expect(second.value).toBe(2);
    expect(second.pid).toBe(first.pid);
  });

  it('runs concurrent invocations one at a time on the same warm worker', async () => {
    const name = uniqueName('queue');
    lambda.register(name, typescriptWorker(FIXTURE, 'handler'));

    const outputs = await Promise.all([1, 2, 3].map((value) => invoke({ FunctionName: name, Payload: JSON.stringify({ value }) })));

    const results = outputs.map(echoOf);
    expect(results.map((result) => result.value)).toEqual([1, 2, 3]);
    expect(new Set(results.map((result) => result.pid)).size).toBe(1);
  });

  it('returns a worker-side throw as an Unhandled function error', async () => {
    const name = uniqueName('worker-throws');
    lambda.register(name, typescriptWorker(FIXTURE, 'handler'));

    const output = await invoke({ FunctionName: name, Payload: '{"action":"throw"}' });

    expect(output.FunctionError).toBe('Unhandled');
    expect(decode(output)).toMatchObject({ errorType: 'RangeError', errorMessage: 'fixture refused' });
  });

  it('fails with Runtime.ExitError when the worker dies, and the next invocation gets a fresh worker', async () => {
    const name = uniqueName('crash');
    lambda.register(name, typescriptWorker(FIXTURE, 'handler'));
    const before = echoOf(await invoke({ FunctionName: name, Payload: '{}' }));

    const crashed = await invoke({ FunctionName: name, Payload: '{"action":"crash"}' });
    const after = echoOf(await invoke({ FunctionName: name, Payload: '{}' }));

    expect(crashed.FunctionError).toBe('Unhandled');
    const body = functionErrorOf(crashed);
    expect(body.errorType).toBe('Runtime.ExitError');
    expect(body.errorMessage).toMatch(/Runtime exited with error: exit status 3$/);
    expect(after.pid).not.toBe(before.pid);
  });

  it('kills a worker past its timeout, including a tsx CLI child, and recovers on the next invocation', async () => {
    const name = uniqueName('spin');
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    lambda.register(name, {
      kind: 'command',
      command: process.execPath,
      args: [tsxCli, 'local/lambda/worker-main.ts', FIXTURE, 'handler'],
      timeoutMs: 3_000,
    });
    const before = echoOf(await invoke({ FunctionName: name, Payload: '{}' }));

    const timedOut = await invoke({ FunctionName: name, Payload: '{"action":"spin"}' });
    const after = echoOf(await invoke({ FunctionName: name, Payload: '{}' }));

    expect(decode(timedOut)).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(functionErrorOf(timedOut).errorMessage).toMatch(/Task timed out after 3\.00 seconds$/);
    expect(after.pid).not.toBe(before.pid);
    // The handler ran in tsx's child process; only a process-group kill stops its busy loop.
    expect(isAlive(before.pid)).toBe(false);
  });

  it('returns the worker stderr of this invocation, with START/END/REPORT, as LogResult when asked for the tail', async () => {
    const name = uniqueName('logs');
    lambda.register(name, typescriptWorker(FIXTURE, 'handler'));

    const output = await invoke({ FunctionName: name, Payload: '{"action":"log"}', LogType: 'Tail' });

    expect(output.FunctionError).toBeUndefined();
    const log = Buffer.from(output.LogResult ?? '', 'base64').toString('utf8');
    expect(log).toContain('fixture says hello');
    expect(log).toContain('{"message":"fixture logs JSON"}');
    expect(log).toMatch(/^START RequestId: \S+ Version: \$LATEST\n/);
    expect(log).toMatch(/END RequestId: \S+\nREPORT RequestId: /);
  });

  it('reports Runtime.HandlerNotFound when the module lacks the export', async () => {
    const name = uniqueName('no-export');
    lambda.register(name, typescriptWorker(FIXTURE, 'doesNotExist'));

    const output = await invoke({ FunctionName: name, Payload: '{}' });

    expect(decode(output)).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
  });

  it('reports Runtime.InvalidEntrypoint when the command cannot be started', async () => {
    const name = uniqueName('missing');
    lambda.register(name, { kind: 'command', command: '/nonexistent/worker-binary' });

    const output = await invoke({ FunctionName: name, Payload: '{}' });

    expect(decode(output)).toMatchObject({ errorType: 'Runtime.InvalidEntrypoint' });
  });

  it('runs a worker in any language that speaks the line protocol', async () => {
    const name = uniqueName('shell');
    // A shell loop answering every request with a constant: the protocol needs nothing but lines.
    lambda.register(name, {
      kind: 'command',
      command: 'sh',
      args: ['-c', 'while read -r line; do echo "not a response"; echo \'{"result":{"from":"sh"}}\'; done'],
    });

    const output = await invoke({ FunctionName: name, Payload: '{}', LogType: 'Tail' });

    expect(decode(output)).toEqual({ from: 'sh' });
    expect(Buffer.from(output.LogResult ?? '', 'base64').toString('utf8')).toContain('not a response');
  });
});

describe('local Lambda endpoint lifecycle', () => {
  it('close() stops the HTTP server and the warm workers', async () => {
    const local = await startLocalLambda();
    const localClient = new LambdaClient({ endpoint: local.endpoint, region: local.region, credentials: TEST_CREDENTIALS });
    local.register('warm', typescriptWorker(FIXTURE, 'handler'));
    const { pid } = echoOf(await localClient.send(new InvokeCommand({ FunctionName: 'warm', Payload: '{}' })));

    await local.close();
    localClient.destroy();

    expect(isAlive(pid)).toBe(false);
    await expect(fetch(`${local.endpoint}/2015-03-31/functions/warm/invocations`, { method: 'POST' })).rejects.toThrow();
  });
});
