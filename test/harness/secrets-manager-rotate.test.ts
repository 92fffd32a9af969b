import { randomUUID } from 'node:crypto';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { AwsApiError } from '../../local/secrets-manager/errors';
import { startLocalSecretsManager } from '../../local/secrets-manager/server';
import { TEST_CREDENTIALS, rejectionOf, secretNames, useLocalSecretsManager } from './support/local-aws';
import type { FunctionBehaviour, Step } from './support/rotation-function';
import { latch, registerRotationFunction as registerFunction } from './support/rotation-function';

// RotateSecret as AWS runs it: an empty AWSPENDING version, then the rotation function invoked through the Lambda
// Invoke API once per step, in order, in the background; and CancelRotateSecret.

const PREVIOUS_INCOMPLETE = "A previous rotation isn't complete. That rotation will be reattempted.";
const CANNOT_INVOKE =
  'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';

// One attempt per rotation here, so each test sees a single attempt's anatomy; Secrets Manager's retries of a failed
// attempt are the subject of secrets-manager-retries.test.ts.
const local = useLocalSecretsManager({ withLambda: true, rotationRetries: { maxRetries: 0 } });
const uniqueName = secretNames('rotate');
const registerRotationFunction = (behaviour?: FunctionBehaviour, name?: string) => registerFunction(local, behaviour, name);

async function createSecret(): Promise<{ name: string; arn: string; v1: string }> {
  const name = uniqueName();
  const created = await local.client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ password: 'old' }) }));
  return { name, arn: created.ARN ?? '', v1: created.VersionId ?? '' };
}

