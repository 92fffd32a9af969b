import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleRotationEvent } from '../../lambda/handlers/rotation';
import type { Strategy } from '../../lambda/config/environment';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { AppSecret, RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

/**
 * AWS retries a failed rotation with the same token, and functions time out mid-step: every step must converge when
 * run again, and a client holding AWSCURRENT (and AWSPREVIOUS, when alternating) must keep logging in throughout.
 * The retries here are the local Secrets Manager's model of AWS's own (local/secrets-manager/rotation-retries.ts):
 * RotateSecret once, then whatever Secrets Manager does. Single-user and admin rotation change the one role's
 * password in setSecret, so AWSCURRENT is stale until finishSecret: that window is inherent to a single login (AWS
 * documents it), and there we assert convergence instead.
 */
let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

const STRATEGIES: Strategy[] = ['single-user', 'admin', 'alternating', 'alternating-owner'];

async function secretFor(strategy: Strategy): Promise<{ arn: string; original: AppSecret }> {
  const db = await freshDatabase();
  const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
  const admin = await createLogin(db, uniqueName('admin'), 'Admin-Passw0rd', 'CREATEROLE');
  await db.withSuperuser((c) => c.query(`GRANT "${original.username}" TO "${admin.username}" WITH ADMIN OPTION`));
  const adminArn = await stack.createSecret(uniqueName('admin_secret'), admin);
  const extra = strategy === 'single-user' ? {} : { masterarn: adminArn, strategy, ...(strategy === 'alternating-owner' ? { ownerRole: uniqueName('owner') } : {}) };
  return { arn: await stack.createSecret(uniqueName('app_secret'), { ...original, ...extra }), original };
}

async function assertUsable(arn: string, strategy: Strategy, during: boolean): Promise<void> {
  if (during && (strategy === 'single-user' || strategy === 'admin')) return;
  expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
  if (strategy.startsWith('alternating')) {
    const previous = await stack.value(arn, 'AWSPREVIOUS').catch(() => undefined);
    if (previous) expect(await logsIn(previous)).toEqual({ ok: true });
  }
}


describe.each(STRATEGIES)('%s', (strategy) => {
  it('converges when Secrets Manager runs every step twice', async () => {
    const twice = stack.lambda.register(`twice-${strategy}`, {
      kind: 'in-process',
      handler: async (event) => {
        await handleRotationEvent(event, stack.runtime);
        return handleRotationEvent(event, stack.runtime);
      },
    });
    const { arn, original } = await secretFor(strategy);

    await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: twice }));

    expect(await stack.secretsManager.rotations.latest(arn)).toMatchObject({ succeeded: true });
    await assertUsable(arn, strategy, false);
    expect((await stack.value(arn)).password).not.toBe(original.password);
  });

  for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
    it(`recovers through Secrets Manager's retry from a crash right after ${step} did its work`, async () => {
      let crashed = false;
      let midway: string | undefined;
      const crashing = stack.lambda.register(`crash-${strategy}-${step}`, {
        kind: 'in-process',
        handler: async (event) => {
          const result = await handleRotationEvent(event, stack.runtime);
          if ((event as { Step: string }).Step === step && !crashed) {
            crashed = true;
            // What a client sees between the crash and the retry.
            midway = await assertUsable((event as { SecretId: string }).SecretId, strategy, true).then(() => 'usable', (error: unknown) => String(error));
            throw new Error(`simulated crash after ${step}`);
          }
          return result;
        },
      });
      const { arn } = await secretFor(strategy);

      await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: crashing }));
      const attempts = await stack.secretsManager.rotations.settled(arn);

      expect(attempts).toMatchObject([
        { attempt: 1, succeeded: false, failedStep: step, error: { message: `simulated crash after ${step}` } },
        { attempt: 2, trigger: 'retry', succeeded: true, versionId: attempts[0]?.versionId },
      ]);
      expect(midway).toBe('usable');
      await assertUsable(arn, strategy, false);
    });
  }

  it('recovers through Secrets Manager\'s retries when it loses the answers to PutSecretValue and UpdateSecretVersionStage', async () => {
    const { arn } = await secretFor(strategy);
    const faults = [
      stack.secretsManager.faults.add({ operation: 'PutSecretValue', kind: 'internal-error', when: 'after', times: 3 }),
      stack.secretsManager.faults.add({ operation: 'UpdateSecretVersionStage', kind: 'internal-error', when: 'after', times: 3 }),
    ];
    try {
      await stack.rotate(arn);
      const attempts = await stack.secretsManager.rotations.settled(arn);
      // createSecret's value was stored, then finishSecret's label move; only the answers were lost. Each retry
      // finds the work done and goes on.
      expect(attempts.map((a) => a.failedStep)).toEqual(['createSecret', 'finishSecret', undefined]);
      expect(new Set(attempts.map((a) => a.versionId)).size).toBe(1);
      expect(await stack.value(arn, 'AWSPENDING')).toEqual(await stack.value(arn));
      await assertUsable(arn, strategy, false);
    } finally {
      for (const fault of faults) fault.remove();
    }
  });
});
