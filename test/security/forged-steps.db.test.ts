/**
 * Issue 18, attack 1: forged rotation steps. Any principal that may invoke the function for orchestration could send
 * `{"Step": "finishSecret", …}` with the pending token (a `rotate` request hands it back), and AWSCURRENT moved onto
 * Secrets Manager's empty placeholder. Now the orchestrator function refuses every rotation step, the rotation
 * function refuses everything else, and finishSecret, whoever sent it, promotes only a pending version that holds a
 * value and logs in. Each attack is made as an attacker would, through the Lambda Invoke API, and no label moves.
 */
import { DescribeSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleRotationEvent } from '../../lambda/handlers/rotation';
import { versionMemory } from '../../lambda/secrets/version-memory';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { AppSecret, RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

async function labels(arn: string): Promise<Record<string, string[]>> {
  const out = await stack.secretsClient().send(new DescribeSecretCommand({ SecretId: arn }));
  return out.VersionIdsToStages ?? {};
}

async function invoke(functionArn: string, payload: unknown): Promise<{ functionError?: string; message: string }> {
  const out = await stack.lambdaClient().send(new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(payload) }));
  const body = Buffer.from(out.Payload ?? []).toString();
  return { functionError: out.FunctionError, message: body };
}

/** A single-user secret, and a rotation stopped right after RotateSecret made its empty AWSPENDING placeholder. */
async function placeholderRotation(): Promise<{ arn: string; user: AppSecret; token: string }> {
  const db = await freshDatabase();
  const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
  const arn = await stack.createSecret(uniqueName('app_secret'), user);
  const stalled = stack.lambda.register(uniqueName('stalled'), {
    kind: 'in-process',
    handler: () => {
      throw new Error('this rotation stops before createSecret');
    },
  });
  await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: stalled }));
  const outcome = await stack.secretsManager.rotations.latest(arn);
  expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret' });
  expect((await labels(arn))[outcome.versionId]).toEqual(['AWSPENDING']);
  return { arn, user, token: outcome.versionId };
}

const finishSecret = (arn: string, token: string) => ({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token });

describe('the orchestrator function', () => {
  it('refuses a forged finishSecret, naming event.Step, and no label moves', async () => {
    const { arn, user, token } = await placeholderRotation();
    const before = await labels(arn);

    const answer = await invoke(stack.orchestratorArn, finishSecret(arn, token));

    expect(answer.functionError).toBe('Unhandled');
    expect(answer.message).toContain('event.Step: rotation steps are accepted only by the rotation function');
    expect(await labels(arn)).toEqual(before);
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
    expect((await stack.value(arn)).password).toBe(user.password);
  });
});

describe('the rotation function', () => {
  it('refuses an orchestrator request, naming event.Step', async () => {
    const answer = await invoke(stack.rotatorArn, { kind: 'discover', target: { adminSecretArn: 'db/admin' } });

    expect(answer.functionError).toBe('Unhandled');
    expect(answer.message).toContain('event.Step: is required: this function answers only Secrets Manager rotation steps');
  });

  it("refuses a forged finishSecret onto Secrets Manager's empty placeholder: AWSCURRENT stays, and still logs in", async () => {
    const { arn, user, token } = await placeholderRotation();
    const before = await labels(arn);

    const answer = await invoke(stack.rotatorArn, finishSecret(arn, token));

    expect(answer.functionError).toBe('Unhandled');
    expect(answer.message).toContain(`has no AWSPENDING value for version ${token}`);
    expect(await labels(arn)).toEqual(before);
    expect((await stack.value(arn)).password).toBe(user.password);
    expect(await logsIn(user)).toEqual({ ok: true });
  });

  it('refuses a forged finishSecret onto a pending password the database never received (createSecret ran, setSecret did not)', async () => {
    const { arn, user, token } = await placeholderRotation();
    expect(await stack.invokeStep('createSecret', arn, token)).toBeUndefined();
    const before = await labels(arn);

    const answer = await invoke(stack.rotatorArn, finishSecret(arn, token));

    expect(answer.functionError).toBe('Unhandled');
    expect(answer.message).toContain('does not log in; refusing to make it AWSCURRENT');
    expect(await labels(arn)).toEqual(before);
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
    expect(await logsIn(await stack.value(arn, 'AWSPENDING'))).toMatchObject({ ok: false });
    expect((await stack.value(arn)).password).toBe(user.password);
  });

  it('promotes a pending version a cold container has itself logged in with, and one its own testSecret logged in with', async () => {
    const db = await freshDatabase();
    const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const arn = await stack.createSecret(uniqueName('app_secret'), user);
    // Every step but finishSecret in this container; finishSecret in a container that saw none of them.
    const coldFinish = stack.lambda.register(uniqueName('cold_finish'), {
      kind: 'in-process',
      handler: (event) =>
        handleRotationEvent(event, (event as { Step?: string }).Step === 'finishSecret' ? { ...stack.runtime, memory: versionMemory() } : stack.runtime),
    });
    const logFrom = stack.functionLog.length;

    await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: coldFinish }));
    expect(await stack.secretsManager.rotations.latest(arn)).toMatchObject({ succeeded: true });
    expect(stack.functionLog.slice(logFrom).join('\n')).toContain('(pending login checked)');

    const warmFrom = stack.functionLog.length;
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    expect(stack.functionLog.slice(warmFrom).join('\n')).not.toContain('(pending login checked)');
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
  });
});
