import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  InvalidRequestException,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { LocalSecretsManagerConfigError } from '../../local/secrets-manager/errors';
import { startLocalSecretsManager } from '../../local/secrets-manager/server';
import type { LocalSecretsManagerFixture } from './support/local-aws';
import { rejectionOf, secretNames, useLocalSecretsManager } from './support/local-aws';
import { registerRotationFunction } from './support/rotation-function';

// Secrets Manager's retries of a failed rotation: "If rotation fails, Secrets Manager retries the entire rotation
// process multiple times" (DescribeSecret API reference, NextRotationDate), with the same ClientRequestToken. Two
// endpoints: one that retries twice, 1 ms apart, and one that waits ten minutes before its first retry, so a test can
// act during the pause (the pause ends early only when the rotation is cancelled or the endpoint closes).

const PREVIOUS_INCOMPLETE = "A previous rotation isn't complete. That rotation will be reattempted.";
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

const local = useLocalSecretsManager({ withLambda: true, rotationRetries: { maxRetries: 2, delayMs: 1 } });
const patient = useLocalSecretsManager({ withLambda: true, rotationRetries: { maxRetries: 3, delayMs: 600_000 } });
const uniqueName = secretNames('retries');

async function createSecret(on: LocalSecretsManagerFixture = local): Promise<{ name: string; v1: string }> {
  const name = uniqueName();
  const created = await on.client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ password: 'old' }) }));
  return { name, v1: created.VersionId ?? '' };
}

async function stagesOf(secretId: string, on: LocalSecretsManagerFixture = local): Promise<Record<string, string[]>> {
  return (await on.client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
}

describe("Secrets Manager's retries of a failed rotation", () => {
  it('retries the whole rotation with the same token, and a fresh RotationToken, until it succeeds', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction(local, { failAt: 'setSecret', failTimes: 1 });

    const { VersionId: token } = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    const attempts = await local.sm.rotations.settled(name);

    expect(attempts).toMatchObject([
      { trigger: 'RotateSecret', attempt: 1, versionId: token, succeeded: false, failedStep: 'setSecret' },
      { trigger: 'retry', attempt: 2, versionId: token, succeeded: true, stepsRun: STEPS },
    ]);
    expect(fn.events.map((e) => e.Step)).toEqual(['createSecret', 'setSecret', ...STEPS]);
    expect(new Set(fn.events.map((e) => e.ClientRequestToken))).toEqual(new Set([token]));
    expect(fn.rotationTokens.size).toBe(2);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [token ?? '']: ['AWSPENDING', 'AWSCURRENT'] });
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).LastRotatedDate).toBeInstanceOf(Date);
  });

  it('gives up after maxRetries, leaving AWSPENDING on its empty version', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction(local, { failAt: 'createSecret' });

    const { VersionId: token } = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    const attempts = await local.sm.rotations.settled(name);

    expect(attempts.map((a) => [a.trigger, a.attempt, a.versionId, a.failedStep])).toEqual([
      ['RotateSecret', 1, token, 'createSecret'],
      ['retry', 2, token, 'createSecret'],
      ['retry', 3, token, 'createSecret'],
    ]);
    expect(fn.events.map((e) => e.Step)).toEqual(['createSecret', 'createSecret', 'createSecret']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [token ?? '']: ['AWSPENDING'] });
  });

  it('refuses RotateSecret, with the same token or another, once the retries gave up, and starts nothing', async () => {
    const { name } = await createSecret();
    const fn = registerRotationFunction(local, { failAt: 'setSecret' });
    const { VersionId: token } = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    await local.sm.rotations.settled(name);
    const invoked = fn.events.length;

    for (const ClientRequestToken of [token, undefined]) {
      const error = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, ClientRequestToken })));
      expect(error).toBeInstanceOf(InvalidRequestException);
      expect(error.message).toBe(PREVIOUS_INCOMPLETE);
    }

    expect(await local.sm.rotations.settled(name)).toHaveLength(3);
    expect(fn.events).toHaveLength(invoked);
  });

  it('retries after finishSecret lost its answer: the version is current, so every step is a no-op', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction(local, { failAfter: 'finishSecret', failTimes: 1 });
    local.sm.resetCalls();

    const { VersionId: token } = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    const attempts = await local.sm.rotations.settled(name);

    expect(attempts).toMatchObject([
      { attempt: 1, failedStep: 'finishSecret', versionStagesAfter: ['AWSPENDING', 'AWSCURRENT'] },
      { attempt: 2, trigger: 'retry', succeeded: true, stepsRun: STEPS },
    ]);
    expect(local.sm.calls('PutSecretValue')).toBe(1);
    expect(local.sm.calls('UpdateSecretVersionStage')).toBe(1);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [token ?? '']: ['AWSPENDING', 'AWSCURRENT'] });
  });

  it.each([
    ['its version lost AWSPENDING (the rotation was abandoned)', 'abandon'],
    ['the secret was deleted', 'delete'],
  ] as const)('stops retrying when %s', async (_label, what) => {
    const { name } = await createSecret();
    const sm = local.clientWith({ maxAttempts: 1 });
    let invocations = 0;
    const arn = local.lambda.register(`stops-${what}`, {
      kind: 'in-process',
      handler: async (raw) => {
        invocations += 1;
        const { SecretId, ClientRequestToken } = z.object({ SecretId: z.string(), ClientRequestToken: z.string() }).parse(raw);
        if (what === 'abandon') {
          await sm.send(new UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: ClientRequestToken }));
        } else {
          await sm.send(new DeleteSecretCommand({ SecretId, ForceDeleteWithoutRecovery: true }));
        }
        throw new Error('createSecret failed on purpose');
      },
    });

    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));

    expect(await local.sm.rotations.settled(name)).toMatchObject([{ attempt: 1, failedStep: 'createSecret' }]);
    expect(invocations).toBe(1);
  });

  it('does not retry the RotateImmediately=false test', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction(local, { failAt: 'testSecret' });

    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, RotateImmediately: false }));

    expect(await local.sm.rotations.settled(name)).toMatchObject([{ mode: 'test-only', attempt: 1, failedStep: 'testSecret' }]);
    expect(fn.events.map((e) => e.Step)).toEqual(['testSecret']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'] });
  });

  it('CancelRotateSecret during the pause before a retry ends the rotation there', async () => {
    const { name, v1 } = await createSecret(patient);
    const fn = registerRotationFunction(patient, { failAt: 'setSecret' });
    const { VersionId: token } = await patient.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    // The first attempt is recorded as the pause before the retry begins.
    await vi.waitFor(() => expect(patient.sm.rotations.history(name)).toHaveLength(1));
    expect(await rejectionOf(patient.client.send(new RotateSecretCommand({ SecretId: name })))).toBeInstanceOf(InvalidRequestException);

    await patient.client.send(new CancelRotateSecretCommand({ SecretId: name }));

    // Without the pause ending early, this would wait ten minutes (and time out).
    expect(await patient.sm.rotations.settled(name)).toMatchObject([{ attempt: 1, failedStep: 'setSecret' }]);
    expect(fn.events.map((e) => e.Step)).toEqual(['createSecret', 'setSecret']);
    expect(await stagesOf(name, patient)).toEqual({ [v1]: ['AWSCURRENT'], [token ?? '']: ['AWSPENDING'] });
  });

  it('refuses malformed retry options, naming the option', async () => {
    const error = await startLocalSecretsManager({ rotationRetries: { maxRetries: -1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalSecretsManagerConfigError);
    expect(error).toMatchObject({ field: 'options.rotationRetries.maxRetries' });
  });
});
