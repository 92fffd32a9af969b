import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DecryptionFailure,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InternalServiceError,
  LimitExceededException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidFaultError } from '../../local/secrets-manager/faults';
import { rejectionOf, secretNames, signedRawHeaders, useLocalSecretsManager } from './support/local-aws';

// Fault injection (throttling, 500s, latency, any AWS error; before or after the change is applied), call counters,
// and AWS's error shapes on the wire, as the real SDK sees them.

const local = useLocalSecretsManager();
const uniqueName = secretNames('faults');
/** Tries each call once (`maxAttempts: 1`), so a fault reaches the test as is. */
let once: SecretsManagerClient;
/** The SDK's default retries, to see what a fault looks like to a caller that retries. */
let retrying: SecretsManagerClient;

async function createSecret(): Promise<string> {
  const name = uniqueName();
  await once.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  return name;
}

async function versionCount(name: string): Promise<number> {
  const listed = await once.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  return listed.Versions?.length ?? 0;
}

/** POSTs raw bytes, to see exactly what goes over the wire. */
async function rawCall(
  target: string | undefined,
  body: string,
  sign: (headers: Record<string, string>) => Record<string, string> = (headers) => headers,
): Promise<{ status: number; contentType: string | null; json: unknown }> {
  const headers = sign(signedRawHeaders(local.sm, target, body));
  const response = await fetch(local.sm.endpoint, { method: 'POST', headers, body });
  return { status: response.status, contentType: response.headers.get('content-type'), json: await response.json() };
}

// Runs after useLocalSecretsManager's beforeAll: Vitest runs before hooks one by one in the order they are registered
// (sequence.hooks 'stack', its default).
beforeAll(() => {
  once = local.client;
  retrying = local.clientWith({});
});

afterEach(() => {
  local.sm.faults.clear();
});