async function stagesOf(secretId: string): Promise<Record<string, string[]>> {
  return (await local.client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
}

/**
 * Creates a secret and starts rotating it with a function that holds at the start of `step`; resolves once the function
 * is held there, with `release` to let it go on.
 */
async function rotationHeldAt(step: Step): Promise<{ name: string; release: () => void }> {
  const { name } = await createSecret();
  const gate = latch();
  const reached = latch();
  const fn = registerRotationFunction({ pauseAt: { step, until: gate.wait, reached: reached.open } });
  await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
  await reached.wait;
  return { name, release: gate.open };
}

describe('RotateSecret', () => {
  it('answers at once with the id of a new AWSPENDING version that holds no value yet', async () => {
    const { name, v1 } = await createSecret();
    const gate = latch();
    const { arn } = registerRotationFunction({ pauseAt: { step: 'createSecret', until: gate.wait } });

    const answer = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
    const pending = answer.VersionId ?? '';
    expect(answer.Name).toBe(name);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
    const error = await rejectionOf(local.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSPENDING");

    gate.open();
    expect((await local.sm.rotations.latest(name)).succeeded).toBe(true);
  });

  it('invokes createSecret, setSecret, testSecret, finishSecret in order with the ARN, one token and a RotationToken', async () => {
    const { name, arn: secretArn } = await createSecret();
    const fn = registerRotationFunction();
    const token = randomUUID();

    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, ClientRequestToken: token }));
    const outcome = await local.sm.rotations.latest(name);

    expect(fn.events).toEqual(
      (['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const).map((Step) => ({
        Step,
        SecretId: secretArn,
        ClientRequestToken: token,
      })),
    );
    expect(fn.rotationTokens.size).toBe(1);
    expect([...fn.rotationTokens][0]?.length).toBeGreaterThan(20);
    expect(fn.maxConcurrent()).toBe(1);
    expect(outcome).toMatchObject({
      secretArn,
      versionId: token,
      mode: 'rotate',
      stepsRun: ['createSecret', 'setSecret', 'testSecret', 'finishSecret'],
      succeeded: true,
      cancelled: false,
      rotationTokenUsed: true,
    });
    expect(outcome.failedStep).toBeUndefined();
  });

  it('ends with the new version current, the old one previous, and the rotation dates recorded', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction();
    const { VersionId } = await local.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, RotationRules: { AutomaticallyAfterDays: 7 } }),
    );
    await local.sm.rotations.settled(name);

    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    // AWSPENDING stays on the new current version, as the AWS templates leave it.
    expect(described.VersionIdsToStages).toEqual({ [v1]: ['AWSPREVIOUS'], [VersionId ?? '']: ['AWSPENDING', 'AWSCURRENT'] });
    expect(described).toMatchObject({ RotationEnabled: true, RotationLambdaARN: fn.arn, RotationRules: { AutomaticallyAfterDays: 7 } });
    const last = described.LastRotatedDate?.getTime() ?? 0;
    expect(last).toBeGreaterThan(0);
    expect(described.NextRotationDate?.getTime()).toBe(last + 7 * 86_400_000);
    const current = await local.client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current.VersionId).toBe(VersionId);
  });

  it('stops at the first failing step and leaves AWSPENDING on the empty version', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction({ failAt: 'createSecret' });
    const { VersionId } = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    const outcome = await local.sm.rotations.latest(name);

    expect(outcome).toMatchObject({
      stepsRun: ['createSecret'],
      failedStep: 'createSecret',
      succeeded: false,
      error: { source: 'function', type: 'Error', message: 'createSecret failed on purpose' },
      versionStagesAfter: ['AWSPENDING'],
    });
    expect(outcome.steps[0]).toMatchObject({ step: 'createSecret', ok: false, functionError: 'Unhandled' });
    expect(fn.events.map((e) => e.Step)).toEqual(['createSecret']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [VersionId ?? '']: ['AWSPENDING'] });
    expect(await rejectionOf(local.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(await local.client.send(new DescribeSecretCommand({ SecretId: name }))).not.toHaveProperty('LastRotatedDate');
  });

  it('stops at a later failing step without running the ones after it', async () => {
    const { name } = await createSecret();
    const fn = registerRotationFunction({ failAt: 'testSecret' });
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    const outcome = await local.sm.rotations.latest(name);
    expect(outcome.stepsRun).toEqual(['createSecret', 'setSecret', 'testSecret']);
    expect(outcome.failedStep).toBe('testSecret');
    // createSecret stored the pending value; the label stays on it for the next attempt.
    expect((await local.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))).VersionId).toBe(outcome.versionId);
  });

  it('refuses a new rotation while AWSPENDING sits on a version other than AWSCURRENT', async () => {
    const { name } = await createSecret();
    const failing = registerRotationFunction({ failAt: 'setSecret' });
    const { VersionId: stuck } = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: failing.arn }));
    await local.sm.rotations.settled(name);

    const working = registerRotationFunction();
    const error = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: working.arn })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe(PREVIOUS_INCOMPLETE);

    // The documented manual fix: take AWSPENDING off the stuck version, then rotate again.
    await local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: stuck }));
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: working.arn }));
    expect((await local.sm.rotations.latest(name)).succeeded).toBe(true);
  });

  it('accepts a new rotation when AWSPENDING sits on the AWSCURRENT version after a success (moto refuses)', async () => {
    const { name } = await createSecret();
    const fn = registerRotationFunction();
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    const first = await local.sm.rotations.latest(name);
    expect(first.versionStagesAfter).toEqual(['AWSPENDING', 'AWSCURRENT']);

    // Without parameters, RotateSecret rotates with the stored configuration.
    const { VersionId } = await local.client.send(new RotateSecretCommand({ SecretId: name }));
    const second = await local.sm.rotations.latest(name);
    expect(second).toMatchObject({ versionId: VersionId, succeeded: true });
    expect(await stagesOf(name)).toEqual({ [first.versionId]: ['AWSPREVIOUS'], [VersionId ?? '']: ['AWSPENDING', 'AWSCURRENT'] });
  });

  it('refuses a second RotateSecret while a rotation of the secret is running', async () => {
    const { name, release } = await rotationHeldAt('setSecret');
    const error = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    release();
    expect((await local.sm.rotations.settled(name)).map((o) => o.succeeded)).toEqual([true]);
  });

  it('refuses RotateSecret with the token of the rotation in progress, as any other, and starts nothing', async () => {
    const { name } = await createSecret();
    const gate = latch();
    const reached = latch();
    const fn = registerRotationFunction({ pauseAt: { step: 'createSecret', until: gate.wait, reached: reached.open } });
    const token = randomUUID();
    const first = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, ClientRequestToken: token }));
    await reached.wait;

    const again = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, ClientRequestToken: token })));

    expect(again).toBeInstanceOf(InvalidRequestException);
    expect(again.message).toBe(PREVIOUS_INCOMPLETE);
    gate.open();
    expect(await local.sm.rotations.settled(name)).toMatchObject([{ versionId: first.VersionId, succeeded: true }]);
    expect(fn.events.map((e) => e.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  });

  it('refuses to rotate when no rotation function is known', async () => {
    const { name } = await createSecret();
    const error = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toContain("doesn't already have a Lambda function ARN configured");
  });

  it('refuses a function it cannot invoke with AccessDeniedException at once, changing nothing', async () => {
    const { name, v1 } = await createSecret();

    const error = await rejectionOf(
      local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: local.lambda.arnOf('no-such-function'), RotationRules: { AutomaticallyAfterDays: 7 } })),
    );

    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(CANNOT_INVOKE);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).not.toHaveProperty('RotationEnabled');
    expect(described).not.toHaveProperty('RotationLambdaARN');
    const versions = await local.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v1]);
    expect(await local.sm.rotations.settled(name)).toEqual([]);
  });

  it('refuses with AccessDeniedException when it has no Lambda endpoint to invoke through', async () => {
    const alone = await startLocalSecretsManager();
    const client = new SecretsManagerClient({ endpoint: alone.endpoint, region: alone.region, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      await client.send(new CreateSecretCommand({ Name: 'alone', SecretString: 'v1' }));
      const error = await rejectionOf(client.send(new RotateSecretCommand({ SecretId: 'alone', RotationLambdaARN: local.lambda.arnOf('rotator') })));
      expect(error.name).toBe('AccessDeniedException');
      expect(await client.send(new DescribeSecretCommand({ SecretId: 'alone' }))).not.toHaveProperty('RotationEnabled');
    } finally {
      client.destroy();
      await alone.close();
    }
  });

  it('keeps the configured function when a RotateSecret naming one it cannot invoke is refused', async () => {
    const { name } = await createSecret();
    const fn = registerRotationFunction();
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    await local.sm.rotations.settled(name);

    const error = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: local.lambda.arnOf('gone') })));

    expect(error.name).toBe('AccessDeniedException');
    expect(await local.client.send(new DescribeSecretCommand({ SecretId: name }))).toMatchObject({ RotationEnabled: true, RotationLambdaARN: fn.arn });
    expect(await local.sm.rotations.settled(name)).toHaveLength(1);
  });

  it('reattempts an incomplete rotation with the same ClientRequestToken', async () => {
    const { name } = await createSecret();
    const functionName = `rotator-${randomUUID().slice(0, 8)}`;
    const failing = registerRotationFunction({ failAt: 'setSecret' }, functionName);
    const { VersionId } = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: failing.arn }));
    expect((await local.sm.rotations.latest(name)).failedStep).toBe('setSecret');

    // The fix is deployed under the same function name, then the rotation is retried as AWS retries it.
    const fixed = registerRotationFunction({}, functionName);
    const again = await local.sm.rotations.reattempt(name);
    expect(again).toMatchObject({ versionId: VersionId, succeeded: true });
    expect(fixed.events.map((e) => e.ClientRequestToken)).toEqual([VersionId, VersionId, VersionId, VersionId]);
    expect((await local.client.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(VersionId);
    expect(await local.sm.rotations.settled(name)).toHaveLength(2);
  });

  it('refuses to reattempt when no rotation is incomplete', async () => {
    const { name } = await createSecret();
    const error = await rejectionOf(local.sm.rotations.reattempt(name));
    expect(error).toBeInstanceOf(AwsApiError);
    expect(error).toMatchObject({ code: 'InvalidRequestException' });
  });
});

