import { CancelRotateSecretCommand, DescribeSecretCommand, PutSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleRotationEvent } from '../../lambda/handlers/rotation';
import { versionMemory } from '../../lambda/secrets/version-memory';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { AppSecret, RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

/**
 * Each step starts before the gate's DescribeSecret answers, from the versions this container remembers from the
 * previous step, so its logins overlap Secrets Manager's round trips. What that must never cost: a change the
 * gate would refuse, or a rotation built on an AWSCURRENT that has moved on since the container last looked.
 */
let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

async function singleUserSecret(): Promise<{ arn: string; original: AppSecret; setPassword(password: string): Promise<void> }> {
  const db = await freshDatabase();
  const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
  const arn = await stack.createSecret(uniqueName('app_secret'), original);
  const setPassword = (password: string) =>
    db.withSuperuser(async (c) => {
      await c.query(`ALTER ROLE ${escapeIdentifier(original.username)} PASSWORD ${escapeLiteral(password)}`);
    });
  return { arn, original, setPassword };
}

/** A DBA's manual change: a new AWSCURRENT written straight to Secrets Manager, outside any rotation. */
async function putCurrent(arn: string, value: AppSecret): Promise<void> {
  await stack.secretsClient().send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify(value) }));
}

function rotationLog(since: number): string {
  return stack.functionLog.slice(since).join('\n');
}

/** pg-rotator, with `before` run once ahead of the first invocation of `step`: a writer racing the rotation. */
function rotatorWithWriterBefore(step: string, before: () => Promise<void>): string {
  let done = false;
  return stack.lambda.register(uniqueName('raced'), {
    kind: 'in-process',
    handler: async (event) => {
      if ((event as { Step?: string }).Step === step && !done) {
        done = true;
        await before();
      }
      return handleRotationEvent(event, stack.runtime);
    },
  });
}

describe('a remembered AWSCURRENT that moved on', () => {
  it('runs setSecret again from fresh reads when the password was changed by hand mid-rotation, and the rotation completes', async () => {
    const { arn, setPassword } = await singleUserSecret();
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    const raced = rotatorWithWriterBefore('setSecret', async () => {
      const current = await stack.value(arn);
      await setPassword('By-Hand-Passw0rd-2');
      await putCurrent(arn, { ...current, password: 'By-Hand-Passw0rd-2' });
    });
    const logFrom = stack.functionLog.length;

    await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: raced }));

    expect(await stack.secretsManager.rotations.latest(arn)).toMatchObject({ succeeded: true });
    const current = await stack.value(arn);
    expect(current.password).not.toBe('By-Hand-Passw0rd-2');
    expect(await logsIn(current)).toEqual({ ok: true });
    // createSecret remembered AWSCURRENT, whose password the database no longer accepted by setSecret: only the run
    // on fresh reads could log in.
    expect(rotationLog(logFrom)).toContain('remembered AWSCURRENT moved on');
  });

  it('logs in as the admin again from a fresh read when another container rotated the admin secret meanwhile', async () => {
    const db = await freshDatabase();
    const admin = await createLogin(db, uniqueName('admin'), 'Admin-Passw0rd', 'CREATEROLE');
    const adminArn = await stack.createSecret(uniqueName('admin_secret'), admin);
    const appSecret = async () => {
      const app = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
      await db.withSuperuser((c) => c.query(`GRANT ${escapeIdentifier(app.username)} TO ${escapeIdentifier(admin.username)} WITH ADMIN OPTION`));
      return stack.createSecret(uniqueName('app_secret'), { ...app, masterarn: adminArn, strategy: 'admin' });
    };
    const [first, second] = [await appSecret(), await appSecret()];
    expect(await stack.rotate(first)).toMatchObject({ succeeded: true }); // this container now remembers the admin secret
    const otherContainer = stack.lambda.register(uniqueName('other_container'), {
      kind: 'in-process',
      handler: (event) => handleRotationEvent(event, { ...stack.runtime, memory: versionMemory() }),
    });
    await stack.secretsClient().send(new RotateSecretCommand({ SecretId: adminArn, RotationLambdaARN: otherContainer }));
    expect(await stack.secretsManager.rotations.latest(adminArn)).toMatchObject({ succeeded: true });
    const logFrom = stack.functionLog.length;

    expect(await stack.rotate(second)).toMatchObject({ succeeded: true });

    expect(await logsIn(await stack.value(second))).toEqual({ ok: true });
    // The remembered admin password was refused; only the run on a fresh read could log in.
    expect(rotationLog(logFrom)).toContain('remembered AWSCURRENT moved on');
  });
});

describe('what the container keeps', () => {
  it('keeps nothing of a rotation once finishSecret has run', async () => {
    const { arn } = await singleUserSecret();

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: true });
    expect(stack.runtime.memory.currentVersionOf(arn)).toBeUndefined();
    expect(stack.runtime.memory.valueOf(arn, outcome.versionId)).toBeUndefined();
  });
});

describe('a gate that refuses', () => {
  it('leaves the password alone when rotation was turned off after createSecret, though setSecret started early', async () => {
    const { arn, original } = await singleUserSecret();
    const createOnly = stack.lambda.register(uniqueName('create_only'), {
      kind: 'in-process',
      handler: async (event) => {
        const result = await handleRotationEvent(event, stack.runtime);
        if ((event as { Step?: string }).Step === 'createSecret') throw new Error('stop after createSecret');
        return result;
      },
    });
    await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: createOnly }));
    const stopped = await stack.secretsManager.rotations.latest(arn);
    expect(stopped).toMatchObject({ succeeded: false, failedStep: 'createSecret' });
    await stack.secretsClient().send(new CancelRotateSecretCommand({ SecretId: arn }));

    const error = await stack.invokeStep('setSecret', arn, stopped.versionId);

    expect(error).toContain('is not enabled for rotation');
    expect(await logsIn(original)).toEqual({ ok: true });
    expect(await logsIn(await stack.value(arn, 'AWSPENDING'))).toMatchObject({ ok: false });
  });

  it('writes no version for a token Secrets Manager does not know, though createSecret started early', async () => {
    const { arn } = await singleUserSecret();
    const unknownToken = '00000000-0000-4000-8000-000000000000';

    const error = await stack.invokeStep('createSecret', arn, unknownToken);

    expect(error).toContain('has no stage for rotation');
    const described = await stack.secretsClient().send(new DescribeSecretCommand({ SecretId: arn }));
    expect(Object.keys(described.VersionIdsToStages ?? {})).not.toContain(unknownToken);
  });
});
