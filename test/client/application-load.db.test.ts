/**
 * Proof that an application on createRotatingPool never notices a rotation. For each strategy, workers run short
 * transactions in a loop through three rotations started with RotateSecret, on two pools side by side: the rotating
 * pool, and a plain pg Pool that read the secret once. Both pools churn their sessions (maxUses), so they log in
 * again and again; each rotation is held between setSecret and finishSecret until both pools have logged in there,
 * and again after it until both have, so every rotation is met at its hardest moment by both.
 *
 * - alternating strategies: 0 failed queries;
 * - single-user and admin: 0 failed queries after the one retry (PostgreSQL refuses AWSCURRENT's password from
 *   setSecret on; the pool reads the secret again and retries once), and no query failed twice;
 * - the plain pool fails in each (from the first rotation for one login, from the second for alternating users),
 *   so the test can fail.
 */
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import pg, { escapeIdentifier } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRotatingPool } from '../../client/pg/rotating-pool';
import type { RotatingPoolEvent } from '../../client/pg/pool-events';
import { createStrategySecret, isAlternating, STRATEGIES } from '../safety/support/strategy-secrets';
import { registerGatedRotator } from '../support/gated-rotator';
import type { FreshDatabase } from '../support/postgres';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { startRotationStack } from '../support/rotation-stack';
import { ApplicationLoad } from '../../local/application-load';

const ROTATIONS = 8;
const WORKERS = 3;
/** Logins each pool makes inside a rotation's window, and after it, before the rotation goes on. */
const LOGINS_PER_MOMENT = 2;
/** Both pools churn sessions at the same pace, so both keep logging in. */
const POOL_SETTINGS = { max: 2, maxUses: 3 } as const;

let stack: RotationStack;
let db: FreshDatabase;
const figures: string[] = [];

beforeAll(async () => {
  stack = await startRotationStack();
  db = await freshDatabase();
});

afterAll(async () => {
  await stack.close();
  console.log(`application load, ${ROTATIONS} rotations per strategy:\n${figures.join('\n')}`);
});

describe('an application under load through rotations', () => {
  it.for(STRATEGIES)('%s: the rotating pool fails no query; the pool that read the secret once does', async (strategy) => {
    const table = await createTable(db);
    const secret = await db.withSuperuser((superuser) =>
      createStrategySecret({ superuser, createSecret: stack.createSecret }, db, strategy, { fields: { sslrootcertPem: db.server.caPem } }),
    );
    const events: RotatingPoolEvent[] = [];
    const rotating = createRotatingPool({
      secretId: secret.arn,
      secretsManager: { client: stack.secretsClient() },
      // Longer than the test: the pool learns of each rotation from a refused login, the hardest way.
      refreshIntervalMs: 600_000,
      pool: POOL_SETTINGS,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'login-refused') rotatingLoad.noteLogin();
      },
    });
    const once = await stack.value(secret.arn);
    const naive = new pg.Pool({
      ...POOL_SETTINGS,
      host: once.host,
      port: Number(once.port),
      database: once.dbname,
      user: once.username,
      password: once.password,
      ssl: { ca: db.server.caPem, rejectUnauthorized: true },
    });
    const rotatingLoad = new ApplicationLoad(rotating, table);
    const naiveLoad = new ApplicationLoad(naive, table);
    rotating.on('connect', () => rotatingLoad.noteLogin());
    naive.on('connect', () => naiveLoad.noteLogin());
    rotating.on('error', () => undefined);
    naive.on('error', () => undefined);
    const bothLogIn = () => Promise.all([rotatingLoad.loginsFromNow(LOGINS_PER_MOMENT), naiveLoad.loginsFromNow(LOGINS_PER_MOMENT)]);

    rotatingLoad.start(WORKERS);
    naiveLoad.start(WORKERS);
    const rotator = registerGatedRotator(stack, async (step) => {
      if (step === 'finishSecret') await bothLogIn();
    });
    try {
      for (let rotation = 1; rotation <= ROTATIONS; rotation += 1) {
        const outcome = await rotate(stack, secret.arn, rotator);
        expect(outcome, `rotation ${rotation}`).toMatchObject({ succeeded: true });
        await bothLogIn();
      }
    } finally {
      await Promise.all([rotatingLoad.stop(), naiveLoad.stop()]);
      await Promise.all([rotating.end(), naive.end()]);
    }

    const retried = events.filter((e) => e.type === 'login-refused' && !e.retry).length;
    const refusedTwice = events.filter((e) => e.type === 'login-refused' && e.retry);
    figures.push(
      `  ${strategy.padEnd(18)} rotating pool: ${rotatingLoad.counts.transactions} queries, ${rotatingLoad.counts.failed} failed, ` +
        `${retried} logins refused and retried; pool that read the secret once: ${naiveLoad.counts.transactions} queries, ${naiveLoad.counts.failed} failed`,
    );
    expect(rotatingLoad.counts.failures).toEqual([]);
    expect(refusedTwice).toEqual([]);
    expect(rotatingLoad.counts.transactions).toBeGreaterThan(0);
    // The plain pool meets the rotations too: it fails once its login's password changed.
    expect(naiveLoad.counts.failed).toBeGreaterThan(0);
    expect(new Set(naiveLoad.counts.failures)).toEqual(new Set(['28P01']));
    if (isAlternating(strategy)) expect(retried, 'alternating: the pool kept the previous login until its password changed').toBeGreaterThan(0);
  });
});

async function rotate(rotationStack: RotationStack, secretArn: string, functionArn: string) {
  await rotationStack.secretsClient().send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: functionArn }));
  return rotationStack.secretsManager.rotations.latest(secretArn);
}

/** A table every login of the test may use (roles come and go with the rotations: the clone is made by the first). */
async function createTable(database: FreshDatabase): Promise<string> {
  const table = escapeIdentifier(uniqueName('app_events'));
  await database.withSuperuser(async (client) => {
    await client.query(`CREATE TABLE ${table} (worker int NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`GRANT SELECT, INSERT ON ${table} TO PUBLIC`);
  });
  return table;
}
