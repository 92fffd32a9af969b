/**
 * Concurrency: two rotations of one secret racing (through Secrets Manager's RotateSecret, and through the
 * orchestrator's inline `rotate`, which Secrets Manager does not serialize), fifty rotations of different secrets
 * on one database at once, and actions on a role racing a rotation of it. Whatever the interleaving: no lockout,
 * no lost update, labels consistent, and a clear error (a stable code, never INTERNAL) for whichever loses.
 *
 * Interleavings that matter are built on purpose rather than hoped for: a hook on the function's own statements
 * (rotator-statements.ts) or between its steps starts the competitor at the worst moment.
 */
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../../lambda/config/environment';
import { handleOrchestratorEvent } from '../../lambda/handlers/orchestrator';
import { handleRotationEvent } from '../../lambda/handlers/rotation';
import type { LocalLambdaContext } from '../../local/lambda/server';
import { uniqueName } from '../support/postgres';
import { describeMoment, observeLabels, verdict } from './support/label-logins';
import type { Lane } from './support/lanes';
import { startLane } from './support/lanes';
import { onRotatorStatements } from './support/rotator-statements';
import { SafetyFigures } from './support/safety-figures';
import type { StrategySecret } from './support/strategy-secrets';
import { createLoginRole, createStrategySecret, isAlternating, STRATEGIES } from './support/strategy-secrets';

const figures = new SafetyFigures('concurrency');
let lane: Lane;
/** An admin for orchestrator actions, with ADMIN OPTION on every role it is asked to manage. */
let actionsAdmin: { username: string; arn: string };

beforeAll(async () => {
  lane = await startLane();
  const admin = await createLoginRole(lane, lane.database, uniqueName('actions_admin'), 'Actions-Admin-Passw0rd', 'CREATEROLE');
  actionsAdmin = { username: admin.username, arn: await lane.createSecret(uniqueName('actions_admin_secret'), admin) };
  lane.declarations.declareAdmin(actionsAdmin.arn);
});
afterAll(async () => {
  await lane?.close();
  figures.publish();
});

type Envelope = { ok: boolean; error: { code: string; message: string } | null };

/** An orchestrator's answer, or a rotation's failure, is clear when it carries a stable code of ours. */
function expectClear(answer: Envelope): void {
  if (!answer.ok) expect(answer.error?.code, answer.error?.message).not.toBe('INTERNAL');
}

async function expectNoLockout(secret: StrategySecret, at: string): Promise<void> {
  const moment = await observeLabels(lane.sm, lane.superuser, secret.arn, at);
  const v = verdict(secret.strategy, moment);
  figures.count('moments observed', v);
  expect(v, describeMoment(moment)).not.toBe('lockout');
}

/** The secret's current value keeps every key it had, but the password and, when alternating, the login. */
async function expectNothingLost(secret: StrategySecret): Promise<void> {
  const current = await lane.value(secret.arn);
  const omit = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([key]) => !['password', 'username', 'alternateUsername'].includes(key)));
  expect(omit(current)).toEqual(omit(secret.original));
}

