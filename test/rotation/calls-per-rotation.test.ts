import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../../lambda/config/environment';
import { handleRotationEvent } from '../../lambda/handlers/rotation';
import { versionMemory } from '../../lambda/secrets/version-memory';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { createLogin, startRotationStack } from '../support/rotation-stack';

/**
 * The Secrets Manager calls each rotation step makes when it finds nothing remembered from the step before: each step
 * in a container of its own, the most a rotation can cost (the README's "Calls per rotation" states these figures). A
 * warm container makes fewer; a change that adds a call shows here first.
 *
 * @matrix once: the calls a step makes to Secrets Manager are the same on every PostgreSQL major; strategies.test.ts
 * runs the same four strategies' rotations, their database side, on every major.
 */
let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

const OPERATIONS = ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage', 'GetRandomPassword'] as const;

type Calls = Partial<Record<(typeof OPERATIONS)[number], number>>;

const countsNow = (): Calls => Object.fromEntries(OPERATIONS.map((operation) => [operation, stack.secretsManager.calls(operation)]));

/**
 * pg-rotator as a function whose every invocation lands in a fresh container (nothing remembered between steps),
 * recording each step's calls in `perStep`.
 */
function coldEveryStep(perStep: Record<string, Calls>): string {
  return stack.lambda.register(uniqueName('cold'), {
    kind: 'in-process',
    handler: async (event) => {
      const before = countsNow();
      try {
        return await handleRotationEvent(event, { ...stack.runtime, memory: versionMemory() });
      } finally {
        const after = countsNow();
        const made = OPERATIONS.map((operation) => [operation, (after[operation] ?? 0) - (before[operation] ?? 0)] as const).filter(([, count]) => count !== 0);
        perStep[(event as { Step: string }).Step] = Object.fromEntries(made);
      }
    },
  });
}

async function secretFor(strategy: Strategy): Promise<string> {
  const db = await freshDatabase();
  const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
  if (strategy === 'single-user') return stack.createSecret(uniqueName('app_secret'), original);
  const admin = await createLogin(db, uniqueName('admin'), 'Admin-Passw0rd', 'CREATEROLE');
  await db.withSuperuser((c) => c.query(`GRANT "${original.username}" TO "${admin.username}" WITH ADMIN OPTION`));
  const adminArn = await stack.createSecret(uniqueName('admin_secret'), admin);
  const owner = strategy === 'alternating-owner' ? { ownerRole: uniqueName('owner') } : {};
  return stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn, strategy, ...owner });
}

async function rotate(arn: string, functionArn: string): Promise<void> {
  await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: functionArn }));
  expect(await stack.secretsManager.rotations.latest(arn)).toMatchObject({ succeeded: true });
}

// Every step starts with the gate's DescribeSecret. createSecret reads AWSCURRENT and looks for a pending value;
// setSecret and testSecret read the pending value and AWSCURRENT (the admin strategies' setSecret the admin secret
// too); finishSecret reads the pending value, logs in with it, and moves AWSCURRENT.
const ONE_USER = {
  createSecret: { DescribeSecret: 1, GetSecretValue: 2, PutSecretValue: 1 },
  setSecret: { DescribeSecret: 1, GetSecretValue: 2 },
  testSecret: { DescribeSecret: 1, GetSecretValue: 2 },
  finishSecret: { DescribeSecret: 1, GetSecretValue: 1, UpdateSecretVersionStage: 1 },
};
const WITH_ADMIN = { ...ONE_USER, setSecret: { DescribeSecret: 1, GetSecretValue: 3 } };

describe('Secrets Manager calls per rotation step, every step in a cold container', () => {
  it.each([
    ['single-user', ONE_USER],
    ['admin', WITH_ADMIN],
    ['alternating', WITH_ADMIN],
    ['alternating-owner', WITH_ADMIN],
  ] as const)('%s', async (strategy, expected) => {
    const arn = await secretFor(strategy);
    const perStep: Record<string, Calls> = {};
    const cold = coldEveryStep(perStep);
    // The second rotation is the one counted: the alternating strategies create the clone in the first.
    await rotate(arn, cold);
    await rotate(arn, cold);

    expect(perStep).toEqual(expected);
  });
});