describe('RotateImmediately=false', () => {
  it('runs testSecret only and then removes the AWSPENDING version', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction();
    await local.client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: fn.arn,
        RotateImmediately: false,
        RotationRules: { ScheduleExpression: 'rate(10 days)' },
      }),
    );
    const outcome = await local.sm.rotations.latest(name);
    expect(fn.events.map((e) => e.Step)).toEqual(['testSecret']);
    expect(outcome).toMatchObject({ mode: 'test-only', stepsRun: ['testSecret'], versionStagesAfter: [] });
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'] });
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({ RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 10, ScheduleExpression: 'rate(10 days)' } });
    expect(described).not.toHaveProperty('LastRotatedDate');
    expect(described.NextRotationDate).toBeInstanceOf(Date);
  });

  it("gives testSecret a pending version holding a copy of AWSCURRENT's value, as AWS does", async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction();
    const { VersionId: token } = await local.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, RotateImmediately: false }),
    );
    await local.sm.rotations.settled(name);

    // What moto's AWS-verified test saw: the current SecretString, under the new version id, labelled AWSPENDING.
    expect(fn.pendingAtTest).toHaveLength(1);
    expect(fn.pendingAtTest[0]).toMatchObject({ VersionId: token, SecretString: JSON.stringify({ password: 'old' }), VersionStages: ['AWSPENDING'] });
    expect(token).not.toBe(v1);
    // And then it is gone.
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'] });
    const versions = await local.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v1]);
  });

  it('removes the AWSPENDING version even when testSecret fails', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction({ failAt: 'testSecret' });
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, RotateImmediately: false }));
    const outcome = await local.sm.rotations.latest(name);
    expect(outcome).toMatchObject({ mode: 'test-only', failedStep: 'testSecret', succeeded: false });
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'] });
  });
});

