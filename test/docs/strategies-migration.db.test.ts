import { DescribeSecretCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { Client, escapeIdentifier } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FreshDatabase } from '../support/postgres';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { createLogin, startRotationStack } from '../support/rotation-stack';
import { fences } from './markdown';

let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

/** The migration block of docs/strategies.md, with the doc's names replaced by this test's. */
function migrationSql(names: Record<'app' | 'app_clone' | 'app_owner' | 'rotator_admin', string>): string {
  const block = fences('docs/strategies.md').find((fence) => fence.lang === 'sql' && fence.heading === 'Moving existing objects to the owner role');
  if (!block) throw new Error('docs/strategies.md has no sql block under "Moving existing objects to the owner role"');
  return block.text.replace(/\b(app_clone|app_owner|app|rotator_admin)\b/g, (name) => escapeIdentifier(names[name as keyof typeof names]));
}

async function asLogin<T = unknown>(db: FreshDatabase, login: { username: string; password: string }, sql: string): Promise<T[]> {
  const client = new Client(db.config({ user: login.username, password: login.password }));
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** "Changing strategy" in docs/strategies.md: a new version, then AWSPENDING removed where it stayed behind. */
async function editSecret(arn: string, value: Record<string, unknown>): Promise<void> {
  const client = stack.secretsClient();
  await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify(value) }));
  const { VersionIdsToStages = {} } = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  for (const [version, stages] of Object.entries(VersionIdsToStages)) {
    if (stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT')) {
      await client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: version }));
    }
  }
}

describe('docs/strategies.md: moving an alternating pair to alternating-owner', () => {
  it('runs as written: objects both logins created before stay usable by both, and new ones are the owner\'s', async () => {
    const db = await freshDatabase();
    const app = uniqueName('app');
    const names = { app, app_clone: `${app}_clone`, app_owner: uniqueName('owner'), rotator_admin: uniqueName('admin') };
    // The schema is called like the role, as in the doc's `ON SCHEMA app`.
    const schema = escapeIdentifier(app);
    const original = await createLogin(db, app, 'Original-Passw0rd');
    const admin = await createLogin(db, names.rotator_admin, 'Admin-Passw0rd', 'CREATEROLE');
    await db.withSuperuser(async (c) => {
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${escapeIdentifier(app)}`);
      await c.query(`GRANT ${escapeIdentifier(app)} TO ${escapeIdentifier(admin.username)} WITH ADMIN OPTION`);
    });
    const adminArn = await stack.createSecret(uniqueName('admin_secret'), admin);
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn });

    // Before: AWS's alternating users, each login creating a table.
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    const [current, previous] = [await stack.value(arn), await stack.value(arn, 'AWSPREVIOUS')];
    expect([current.username, previous.username]).toEqual([app, names.app_clone]);
    await asLogin(db, current, `CREATE TABLE ${schema}.by_app (id int)`);
    await asLogin(db, previous, `CREATE TABLE ${schema}.by_clone (id int)`);
    await expect(asLogin(db, current, `SELECT * FROM ${schema}.by_clone`)).rejects.toMatchObject({ code: '42501' });

    await db.withSuperuser((c) => c.query(migrationSql(names)));
    // The deployment's binding changes (the config's secrets[] entry), and the secret says the same.
    stack.declarations.bind({ secretArn: arn, strategy: 'alternating-owner', adminSecretArn: adminArn, username: app, ownerRole: names.app_owner });
    await editSecret(arn, { ...current, strategy: 'alternating-owner', ownerRole: names.app_owner });
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });

    const logins = [await stack.value(arn), await stack.value(arn, 'AWSPREVIOUS')];
    expect(logins.map((login) => login.username).sort()).toEqual([app, names.app_clone].sort());
    for (const [i, login] of logins.entries()) {
      await asLogin(db, login, `INSERT INTO ${schema}.by_app VALUES (${i}); INSERT INTO ${schema}.by_clone VALUES (${i}); CREATE TABLE ${schema}.new_${i} (id int)`);
    }
    for (const login of logins) {
      await asLogin(db, login, `SELECT * FROM ${schema}.new_0, ${schema}.new_1`);
    }
    const owners = await db.withSuperuser(async (c) => (await c.query('SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1', [app])).rows);
    expect(owners).toEqual([{ tableowner: names.app_owner }]);
  });
});
