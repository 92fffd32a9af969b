import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import {
  InvalidRequestContentError,
  RequestTooLargeError,
  UnknownOperationError,
  ValidationError,
} from './errors';

/** Invoke's payload limits (Lambda quotas): 6 MB synchronous, 256 KB asynchronous. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;

/** Lambda's limit on the base64 `X-Amz-Client-Context` header. */
const MAX_CLIENT_CONTEXT_BYTES = 3583;

export const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'] as const;
export type InvocationType = (typeof INVOCATION_TYPES)[number];

/** The function name and query qualifier of an Invoke request, still unparsed. */
export interface InvokeTarget {
  readonly functionName: string;
  readonly qualifier?: string;
}

/** The Invoke headers the endpoint acts on. */
export interface InvokeHeaders {
  readonly invocationType: InvocationType;
  readonly logType: 'None' | 'Tail';
  readonly clientContext?: unknown;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/**
 * Matches `POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=...]`, decoding the name.
 *
 * @example
 * matchInvokePath('POST', '/2015-03-31/functions/rotator%3A%24LATEST/invocations');
 * // { functionName: 'rotator:$LATEST' }
 */
export function matchInvokePath(method: string, rawUrl: string): InvokeTarget {
  const url = new URL(rawUrl, 'http://localhost');
  const encodedName = INVOKE_PATH.exec(url.pathname)?.[1];
  if (method !== 'POST' || encodedName === undefined) {
    throw new UnknownOperationError(`No Lambda operation at ${method} ${url.pathname}`);
  }
  let functionName: string;
  try {
    functionName = decodeURIComponent(encodedName);
  } catch (error) {
    throw new ValidationError("Value at 'functionName' is not a valid URL-encoded string", { cause: error });
  }
  const qualifier = url.searchParams.get('Qualifier') || undefined;
  return { functionName, ...(qualifier !== undefined && { qualifier }) };
}

const HeadersSchema = z.object({
  'x-amz-invocation-type': z.enum(INVOCATION_TYPES).default('RequestResponse'),
  'x-amz-log-type': z.enum(['None', 'Tail']).default('None'),
  'x-amz-client-context': z.string().max(MAX_CLIENT_CONTEXT_BYTES).optional(),
});

const HEADER_FIELDS: Readonly<Record<string, string>> = {
  'x-amz-invocation-type': 'invocationType',
  'x-amz-log-type': 'logType',
  'x-amz-client-context': 'clientContext',
};

/**
 * Reads the invocation type, log type and client context headers, with AWS's defaults.
 *
 * @example
 * parseInvokeHeaders({ 'x-amz-invocation-type': 'Event' }); // { invocationType: 'Event', logType: 'None' }
 */
export function parseInvokeHeaders(headers: IncomingHttpHeaders): InvokeHeaders {
  const parsed = HeadersSchema.safeParse(headers);
  if (!parsed.success) {
    const header = String(parsed.error.issues[0]?.path[0] ?? '');
    // The value itself is not echoed: only the member name and what it must satisfy.
    throw new ValidationError(
      `1 validation error detected: Value at '${HEADER_FIELDS[header] ?? header}' failed to satisfy constraint: ` +
        (parsed.error.issues[0]?.message ?? 'invalid'),
    );
  }
  const encoded = parsed.data['x-amz-client-context'];
  return {
    invocationType: parsed.data['x-amz-invocation-type'],
    logType: parsed.data['x-amz-log-type'],
    ...(encoded !== undefined && { clientContext: decodeClientContext(encoded) }),
  };
}

function decodeClientContext(encoded: string): unknown {
  try {
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch (error) {
    throw new InvalidRequestContentError('Client context must be a valid Base64-encoded JSON object.', { cause: error });
  }
}

/**
 * Enforces the payload limit of the invocation type.
 *
 * @example
 * assertPayloadSize('Event', 300 * 1024); // throws RequestTooLargeError
 */
export function assertPayloadSize(invocationType: InvocationType, sizeBytes: number): void {
  const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
  if (sizeBytes > limit) throw new RequestTooLargeError(limit);
}

/**
 * Parses the payload as JSON. An empty payload is `{}`, as Lambda passes when Invoke is called without one.
 *
 * @example
 * parsePayload(Buffer.from('{"Step":"createSecret"}')); // { Step: 'createSecret' }
 */
export function parsePayload(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    // The SyntaxError quotes part of the payload, which may be a credential, so it is neither kept nor echoed.
    throw new InvalidRequestContentError('Could not parse request body into json: Could not parse payload into json');
  }
}
