import { timingSafeEqual } from 'node:crypto';
import { parseAmzDate, signatureHeaders } from '../../lambda/secrets/aws-signature';
import { AwsApiError } from './errors';

/**
 * Signature Version 4 as Secrets Manager checks it, for the keys the local endpoints hand out: a request unsigned,
 * signed with an unknown key, for another region or service, or whose signature does not match its method, headers
 * and body is refused, as AWS refuses it. Every client of the local Secrets Manager is therefore checked: the AWS
 * SDK's, boto3 (the bench's AWS functions) and the functions' own, three signers that must agree with this one.
 *
 * A signature more than 15 minutes from now is refused too, as AWS does: by the machine's clock, which every client
 * signs by, not by the endpoint's (tests move that one to age secrets).
 */

/** The keys the local endpoints accept (local/stack.ts's LOCAL_AWS, the harness's TEST_CREDENTIALS); never real ones. */
export const LOCAL_KEYS: Readonly<Record<string, string>> = { local: 'local', test: 'test' };

export interface SignedRequest {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** How far a request's X-Amz-Date may be from the endpoint's time (AWS: "Signature expired" past 15 minutes). */
const MAX_SKEW_MS = 15 * 60_000;

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * @throws AwsApiError MissingAuthenticationTokenException, IncompleteSignatureException, UnrecognizedClientException
 *   or InvalidSignatureException, with AWS's messages
 */
export function checkSignature(request: SignedRequest, region: string): void {
  const header = single(request.headers.authorization);
  if (header === undefined) throw new AwsApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const match = AUTHORIZATION.exec(header);
  const amzDate = single(request.headers['x-amz-date']) ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!match || signedAt === undefined) {
    throw new AwsApiError('IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature, and the request an X-Amz-Date.');
  }
  const [, accessKeyId = '', date, scopeRegion, service, signedHeaderList = '', signature = ''] = match;
  const secretAccessKey = LOCAL_KEYS[accessKeyId];
  if (secretAccessKey === undefined) throw new AwsApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (scopeRegion !== region || service !== 'secretsmanager' || date !== amzDate.slice(0, 8)) {
    throw new AwsApiError('InvalidSignatureException', `Credential should be scoped to a valid region, service and date: ${region}/secretsmanager.`);
  }
  const signedNames = signedHeaderList.split(';');
  if (request.method !== 'POST' || request.path !== '/' || !signedNames.includes('host')) {
    throw new AwsApiError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
  }
  if (Math.abs(Date.now() - signedAt.getTime()) > MAX_SKEW_MS) {
    throw new AwsApiError('InvalidSignatureException', `Signature expired: ${amzDate} is more than 15 minutes from the endpoint's time.`);
  }
  const sessionToken = single(request.headers['x-amz-security-token']);
  const addedBySigner = new Set(['host', 'x-amz-date', 'x-amz-security-token']);
  const headers = Object.fromEntries(signedNames.filter((name) => !addedBySigner.has(name)).map((name) => [name, single(request.headers[name]) ?? '']));
  const expected = signatureHeaders(
    { host: single(request.headers.host) ?? '', headers, body: request.body.toString('utf8') },
    {
      region,
      service: 'secretsmanager',
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && signedNames.includes('x-amz-security-token') ? { sessionToken } : {}) },
      now: signedAt,
    },
  ).authorization;
  const calculated = /Signature=([0-9a-f]{64})$/.exec(expected ?? '')?.[1] ?? '';
  if (calculated.length !== signature.length || !timingSafeEqual(Buffer.from(calculated), Buffer.from(signature))) {
    throw new AwsApiError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
