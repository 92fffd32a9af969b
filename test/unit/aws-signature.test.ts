/**
 * The function's Signature Version 4 against the AWS SDK's: for the same request, credentials and clock, the same
 * Authorization header, or Secrets Manager would refuse every call (InvalidSignatureException).
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AwsCredentials } from '../../lambda/secrets/aws-signature';
import { parseAmzDate, signatureHeaders } from '../../lambda/secrets/aws-signature';

/** What the test reads of the SDK's request. */
interface HttpRequest {
  readonly hostname: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** The request the SDK's client signs and would send, stopped before it leaves the process. */
async function signedBySdk(region: string, credentials: AwsCredentials, command: GetSecretValueCommand | PutSecretValueCommand): Promise<HttpRequest> {
  let captured: HttpRequest | undefined;
  const client = new SecretsManagerClient({
    region,
    credentials,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: HttpRequest) => {
        captured = request;
        throw new Error('captured');
      },
    },
  });
  await client.send(command).catch(() => undefined);
  if (captured === undefined) throw new Error('the SDK sent nothing');
  return captured;
}

/** Our signature of what the SDK sent: the same signed headers, body and moment. */
function signedByUs(region: string, credentials: AwsCredentials, request: HttpRequest): string {
  const signedNames = /SignedHeaders=([^,]+)/.exec(request.headers.authorization ?? '')?.[1]?.split(';') ?? [];
  const ours = new Set(['host', 'x-amz-date', 'x-amz-security-token']);
  const headers = Object.fromEntries(signedNames.filter((name) => !ours.has(name)).map((name) => [name, request.headers[name] ?? '']));
  const now = parseAmzDate(request.headers['x-amz-date'] ?? '');
  if (now === undefined) throw new Error('the SDK sent no X-Amz-Date');
  return signatureHeaders({ host: request.hostname, headers, body: typeof request.body === 'string' ? request.body : Buffer.from(request.body as Uint8Array).toString('utf8') }, { region, service: 'secretsmanager', credentials, now }).authorization ?? '';
}

describe('Signature Version 4', () => {
  it('signs as the AWS SDK does, for any secret value, token, region and keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2', 'cn-north-1', 'us-gov-west-1'),
        fc.record({
          accessKeyId: fc.stringMatching(/^[A-Z0-9]{16,20}$/),
          secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
          sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{20,80}$/), { nil: undefined }),
        }),
        fc.string({ maxLength: 200 }),
        fc.uuid(),
        async (region, keys, secretString, token) => {
          const credentials: AwsCredentials = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}) };
          const sdk = await signedBySdk(region, credentials, new PutSecretValueCommand({ SecretId: 'prod/app', ClientRequestToken: token, SecretString: secretString }));
          expect(signedByUs(region, credentials, sdk)).toBe(sdk.headers.authorization);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('signs the session token, which Lambda execution role credentials always carry', async () => {
    const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'example', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE' };
    const sdk = await signedBySdk('eu-west-1', credentials, new GetSecretValueCommand({ SecretId: 'prod/app', VersionStage: 'AWSCURRENT' }));
    expect(sdk.headers.authorization).toContain('x-amz-security-token');
    expect(signedByUs('eu-west-1', credentials, sdk)).toBe(sdk.headers.authorization);
    const added = signatureHeaders({ host: 'h', headers: {}, body: '' }, { region: 'eu-west-1', service: 'secretsmanager', credentials, now: new Date() });
    expect(added['x-amz-security-token']).toBe(credentials.sessionToken);
  });

  it('changes with every signed part: a tampered body, target or clock no longer matches', () => {
    const scope = { region: 'us-east-1', service: 'secretsmanager', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, now: new Date('2026-12-03T10:00:00Z') };
    const request = { host: 'secretsmanager.us-east-1.amazonaws.com', headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' }, body: '{"SecretId":"a"}' };
    const base = signatureHeaders(request, scope).authorization;
    expect(signatureHeaders({ ...request, body: '{"SecretId":"b"}' }, scope).authorization).not.toBe(base);
    expect(signatureHeaders({ ...request, headers: { 'x-amz-target': 'secretsmanager.DeleteSecret' } }, scope).authorization).not.toBe(base);
    expect(signatureHeaders(request, { ...scope, now: new Date('2026-12-03T10:00:01Z') }).authorization).not.toBe(base);
  });
});
