import { createHash, createHmac } from 'node:crypto';

/** The execution role's keys, as Lambda hands them to a function (AWS_ACCESS_KEY_ID and friends). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials, which a Lambda execution role's always are. */
  readonly sessionToken?: string;
}

/** A request about to be signed: only what a JSON-protocol call to `POST /` has. */
export interface UnsignedRequest {
  /** The `Host` header as sent: hostname, and port when it is not the scheme's default. */
  readonly host: string;
  /** Header names in lower case; every one is signed. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigningScope {
  readonly region: string;
  /** The signing name: `secretsmanager`. */
  readonly service: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The X-Amz-Date form of a moment: `20261203T101500Z`. */
export function amzDateOf(moment: Date): string {
  return moment.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** The moment an X-Amz-Date names, or undefined when it is not one. */
export function parseAmzDate(text: string): Date | undefined {
  const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!parts) return undefined;
  const moment = new Date(`${parts[1]}-${parts[2]}-${parts[3]}T${parts[4]}:${parts[5]}:${parts[6]}Z`);
  return Number.isNaN(moment.getTime()) ? undefined : moment;
}

/**
 * The headers Signature Version 4 adds to a `POST /` request without a query string: `x-amz-date`, the session token
 * when there is one, and `authorization` (AWS General Reference, "Create a signed AWS API request"). Every header
 * passed in is signed, `host` included, so the caller passes only headers it sends unchanged.
 *
 * @example
 * const added = signatureHeaders({ host, headers: { 'content-type': JSON_11, 'x-amz-target': target }, body }, scope);
 */
export function signatureHeaders(request: UnsignedRequest, scope: SigningScope): Record<string, string> {
  const amzDate = amzDateOf(scope.now);
  const date = amzDate.slice(0, 8);
  const added: Record<string, string> = { 'x-amz-date': amzDate };
  if (scope.credentials.sessionToken) added['x-amz-security-token'] = scope.credentials.sessionToken;
  const headers = Object.entries({ ...request.headers, host: request.host, ...added })
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = ['POST', '/', '', ...headers.map(([name, value]) => `${name}:${value}`), '', signedHeaders, sha256Hex(request.body)].join('\n');
  const credentialScope = `${date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(scope.credentials.secretAccessKey, date, scope.region, scope.service)).update(stringToSign).digest('hex');
  added.authorization = `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return added;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const dateKey = createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
  const regionKey = createHmac('sha256', dateKey).update(region).digest();
  const serviceKey = createHmac('sha256', regionKey).update(service).digest();
  return createHmac('sha256', serviceKey).update('aws4_request').digest();
}
