import { randomUUID } from 'node:crypto';
import { AwsApiError } from './errors';

/**
 * The AWS JSON 1.1 protocol as `@aws-sdk/client-secrets-manager` 3.1162 speaks it (verified with a probe server,
 * ecosystem.md §5.4): `POST /` with `x-amz-target: secretsmanager.<Operation>` and a JSON body; answers are JSON with
 * `content-type: application/x-amz-json-1.1`; timestamps are epoch seconds; errors carry `__type`. SigV4 is checked before
 * any of this (signature-check.ts). No I/O here: the server hands in bytes and writes out what these functions return.
 */

export const JSON_11 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';

/** A decoded request: the operation named by the target header and its JSON input. */
export interface ApiRequest {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/** An answer ready to write: status, headers, body. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The operation named by the `x-amz-target` header, or undefined if it is absent or not Secrets Manager's. */
export function operationOf(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith(TARGET_PREFIX)) return undefined;
  const operation = target.slice(TARGET_PREFIX.length);
  return operation.length > 0 ? operation : undefined;
}

/**
 * Decodes method, target and body.
 *
 * @throws AwsApiError UnknownOperationException for a missing or foreign target or a non-POST request;
 *   SerializationException when the body is not a JSON object.
 */
export function decodeRequest(method: string | undefined, target: string | undefined, body: Buffer): ApiRequest {
  const operation = operationOf(target);
  if (method !== 'POST' || operation === undefined) {
    throw new AwsApiError('UnknownOperationException', `Unknown operation ${target ?? '(no x-amz-target header)'}.`);
  }
  const text = body.toString('utf8').trim();
  if (text === '') return { operation, input: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AwsApiError('SerializationException', 'The request body is not valid JSON.', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsApiError('SerializationException', 'The request body must be a JSON object.');
  }
  return { operation, input: parsed as Record<string, unknown> };
}

function headers(): Record<string, string> {
  return { 'content-type': JSON_11, 'x-amzn-requestid': randomUUID() };
}

/** A 200 answer. `output` carries timestamps already as epoch seconds (see {@link epochSeconds}). */
export function encodeSuccess(output: unknown): ApiResponse {
  return { status: 200, headers: headers(), body: JSON.stringify(output) };
}

/**
 * AWS's error answer: `{"__type": code, "message": text}` with the code's status. The SDK reads the code from
 * `__type` and the text from `message` (or `Message`) into `error.name` and `error.message`.
 */
export function encodeError(error: AwsApiError): ApiResponse {
  return {
    status: error.status,
    headers: headers(),
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** A Date as the wire wants it: epoch seconds. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