describe('CancelRotateSecret', () => {
  it('turns rotation off and leaves the AWSPENDING label of an incomplete rotation where it is, as AWS documents', async () => {
    const { name, v1 } = await createSecret();
    const fn = registerRotationFunction({ failAt: 'setSecret' });
    const { VersionId } = await local.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, RotationRules: { AutomaticallyAfterDays: 30 } }),
    );
    await local.sm.rotations.settled(name);

    const cancelled = await local.client.send(new CancelRotateSecretCommand({ SecretId: name }));
    expect(cancelled.VersionId).toBe(VersionId);
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBe(false);
    expect(described).not.toHaveProperty('NextRotationDate');
    expect(described.VersionIdsToStages).toEqual({ [v1]: ['AWSCURRENT'], [VersionId ?? '']: ['AWSPENDING'] });
  });

  it('stops a running rotation before its next step', async () => {
    const { name, release } = await rotationHeldAt('setSecret');
    await local.client.send(new CancelRotateSecretCommand({ SecretId: name }));
    release();
    const outcome = await local.sm.rotations.latest(name);
    expect(outcome).toMatchObject({ stepsRun: ['createSecret', 'setSecret'], cancelled: true, succeeded: false });
    expect(outcome.versionStagesAfter).toEqual(['AWSPENDING']);
  });

  it('answers without VersionId when no rotation is incomplete', async () => {
    const { name } = await createSecret();
    const fn = registerRotationFunction();
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    await local.sm.rotations.settled(name);
    const cancelled = await local.client.send(new CancelRotateSecretCommand({ SecretId: name }));
    expect(cancelled.VersionId).toBeUndefined();
  });

  it('refuses a secret that was never configured for rotation', async () => {
    const { name } = await createSecret();
    expect(await rejectionOf(local.client.send(new CancelRotateSecretCommand({ SecretId: name })))).toBeInstanceOf(InvalidRequestException);
  });
});

describe('counting Secrets Manager calls per rotation', () => {
  it("counts every request per operation, including the rotation function's own", async () => {
    const { name } = await createSecret();
    const fn = registerRotationFunction();
    local.sm.resetCalls();
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
    await local.sm.rotations.settled(name);
    expect(local.sm.calls('RotateSecret')).toBe(1);
    expect(local.sm.calls('DescribeSecret')).toBe(4);
    expect(local.sm.calls('PutSecretValue')).toBe(1);
    expect(local.sm.calls('GetRandomPassword')).toBe(1);
    expect(local.sm.calls('UpdateSecretVersionStage')).toBe(1);
    // createSecret's probe of the pending value, then setSecret and testSecret reading it.
    expect(local.sm.calls('GetSecretValue')).toBe(3);
  });
});