async function grantToActionsAdmin(role: string): Promise<void> {
  if (lane.database.server.major >= 16) await lane.superuser.query(`GRANT ${pg.escapeIdentifier(role)} TO ${pg.escapeIdentifier(actionsAdmin.username)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
}

describe('two rotations of one secret', () => {
  it.each(STRATEGIES)('%s: two RotateSecret calls at once: one is refused with InvalidRequestException, the other rotates', async (strategy) => {
    const secret = await createStrategySecret(lane, lane.database, strategy);
    const rotate = () => lane.sm.send(new RotateSecretCommand({ SecretId: secret.arn, RotationLambdaARN: lane.rotatorArn }));

    const answers = await Promise.allSettled([rotate(), rotate()]);

    const refused = answers.filter((a) => a.status === 'rejected');
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(refused.map((a) => (a as PromiseRejectedResult).reason)).toEqual([expect.objectContaining({ name: 'InvalidRequestException' })]);
    expect(await lane.secretsManager.rotations.latest(secret.arn)).toMatchObject({ succeeded: true });
    await expectNoLockout(secret, 'after both');
    await expectNothingLost(secret);
    figures.count('races run', 'two RotateSecret calls');
  });

  it.each(STRATEGIES)('%s: two inline rotate requests at once: no lockout, a clear error for the loser, and the next rotation converges', async (strategy) => {
    const secret = await createStrategySecret(lane, lane.database, strategy);
    const rotate = async () => (await lane.invoke({ kind: 'rotate', secretId: secret.arn })).body as Envelope;

    const answers = await Promise.all([rotate(), rotate()]);

    answers.forEach(expectClear);
    await expectNoLockout(secret, 'after both');
    expect(await rotate()).toMatchObject({ ok: true });
    await expectNoLockout(secret, 'after the next rotation');
    await expectNothingLost(secret);
    figures.count('races run', 'two inline rotate requests at once');
  });

  it.each(STRATEGIES)(
    '%s: inline rotate requests interleaved at the worst moment: no lockout, a clear error for the loser, and the next rotation converges',
    async (strategy) => {
      // The worst order: B reads the secret, A writes its pending value and changes the password, and only then
      // does B write its own pending value. A relay hold on B's PutSecretValue and a hook on A's password change
      // make exactly that happen.
      const secret = await createStrategySecret(lane, lane.database, strategy);
      const viaRelay = lane.lambda.register(`inline-${uniqueName('f').replaceAll('_', '-')}`.slice(0, 64), {
        kind: 'in-process',
        handler: (event: unknown, context: LocalLambdaContext) => handleOrchestratorEvent(event, lane.runtime, context),
      });
      const rotate = async (functionArn: string) => (await lane.invokeFunction(functionArn, { kind: 'rotate', secretId: secret.arn })).body as Envelope;
      let release: () => void = () => undefined;
      const held = lane.relay.arm({
        matches: (request) => request.operation === 'PutSecretValue' && request.input.SecretId === secret.arn,
        nth: 1,
        attempts: 'first',
        kind: 'hold',
        when: 'before',
        until: new Promise<void>((resolve) => (release = resolve)),
      });
      const durable = strategy === 'single-user' ? 'ALTER ROLE … PASSWORD' : 'COMMIT';
      let b: Promise<Envelope> | undefined;
      const stop = onRotatorStatements({
        after: async (statement) => {
          if (!secret.roles.includes(statement.user) || statement.kind !== durable || b === undefined) return;
          const second = b;
          b = undefined;
          release();
          await second;
        },
      });
      let answers: Envelope[];
      try {
        const bRunning = rotate(viaRelay);
        await until(() => held.hits > 0, "B's PutSecretValue reaches the relay");
        b = bRunning;
        const a = await rotate(viaRelay);
        release();
        answers = [a, await bRunning];
      } finally {
        release();
        stop();
        held.disarm();
      }

      answers.forEach(expectClear);
      await expectNoLockout(secret, 'after both');
      expect(await rotate(lane.orchestratorArn), 'the next inline rotation converges').toMatchObject({ ok: true });
      await expectNoLockout(secret, 'after the next rotation');
      await expectNothingLost(secret);
      figures.count('races run', 'inline rotate requests at the worst interleaving');
    },
  );
});

/** Waits, in 10 ms steps for at most 5 s, until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting until ${what}`);
}

describe('rotations of different secrets on one database at once', () => {
  it('fifty-two rotations, thirteen per strategy, all succeed and every label logs in afterwards', async () => {
    // Set up one after another: they share the lane's superuser connection. The rotations are what run at once.
    const secrets = [];
    for (let i = 0; i < 52; i += 1) secrets.push(await createStrategySecret(lane, lane.database, STRATEGIES[i % 4] as Strategy));

    const outcomes = await Promise.all(secrets.map((secret) => lane.rotate(secret.arn)));

    expect(outcomes.filter((o) => !o.succeeded).map((o) => `${o.failedStep}: ${o.error?.message}`)).toEqual([]);
    for (const secret of secrets) {
      const moment = await observeLabels(lane.sm, lane.superuser, secret.arn, 'after all');
      expect(verdict(secret.strategy, moment), describeMoment(moment)).toBe('usable');
      if (isAlternating(secret.strategy)) expect(moment.labels.AWSPREVIOUS?.logsIn).toBe(true);
    }
    figures.add(secrets.length, 'rotations at once on one database', 'succeeded');
  }, 120_000);
});

