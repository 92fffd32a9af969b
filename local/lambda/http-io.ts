import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaApiError } from './errors';
import type { InvocationOutcome } from './invocation-outcome';
import { LATEST } from './local-function';
import { logResultHeader } from './log-tail';

/** A request body read up to a limit: `size` counts every byte, `body` keeps at most `limit + 1` of them. */
export interface ReadBody {
  readonly body: Buffer;
  readonly size: number;
}

/**
 * Reads a request body, keeping only the first `limit + 1` bytes in memory so an oversized upload is measured
 * and drained but not held.
 *
 * @example
 * const { body, size } = await readBody(req, 6 * 1024 * 1024);
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    if (size <= limit) chunks.push(bytes.subarray(0, limit + 1 - size));
    size += bytes.length;
  }
  return { body: Buffer.concat(chunks), size };
}

/**
 * Answers with a restJson1 error: status, `x-amzn-errortype` (which the SDK maps to its exception class) and
 * `{"Type","message"}`.
 *
 * @example
 * sendApiError(res, new ResourceNotFoundError(arn), requestId); // 404, SDK throws ResourceNotFoundException
 */
export function sendApiError(res: ServerResponse, error: LambdaApiError, requestId: string): void {
  const body = JSON.stringify({ Type: error.faultType, message: error.message });
  res.writeHead(error.statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}

/** Answers `Event` (202) and `DryRun` (204) invocations: no body. */
export function sendAccepted(res: ServerResponse, statusCode: 202 | 204, requestId: string): void {
  res.writeHead(statusCode, { 'content-length': 0, 'x-amzn-requestid': requestId });
  res.end();
}

/**
 * Answers a `RequestResponse` invocation: always 200; a function error is marked by `X-Amz-Function-Error`
 * and described in the body. `log` is sent as `X-Amz-Log-Result` when the caller asked for the tail.
 *
 * @example
 * sendInvokeResult(res, { kind: 'ok', payload: '{"ok":true}' }, requestId, undefined);
 */
export function sendInvokeResult(
  res: ServerResponse,
  outcome: InvocationOutcome,
  requestId: string,
  log: string | undefined,
): void {
  const body = outcome.kind === 'ok' ? outcome.payload : JSON.stringify(outcome.error);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': LATEST,
    ...(outcome.kind === 'function-error' && { 'x-amz-function-error': 'Unhandled' }),
    ...(log !== undefined && { 'x-amz-log-result': logResultHeader(log) }),
  });
  res.end(body);
}