describe('fault kinds', () => {
  it('throttle answers ThrottlingException (HTTP 400) before applying anything', async () => {
    const name = await createSecret();
    local.sm.faults.add({ operation: 'PutSecretValue', kind: 'throttle' });
    const error = await rejectionOf(once.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' })));
    expect(error.name).toBe('ThrottlingException');
    expect(error).toBeInstanceOf(SecretsManagerServiceException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(await versionCount(name)).toBe(1);
  });

  it('the SDK retries a throttled call by its error name, so a single throttle is invisible with default retries', async () => {
    const name = await createSecret();
    local.sm.resetCalls();
    local.sm.faults.add({ operation: 'PutSecretValue', kind: 'throttle', onCall: 1 });
    const answer = await retrying.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    expect(answer.$metadata.attempts).toBe(2);
    expect(local.sm.calls('PutSecretValue')).toBe(2);
    expect(await versionCount(name)).toBe(2);
  });

  it('internal-error answers InternalServiceError with HTTP 500, which the SDK retries', async () => {
    const name = await createSecret();
    local.sm.faults.add({ operation: 'GetSecretValue', kind: 'internal-error', times: 1 });
    const error = await rejectionOf(once.send(new GetSecretValueCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(InternalServiceError);
    expect(error.$metadata?.httpStatusCode).toBe(500);

    local.sm.faults.add({ operation: 'GetSecretValue', kind: 'internal-error', times: 2 });
    const answer = await retrying.send(new GetSecretValueCommand({ SecretId: name }));
    expect(answer.SecretString).toBe('v1');
    expect(answer.$metadata.attempts).toBe(3);
  });

  it('latency delays the answer by latencyMs', async () => {
    const name = await createSecret();
    local.sm.faults.add({ operation: 'DescribeSecret', kind: 'latency', latencyMs: 150 });
    const started = performance.now();
    await once.send(new DescribeSecretCommand({ SecretId: name }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('error answers any AWS error code, e.g. DecryptionFailure', async () => {
    const name = await createSecret();
    local.sm.faults.add({ operation: 'GetSecretValue', kind: 'error', code: 'DecryptionFailure', message: 'KMS key is disabled.' });
    const error = await rejectionOf(once.send(new GetSecretValueCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(DecryptionFailure);
    expect(error.message).toBe('KMS key is disabled.');
  });

  it('LimitExceededException reaches the caller as its class, and the SDK treats it as throttling (retries it)', async () => {
    const name = await createSecret();
    local.sm.faults.add({ operation: 'PutSecretValue', kind: 'error', code: 'LimitExceededException', onCall: 1 });
    const error = await rejectionOf(once.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' })));
    expect(error).toBeInstanceOf(LimitExceededException);
    local.sm.faults.add({ operation: 'PutSecretValue', kind: 'error', code: 'LimitExceededException', onCall: 1 });
    expect((await retrying.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v3' }))).$metadata.attempts).toBe(2);
  });
});

describe('fault timing and counting', () => {
  it("when 'after' applies the change and then fails, like a response lost on the wire", async () => {
    const name = await createSecret();
    const token = randomUUID();
    local.sm.faults.add({ operation: 'PutSecretValue', kind: 'internal-error', when: 'after' });
    const error = await rejectionOf(
      once.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token })),
    );
    expect(error).toBeInstanceOf(InternalServiceError);
    const current = await once.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current).toMatchObject({ VersionId: token, SecretString: 'v2' });
  });

  it('a lost PutSecretValue answer retried by the SDK with its generated token creates one version, not two', async () => {
    const name = await createSecret();
    local.sm.faults.add({ operation: 'PutSecretValue', kind: 'internal-error', when: 'after', onCall: 1 });
    const answer = await retrying.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    expect(answer.$metadata.attempts).toBe(2);
    expect(await versionCount(name)).toBe(2);
  });

  it('onCall fails only the Nth call after the fault was added; times widens it to several calls', async () => {
    const name = await createSecret();
    const fault = local.sm.faults.add({ operation: 'GetSecretValue', kind: 'throttle', onCall: 2, times: 2 });
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        await once.send(new GetSecretValueCommand({ SecretId: name })).then(
          () => 'ok',
          (error: Error) => error.name,
        ),
      );
    }
    expect(results).toEqual(['ok', 'ThrottlingException', 'ThrottlingException', 'ok']);
    expect(fault.seen).toBe(4);
    expect(fault.fired).toBe(2);
  });

  it("'*' matches every operation, and clear() and remove() stop faults", async () => {
    const name = await createSecret();
    const fault = local.sm.faults.add({ operation: '*', kind: 'throttle' });
    expect((await rejectionOf(once.send(new DescribeSecretCommand({ SecretId: name })))).name).toBe('ThrottlingException');
    expect((await rejectionOf(once.send(new GetRandomPasswordCommand({})))).name).toBe('ThrottlingException');
    fault.remove();
    await once.send(new DescribeSecretCommand({ SecretId: name }));
    local.sm.faults.add({ operation: 'DescribeSecret', kind: 'throttle' });
    local.sm.faults.clear();
    await once.send(new DescribeSecretCommand({ SecretId: name }));
  });

  it('counts calls per operation, including faulted calls and SDK retries', async () => {
    const name = await createSecret();
    local.sm.resetCalls();
    local.sm.faults.add({ operation: 'GetSecretValue', kind: 'internal-error', onCall: 1 });
    await retrying.send(new GetSecretValueCommand({ SecretId: name }));
    await once.send(new DescribeSecretCommand({ SecretId: name }));
    expect(local.sm.calls('GetSecretValue')).toBe(2);
    expect(local.sm.calls('DescribeSecret')).toBe(1);
    expect(local.sm.calls('PutSecretValue')).toBe(0);
  });

  it('rejects a malformed fault with InvalidFaultError naming the field', () => {
    expect(() => local.sm.faults.add({ operation: 'GetSecretValue', kind: 'latency' })).toThrow(InvalidFaultError);
    expect(() => local.sm.faults.add({ operation: 'GetSecretValue', kind: 'throttle', onCall: 0 })).toThrow(/fault\.onCall/);
  });
});

describe('error shapes on the wire', () => {
  it('answers errors with HTTP 400, content-type application/x-amz-json-1.1 and {"__type", "message"}', async () => {
    const answer = await rawCall('secretsmanager.DescribeSecret', JSON.stringify({ SecretId: 'missing/secret' }));
    expect(answer).toEqual({
      status: 400,
      contentType: 'application/x-amz-json-1.1',
      json: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." },
    });
  });

  it('refuses a request that is unsigned, signed with an unknown key, altered after signing or signed too long ago, as AWS does', async () => {
    const body = JSON.stringify({ SecretId: 'missing/secret' });
    const target = 'secretsmanager.DescribeSecret';
    const unsigned = await rawCall(target, body, (headers) => ({ 'content-type': headers['content-type'] ?? '', 'x-amz-target': target }));
    expect(unsigned).toMatchObject({ status: 400, json: { __type: 'MissingAuthenticationTokenException' } });
    const unknownKey = await rawCall(target, body, (headers) => ({ ...headers, authorization: (headers.authorization ?? '').replace('Credential=test/', 'Credential=AKIAUNKNOWN/') }));
    expect(unknownKey.json).toMatchObject({ __type: 'UnrecognizedClientException' });
    const otherRegion = await rawCall(target, body, (headers) => ({ ...headers, authorization: (headers.authorization ?? '').replace(`/${local.sm.region}/`, '/eu-west-1/') }));
    expect(otherRegion.json).toMatchObject({ __type: 'InvalidSignatureException' });
    const signedForAnother = signedRawHeaders(local.sm, target, JSON.stringify({ SecretId: 'another' }));
    const altered = await rawCall(target, body, () => signedForAnother);
    expect(altered.json).toMatchObject({ __type: 'InvalidSignatureException', message: expect.stringContaining('does not match') });
    const stale = await rawCall(target, body, () => signedRawHeaders(local.sm, target, body, new Date(Date.now() - 16 * 60_000)));
    expect(stale.json).toMatchObject({ __type: 'InvalidSignatureException', message: expect.stringContaining('Signature expired') });
    const skewed = await rawCall(target, body, () => signedRawHeaders(local.sm, target, body, new Date(Date.now() + 5 * 60_000)));
    expect(skewed.json).toMatchObject({ __type: 'ResourceNotFoundException' });
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const answer = await rawCall('secretsmanager.FlyToTheMoon', '{}');
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ __type: 'UnknownOperationException' });
    const noTarget = await rawCall(undefined, '{}');
    expect(noTarget.json).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers a malformed JSON body with SerializationException', async () => {
    const answer = await rawCall('secretsmanager.DescribeSecret', '{"SecretId": ');
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ __type: 'SerializationException' });
  });

  it('answers a member of the wrong JSON type with SerializationException', async () => {
    const answer = await rawCall('secretsmanager.GetRandomPassword', JSON.stringify({ PasswordLength: 'long' }));
    expect(answer.json).toMatchObject({ __type: 'SerializationException' });
  });

  it('answers a missing required member with ValidationException naming it', async () => {
    const answer = await rawCall('secretsmanager.GetSecretValue', '{}');
    expect(answer.json).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must not be null",
    });
  });

  it('sends timestamps as epoch seconds', async () => {
    const name = await createSecret();
    const answer = await rawCall('secretsmanager.DescribeSecret', JSON.stringify({ SecretId: name }));
    const body = answer.json as Record<string, unknown>;
    expect(typeof body.CreatedDate).toBe('number');
    expect(Math.abs((body.CreatedDate as number) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('the SDK surfaces ValidationException by name for a range violation', async () => {
    const error = await rejectionOf(once.send(new GetRandomPasswordCommand({ PasswordLength: 5000 })));
    expect(error.name).toBe('ValidationException');
    expect(error).toBeInstanceOf(SecretsManagerServiceException);
    expect(error.message).toContain("'passwordLength'");
    expect(error.message).toContain('less than or equal to 4096');
  });

  it('never echoes a secret value in an error', async () => {
    const answer = await rawCall(
      'secretsmanager.PutSecretValue',
      JSON.stringify({ SecretId: 'missing/secret', SecretString: 'hunter2-super-secret', RotationToken: 'rot-token-xyz' }),
    );
    expect(JSON.stringify(answer.json)).not.toMatch(/hunter2|rot-token-xyz/);
  });
});