describe('actions on a role racing a rotation of it', () => {
  // A single-user secret binds no login, so an action may race its rotation; an admin-driven one binds its login,
  // which no action may then touch (protected.rotated-login), whatever the rotation is doing.
  it('single-user: lock-user at the same time as a rotation: clear errors, and after unlock-user the rotation converges', async () => {
    const secret = await createStrategySecret(lane, lane.database, 'single-user');
    const role = secret.original.username;
    await grantToActionsAdmin(role);
    const action = (name: 'lock-user' | 'unlock-user') => ({ kind: 'action', action: name, target: { adminSecretArn: actionsAdmin.arn }, params: { role } });

    const [rotation, locked] = await Promise.all([lane.rotate(secret.arn), lane.invoke(action('lock-user')).then((r) => r.body as Envelope)]);

    expectClear(locked);
    if (!rotation.succeeded) expect(['DatabaseError', 'SecretsManagerError', 'RotationStateError']).toContain(rotation.error?.type);
    expect(((await lane.invoke(action('unlock-user'))).body as Envelope).ok).toBe(true);
    if (!rotation.succeeded) expect(await lane.secretsManager.rotations.reattempt(secret.arn)).toMatchObject({ succeeded: true });
    await expectNoLockout(secret, 'after unlock-user and the retry');
    await expectNothingLost(secret);
    figures.count('races run', 'lock-user during a rotation');
  });

  it('admin: lock-user at the same time as a rotation of the login is refused as a rotated login, and the rotation succeeds', async () => {
    const secret = await createStrategySecret(lane, lane.database, 'admin');
    const role = secret.original.username;
    await grantToActionsAdmin(role);
    const lockUser = { kind: 'action', action: 'lock-user', target: { adminSecretArn: actionsAdmin.arn }, params: { role } };

    const [rotation, locked] = await Promise.all([lane.rotate(secret.arn), lane.invoke(lockUser).then((r) => r.body as Envelope)]);

    expect(locked).toMatchObject({ ok: false, error: { code: 'ACTION_REFUSED', rule: 'protected.rotated-login' } });
    expect(rotation).toMatchObject({ succeeded: true });
    await expectNoLockout(secret, 'after the refused lock-user');
    await expectNothingLost(secret);
    figures.count('races run', 'lock-user during a rotation');
  });

  it.each(STRATEGIES)(
    '%s: rotate-password into the rotated secret between testSecret and finishSecret: no lockout, and the loser gets a clear error',
    async (strategy) => {
      const secret = await createStrategySecret(lane, lane.database, strategy);
      const role = (await lane.value(secret.arn)).username;
      await grantToActionsAdmin(role);
      let action: Envelope | undefined;
      const functionArn = lane.lambda.register(`race-${uniqueName('f').replaceAll('_', '-')}`.slice(0, 64), {
        kind: 'in-process',
        handler: async (event: unknown) => {
          const result = await handleRotationEvent(event, lane.directRuntime);
          if ((event as { Step: string }).Step === 'testSecret' && action === undefined) {
            const request = { kind: 'action', action: 'rotate-password', target: { adminSecretArn: actionsAdmin.arn }, params: { role, secretName: secret.arn } };
            action = (await lane.invoke(request)).body as Envelope;
          }
          return result;
        },
      });

      const rotation = await lane.rotateWith(secret.arn, functionArn);

      expectClear(action as Envelope);
      await expectNoLockout(secret, 'after the rotation and the action');
      if (!rotation.succeeded) expect(await lane.secretsManager.rotations.reattempt(secret.arn)).toMatchObject({ succeeded: true });
      await expectNoLockout(secret, 'after a retry');
      figures.count('races run', 'rotate-password between testSecret and finishSecret');
    },
  );
});
