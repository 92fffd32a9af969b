import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { z } from 'zod';
import type { ActionRequestSchema } from '../lambda/actions/action-request';
import type { TestRequestSchema } from '../lambda/checks/test-request';
import type { DiscoverRequestSchema } from '../lambda/discovery/discovery';
import type { ActionResponse, DiscoverResponse, Response, RotateResponse, StatusResponse, TestResponse } from '../lambda/requests/envelope';
import { ResponseSchema } from '../lambda/requests/envelope';
import type { OrchestratorRequestInput } from '../lambda/requests/orchestrator-request';
import { OrchestratorRequestSchema } from '../lambda/requests/orchestrator-request';
import type { RotateRequestSchema } from '../lambda/requests/rotate-request';
import type { StatusRequestSchema } from '../lambda/status/status-request';
import { firstIssue } from '../lambda/validation';
import { InvalidResponseError, InvocationError } from './client-errors';

/** What {@link createPgRotatorClient} needs. */
export interface PgRotatorClientOptions {
  /** The function's name, ARN or partial ARN, as Lambda's Invoke takes it. */
  readonly functionName: string;
  /** A Lambda client to use; otherwise one is made from `lambdaConfig` (region, endpoint, credentials). */
  readonly lambda?: Pick<LambdaClient, 'send'>;
  readonly lambdaConfig?: LambdaClientConfig;
  /** Sent in the Lambda client context (`custom.caller`) when a request names no caller; lands in the audit log. */
  readonly caller?: string;
}

type Without<R, K extends string> = R extends unknown ? Omit<R, K> : never;
/** An action request as callers write it: `kind` is implied. */
export type ActionInput = Without<z.input<typeof ActionRequestSchema>, 'kind'>;
/** A test request as callers write it. */
export type TestInput = Omit<z.input<typeof TestRequestSchema>, 'kind'>;
/** A rotate request as callers write it. */
export type RotateInput = Omit<z.input<typeof RotateRequestSchema>, 'kind'>;
/** A discover request as callers write it. */
export type DiscoverInput = Omit<z.input<typeof DiscoverRequestSchema>, 'kind'>;
/** A status request as callers write it (to the status function). */
export type StatusInput = Omit<z.input<typeof StatusRequestSchema>, 'kind'>;

/** The typed client orchestrators import. Every method validates the request before sending and the response after. */
export interface PgRotatorClient {
  /** Any request; the response kind follows the request's. */
  send(request: OrchestratorRequestInput): Promise<Response>;
  /** Sends a payload as is, without validating it first (the function validates it); for tools that relay JSON. */
  sendRaw(payload: unknown): Promise<Response>;
  action(request: ActionInput): Promise<ActionResponse>;
  test(request: TestInput): Promise<TestResponse>;
  rotate(request: RotateInput): Promise<RotateResponse>;
  discover(request: DiscoverInput): Promise<DiscoverResponse>;
  /** A status request: the client must be made for the status function, which answers it (the orchestrator refuses it). */
  status(request?: StatusInput): Promise<StatusResponse>;
}

/**
 * A client for pg-rotator's orchestrator API on `@aws-sdk/client-lambda` (synchronous Invoke). Requests are
 * checked against the same zod schemas the function uses, so a malformed request fails here with the field
 * named (InvalidInputError); responses are parsed with the response schemas, so a caller gets typed results or an
 * InvalidResponseError. An action's response carries its `rollback`, which `send` accepts back unchanged.
 *
 * @example
 * const rotator = createPgRotatorClient({ functionName: 'pg-rotator', lambdaConfig: { region: 'eu-west-1' } });
 * const locked = await rotator.action({
 *   action: 'lock-user',
 *   target: { adminSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/admin' },
 *   params: { role: 'alice', terminateSessions: true },
 * });
 * if (locked.ok && locked.rollback) await rotator.send(locked.rollback);
 */
export function createPgRotatorClient(options: PgRotatorClientOptions): PgRotatorClient {
  const lambda = options.lambda ?? new LambdaClient(options.lambdaConfig ?? {});
  const clientContext = options.caller === undefined ? undefined : Buffer.from(JSON.stringify({ custom: { caller: options.caller } })).toString('base64');

  async function invoke(payload: unknown): Promise<Response> {
    let out;
    try {
      out = await lambda.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
          ClientContext: clientContext,
        }),
      );
    } catch (error) {
      throw new InvocationError(error instanceof Error ? error.name : 'UnknownError', error instanceof Error ? error.message.slice(0, 300) : 'failed');
    }
    const text = out.Payload === undefined ? '' : new TextDecoder().decode(out.Payload);
    if (out.FunctionError !== undefined) {
      // The function failed without answering (timeout, out of memory): Lambda's own error object, no payload of ours.
      throw new InvocationError(out.FunctionError, `the function failed without a response (${errorTypeOf(text)})`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new InvalidResponseError('the function answered with something that is not JSON');
    }
    const parsed = ResponseSchema.safeParse(body);
    if (!parsed.success) throw new InvalidResponseError(`the function's answer is not a pg-rotator response: ${firstIssue(parsed.error, 'response').message}`);
    return parsed.data;
  }

  async function send(request: OrchestratorRequestInput): Promise<Response> {
    const parsed = OrchestratorRequestSchema.safeParse(request);
    if (!parsed.success) throw firstIssue(parsed.error, 'request');
    return invoke(parsed.data);
  }

  async function sendAs<K extends Response['kind'], R extends Extract<Response, { kind: K }>>(kind: K, request: object): Promise<R> {
    const response = await send({ ...request, kind } as OrchestratorRequestInput);
    if (response.kind !== kind) throw new InvalidResponseError(`asked for a ${String(kind)} response, got ${String(response.kind)}`);
    return response as R;
  }

  return {
    send,
    sendRaw: invoke,
    action: (request) => sendAs('action', request),
    test: (request) => sendAs('test', request),
    rotate: (request) => sendAs('rotate', request),
    discover: (request) => sendAs('discover', request),
    status: (request = {}) => sendAs('status', request),
  };
}

function errorTypeOf(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'errorType' in parsed && typeof parsed.errorType === 'string') return parsed.errorType.slice(0, 100);
  } catch {
    // not JSON: say nothing about it
  }
  return 'no error type';
}
