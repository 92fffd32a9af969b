import { randomUUID } from 'node:crypto';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AwsApiError } from '../../local/secrets-manager/errors';
import { rejectionOf, secretNames, useLocalSecretsManager } from './support/local-aws';

// RotateSecret as AWS runs it: an empty AWSPENDING version, then the rotation function invoked through the Lambda
// Invoke API once per step, in order, in the background; and CancelRotateSecret.

const PREVIOUS_INCOMPLETE = "A previous rotation isn't complete. That rotation will be reattempted.";

const RotationEventSchema = z.object({
  Step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
  SecretId: z.string(),
  ClientRequestToken: z.string(),
  RotationToken: z.string(),
});
type RotationEvent = z.infer<typeof RotationEventSchema>;
type Step = RotationEvent['Step'];

const local = useLocalSecretsManager({ withLambda: true });
const uniqueName = secretNames('rotate');

/** A latch a test opens when it is ready for the function to go on. */
function latch(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

interface FunctionBehaviour {
  /** Throw at this step (before doing its work). */
  failAt?: Step;
  /** Wait for this latch when this step starts. */
  pauseAt?: { step: Step; until: Promise<void>; reached?: () => void };
}

/**
 * A rotation function shaped like AWS's templates: the pre-step gate on DescribeSecret, createSecret storing a
 * generated value under the token with AWSPENDING, finishSecret moving AWSCURRENT. It records what it received
 * (the RotationToken only as "present") and how many steps overlapped.
 */
function registerRotationFunction(
  behaviour: FunctionBehaviour = {},
  name = `rotator-${randomUUID().slice(0, 8)}`,
): {
  arn: string;
  events: Omit<RotationEvent, 'RotationToken'>[];
  rotationTokens: Set<string>;
  maxConcurrent: () => number;
} {
  const events: Omit<RotationEvent, 'RotationToken'>[] = [];
  const rotationTokens = new Set<string>();
  let active = 0;
  let maxActive = 0;
  const fn = local.clientWith({ maxAttempts: 1 });

  const handler = async (raw: unknown) => {
    const event = RotationEventSchema.parse(raw);
    const { Step, SecretId, ClientRequestToken: token, RotationToken } = event;
    events.push({ Step, SecretId, ClientRequestToken: token });
    rotationTokens.add(RotationToken);
    active += 1;
    maxActive = Math.max(maxActive, active);
    try {
      if (behaviour.pauseAt?.step === Step) {
        behaviour.pauseAt.reached?.();
        await behaviour.pauseAt.until;
      }
      if (behaviour.failAt === Step) throw new Error(`${Step} failed on purpose`);
      const metadata = await fn.send(new DescribeSecretCommand({ SecretId }));
      const stages = metadata.VersionIdsToStages?.[token];
      if (!stages) throw new Error(`version ${token} has no stage`);
      if (stages.includes('AWSCURRENT')) return;
      if (!stages.includes('AWSPENDING')) throw new Error(`version ${token} is not AWSPENDING`);
      if (Step === 'createSecret') {
        try {
          await fn.send(new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }));
        } catch (error) {
          if (!(error instanceof ResourceNotFoundException)) throw error;
          const { RandomPassword } = await fn.send(new GetRandomPasswordCommand({ ExcludePunctuation: true }));
          await fn.send(
            new PutSecretValueCommand({
              SecretId,
              ClientRequestToken: token,
              SecretString: JSON.stringify({ password: RandomPassword }),
              VersionStages: ['AWSPENDING'],
              RotationToken,
            }),
          );
        }
      } else if (Step === 'finishSecret') {
        const current = Object.entries(metadata.VersionIdsToStages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
        await fn.send(
          new UpdateSecretVersionStageCommand({
            SecretId,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: token,
            RemoveFromVersionId: current,
          }),
        );
      } else {
        await fn.send(new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }));
      }
    } finally {
      active -= 1;
    }
  };
  const arn = local.lambda.register(name, { kind: 'in-process', handler });
  return { arn, events, rotationTokens, maxConcurrent: () => maxActive };
}

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

  it('answers a repeated ClientRequestToken of the pending rotation again without starting another', async () => {
    const { name } = await createSecret();
    const gate = latch();
    const fn = registerRotationFunction({ pauseAt: { step: 'createSecret', until: gate.wait } });
    const token = randomUUID();
    const first = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, ClientRequestToken: token }));
    const again = await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn, ClientRequestToken: token }));
    expect(again.VersionId).toBe(first.VersionId);
    gate.open();
    expect(await local.sm.rotations.settled(name)).toHaveLength(1);
  });

  it('refuses to rotate when no rotation function is known', async () => {
    const { name } = await createSecret();
    const error = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toContain("doesn't already have a Lambda function ARN configured");
  });

  it('records an invocation failure when the function does not exist, leaving AWSPENDING in place', async () => {
    const { name } = await createSecret();
    await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: local.lambda.arnOf('no-such-function') }));
    const outcome = await local.sm.rotations.latest(name);
    expect(outcome).toMatchObject({
      stepsRun: ['createSecret'],
      failedStep: 'createSecret',
      error: { source: 'invoke', type: 'ResourceNotFoundException' },
      versionStagesAfter: ['AWSPENDING'],
    });
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
