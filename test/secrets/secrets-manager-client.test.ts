/**
 * The function's own Secrets Manager client, over HTTP to the local Secrets Manager: what it sends, what it makes
 * of answers and failures, and when it tries again. Its signature and endpoint are held to the AWS SDK's in
 * test/unit/aws-signature.test.ts and test/unit/secrets-manager-endpoint.test.ts.
 */
import { createServer } from 'node:net';
import * as sdk from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { SecretsManagerError } from '../../lambda/errors';
import { httpsTransport, NoAnswerError } from '../../lambda/secrets/https-transport';
import type { SecretsManager } from '../../lambda/secrets/secrets-manager-client';
import { isServiceError, parseError, secretsManagerClient } from '../../lambda/secrets/secrets-manager-client';
import { TIMESTAMP_MEMBERS } from '../../lambda/secrets/secrets-manager-operations';
import { rejectionOf, secretNames, signedRawHeaders, TEST_CREDENTIALS, useLocalSecretsManager } from '../harness/support/local-aws';

const local = useLocalSecretsManager();
const uniqueName = secretNames('client');

function client(maxAttempts = 3): SecretsManager {
  return secretsManagerClient({ endpoint: local.sm.endpoint, region: local.sm.region, credentials: TEST_CREDENTIALS, maxAttempts });
}

async function created(): Promise<{ name: string; arn: string; versionId: string }> {
  const name = uniqueName();
  const out = await client().call('CreateSecret', { Name: name, SecretString: '{"password":"first"}' });
  return { name, arn: out.ARN ?? '', versionId: out.VersionId ?? '' };
}

describe("the function's Secrets Manager client", () => {
  it('calls an operation and reads its answer, timestamps as Dates', async () => {
    const before = Date.now();
    const { name, arn, versionId } = await created();

    const described = await client().call('DescribeSecret', { SecretId: name });

    expect(described).toMatchObject({ ARN: arn, Name: name, VersionIdsToStages: { [versionId]: ['AWSCURRENT'] } });
    expect(described.CreatedDate).toBeInstanceOf(Date);
    expect(described.CreatedDate?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    const value = await client().call('GetSecretValue', { SecretId: arn, VersionStage: 'AWSCURRENT' });
    expect(value).toMatchObject({ VersionId: versionId, SecretString: '{"password":"first"}' });
  });

  it("fails with AWS's error code and status, and does not retry a refusal", async () => {
    local.sm.resetCalls();

    const error = await rejectionOf(client().call('GetSecretValue', { SecretId: uniqueName() }));

    expect(error).toBeInstanceOf(SecretsManagerError);
    expect(error).toMatchObject({ code: 'SECRETS_MANAGER', operation: 'GetSecretValue', awsErrorName: 'ResourceNotFoundException', httpStatus: 400 });
    expect(isServiceError(error, 'ResourceNotFoundException')).toBe(true);
    expect(local.sm.calls('GetSecretValue')).toBe(1);
  });

  it('retries throttling and server errors, up to maxAttempts', async () => {
    const { name } = await created();
    local.sm.resetCalls();
    local.sm.faults.add({ operation: 'DescribeSecret', kind: 'throttle', times: 1 });
    await expect(client().call('DescribeSecret', { SecretId: name })).resolves.toMatchObject({ Name: name });
    expect(local.sm.calls('DescribeSecret')).toBe(2);

    local.sm.resetCalls();
    local.sm.faults.add({ operation: 'DescribeSecret', kind: 'internal-error', times: 3 });
    const error = await rejectionOf(client(3).call('DescribeSecret', { SecretId: name }));
    expect(error).toMatchObject({ awsErrorName: 'InternalServiceError', httpStatus: 500 });
    expect(local.sm.calls('DescribeSecret')).toBe(3);
  });

  it('makes a write without a ClientRequestToken idempotent: a retry after a lost answer makes no second version', async () => {
    const { name, versionId } = await created();
    // The write lands, the answer is lost as a 500; the retry must carry the same token.
    local.sm.faults.add({ operation: 'PutSecretValue', kind: 'internal-error', when: 'after', times: 1 });

    const put = await client().call('PutSecretValue', { SecretId: name, SecretString: '{"password":"second"}' });

    const stages = (await client().call('DescribeSecret', { SecretId: name })).VersionIdsToStages ?? {};
    expect(stages).toEqual({ [versionId]: ['AWSPREVIOUS'], [put.VersionId ?? '']: ['AWSCURRENT'] });
  });

  it('retries a refused connection, then names it, and never quotes the value it was sending', async () => {
    const port = await closedPort();
    const unreachable = secretsManagerClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 2 });

    const error = await rejectionOf(unreachable.call('PutSecretValue', { SecretId: 'app', SecretString: '{"password":"never-shown"}' }));

    expect(error).toMatchObject({ operation: 'PutSecretValue', awsErrorName: 'ECONNREFUSED' });
    expect((error as SecretsManagerError).httpStatus).toBeUndefined();
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('never-shown');
  });

  it('gives an attempt up when no answer comes in time, as a TimeoutError (which the client retries)', async () => {
    const { name } = await created();
    local.sm.faults.add({ operation: 'DescribeSecret', kind: 'latency', latencyMs: 1_000, times: 1 });
    const transport = httpsTransport({ timeoutMs: 100 });
    const body = JSON.stringify({ SecretId: name });
    const headers = signedRawHeaders(local.sm, 'secretsmanager.DescribeSecret', body);

    const error = await rejectionOf(transport({ url: new URL(local.sm.endpoint), headers, body }));

    expect(error).toBeInstanceOf(NoAnswerError);
    expect(error).toMatchObject({ reason: 'TimeoutError' });
  });

  it('fails, naming the variables, when Lambda gave no credentials', async () => {
    const saved = { ...process.env };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const withoutKeys = secretsManagerClient({ endpoint: local.sm.endpoint, region: local.sm.region });
      await expect(withoutKeys.call('DescribeSecret', { SecretId: 'app' })).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
    } finally {
      process.env = saved;
    }
  });
});

describe("reading AWS's answers", () => {
  it('knows every timestamp member of the Secrets Manager model, as the SDK does', () => {
    // The SDK's schemas: [3, namespace, name, traits, memberNames, memberSchemas], a timestamp member being 4.
    const fromSdk = new Set<string>();
    for (const schema of Object.values(sdk)) {
      if (!Array.isArray(schema) || schema[0] !== 3) continue;
      const [names, types] = [schema[4] as unknown[], schema[5] as unknown[]];
      names.forEach((member, i) => {
        if (types[i] === 4) fromSdk.add(String(member));
      });
    }
    expect(fromSdk.size).toBeGreaterThan(0);
    expect([...TIMESTAMP_MEMBERS].sort()).toEqual([...fromSdk].sort());
  });

  it("reads the error code from the header or the body, without AWS's namespace or URI", () => {
    expect(parseError({ status: 400, headers: { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.secrets/' }, body: '{}' })).toEqual({
      awsErrorName: 'ResourceNotFoundException',
      message: 'HTTP 400',
    });
    expect(parseError({ status: 400, headers: {}, body: '{"__type":"com.amazonaws.secretsmanager#InvalidRequestException","Message":"label is not attached"}' })).toEqual({
      awsErrorName: 'InvalidRequestException',
      message: 'label is not attached',
    });
    expect(parseError({ status: 502, headers: {}, body: '<html>Bad Gateway</html>' })).toEqual({ awsErrorName: 'Http502', message: 'HTTP 502' });
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
