/**
 * Issue 18, attacks 2 and 3: a rotated secret's value steers the admin, and any readable secret works as an admin
 * secret. Each is tried as an attacker who may write one rotated secret (or invoke the orchestrator) would, through
 * the local Secrets Manager and Lambda endpoints, and each is refused naming the field, with nothing changed: the
 * labels stay, every login keeps its password, no membership is granted.
 */
import { DescribeSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier as q } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgRotatorClient } from '../../client/pg-rotator-client';
import type { FreshDatabase } from '../support/postgres';
import { PERMISSIVE_POLICY_ENV } from '../support/permissive-policy';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { AppSecret, RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

let stack: RotationStack;
beforeAll(async () => {
  // Under the widest policy, so that what refuses the orchestrator's requests is the admin allow list alone.
  stack = await startRotationStack(PERMISSIVE_POLICY_ENV);
});
afterAll(async () => {
  await stack?.close();
});

/** A database with a CREATEROLE admin (not superuser, as on RDS), its declared admin secret, and an application login. */
async function arrange(): Promise<{ db: FreshDatabase; admin: AppSecret; adminArn: string; app: AppSecret; manage(role: string): Promise<void> }> {
  const db = await freshDatabase();
  const admin = await createLogin(db, uniqueName('rotator_admin'), 'Admin-Passw0rd-1', 'CREATEROLE');
  const adminArn = await stack.createSecret(uniqueName('admin_secret'), admin);
  stack.declarations.declareAdmin(adminArn);
  // PostgreSQL 16+: a CREATEROLE admin changes only roles it holds ADMIN OPTION on.
  const manage = (role: string) => db.withSuperuser(async (c) => void (await c.query(`GRANT ${q(role)} TO ${q(admin.username)} WITH ADMIN OPTION`)));
  const app = await createLogin(db, uniqueName('app'), 'App-Passw0rd-1');
  await manage(app.username);
  return { db, admin, adminArn, app, manage };
}

/** What an attacker with write access to one secret does: a new AWSCURRENT with edited fields. */
async function tamper(arn: string, edit: Partial<AppSecret> & Record<string, unknown>): Promise<void> {
  const current = await stack.value(arn);
  await stack.secretsClient().send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ ...current, ...edit }) }));
}

async function labels(arn: string): Promise<Record<string, string[]>> {
  return (await stack.secretsClient().send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
}

async function membershipsOf(db: FreshDatabase, role: string): Promise<string[]> {
  return db.withSuperuser(async (c) =>
    (
      await c.query<{ role: string }>(
        'SELECT g.rolname AS role FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1 ORDER BY 1',
        [role],
      )
    ).rows.map((row) => row.role),
  );
}

/** Rotates and expects a refusal naming `field` in `step`, with every login as it was and no version made current. */
async function expectRefused(arn: string, step: string, field: string, logins: readonly AppSecret[]): Promise<void> {
  const before = Object.entries(await labels(arn)).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  const outcome = await stack.rotate(arn);
  expect(outcome).toMatchObject({ succeeded: false, failedStep: step, error: { type: 'InvalidInputError' } });
  expect(outcome.error?.message).toMatch(new RegExp(`^${field.replaceAll('.', '\\.')}: `));
  expect(Object.entries(await labels(arn)).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0]).toBe(before);
  for (const login of logins) expect(await logsIn(login), `${login.username} keeps its password`).toEqual({ ok: true });
}

describe('a rotated secret whose value an attacker rewrote', () => {
  it("with username set to its admin's and strategy admin: refused before anything is written, and the admin's password stays", async () => {
    const { admin, adminArn, app } = await arrange();
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...app, strategy: 'admin', masterarn: adminArn });
    await tamper(arn, { username: admin.username, strategy: 'admin' });

    await expectRefused(arn, 'createSecret', 'secret.username', [admin, app]);
    expect(await logsIn(await stack.value(adminArn))).toEqual({ ok: true });
  });

  it('with ownerRole set to a privileged role: refused, and neither login joins it', async () => {
    const { db, admin, adminArn, app, manage } = await arrange();
    const owner = uniqueName('app_owner');
    const privileged = uniqueName('privileged');
    await db.withSuperuser(async (c) => {
      await c.query(`CREATE ROLE ${q(owner)} NOLOGIN`);
      await c.query(`CREATE ROLE ${q(privileged)} NOLOGIN CREATEROLE`);
    });
    await manage(owner);
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...app, strategy: 'alternating-owner', masterarn: adminArn, ownerRole: owner });
    await tamper(arn, { ownerRole: privileged });

    await expectRefused(arn, 'createSecret', 'secret.ownerRole', [admin, app]);
    expect(await membershipsOf(db, app.username)).toEqual([]);
  });

  it("with masterarn pointed at another declared admin secret: refused, naming secret.masterarn", async () => {
    const { admin, adminArn, app } = await arrange();
    const other = await arrange();
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...app, strategy: 'admin', masterarn: adminArn });
    await tamper(arn, { masterarn: other.adminArn });

    await expectRefused(arn, 'createSecret', 'secret.masterarn', [admin, app, other.admin]);
  });

  it('naming an admin secret the deployment never bound: refused with how to declare one', async () => {
    const { admin, adminArn, app } = await arrange();
    const arn = await stack.createUndeclaredSecret(uniqueName('app_secret'), { ...app, strategy: 'alternating', masterarn: adminArn });

    await expectRefused(arn, 'createSecret', 'secret.strategy', [admin, app]);
    expect((await stack.secretsManager.rotations.latest(arn)).error?.message).toContain('declare its strategy, admin secret and login in the deployment');
  });
});

describe('a binding the admin must not act on', () => {
  it("that names the admin's own login: refused before the admin logs in, and its password stays", async () => {
    const { admin, adminArn } = await arrange();
    const arn = await stack.createUndeclaredSecret(uniqueName('admin_as_app'), { ...admin });
    stack.declarations.bind({ secretArn: arn, strategy: 'admin', adminSecretArn: adminArn, username: admin.username });

    await expectRefused(arn, 'setSecret', 'secret.username', [admin]);
    expect((await stack.secretsManager.rotations.latest(arn)).error?.message).toContain("is the login of this secret's own admin secret");
  });

  it.each([
    ['BYPASSRLS', async (db: FreshDatabase, role: string) => db.withSuperuser(async (c) => void (await c.query(`ALTER ROLE ${q(role)} BYPASSRLS`)))],
    [
      'membership of a CREATEROLE role, through another',
      async (db: FreshDatabase, role: string) =>
        db.withSuperuser(async (c) => {
          const [middle, top] = [uniqueName('middle'), uniqueName('top')];
          await c.query(`CREATE ROLE ${q(top)} NOLOGIN CREATEROLE`);
          await c.query(`CREATE ROLE ${q(middle)} NOLOGIN IN ROLE ${q(top)}`);
          await c.query(`GRANT ${q(middle)} TO ${q(role)}`);
        }),
    ],
    [
      'membership of a managed service admin role',
      async (db: FreshDatabase, role: string) =>
        db.withSuperuser(async (c) => {
          // As RDS has it; the test creates it, as on RDS the service does.
          await c.query(`DO $$ BEGIN CREATE ROLE rds_superuser NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
          await c.query(`GRANT rds_superuser TO ${q(role)}`);
        }),
    ],
    [
      // Matched by the actions' pattern (rds_*), which rotation now shares: a member of rds_iam logs in by IAM token.
      'membership of rds_iam, a managed service role only the shared patterns name',
      async (db: FreshDatabase, role: string) =>
        db.withSuperuser(async (c) => {
          await c.query(`DO $$ BEGIN CREATE ROLE rds_iam NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
          await c.query(`GRANT rds_iam TO ${q(role)}`);
        }),
    ],
  ])('that names a protected role (%s): refused before the change, and its password stays', async (_what, protect) => {
    const { db, admin, adminArn } = await arrange();
    const victim = await createLogin(db, uniqueName('victim'), 'Victim-Passw0rd-1');
    await protect(db, victim.username);
    await db.withSuperuser(async (c) => void (await c.query(`GRANT ${q(victim.username)} TO ${q(admin.username)} WITH ADMIN OPTION`)));
    const arn = await stack.createSecret(uniqueName('victim_secret'), { ...victim, strategy: 'admin', masterarn: adminArn });

    await expectRefused(arn, 'setSecret', 'secret.username', [admin, victim]);
    expect((await stack.secretsManager.rotations.latest(arn)).error?.message).toMatch(/which is protected: it .* \(protected\.[a-z-]+\)/);
  });
});

describe('the orchestrator, with an application secret named as the admin (attack 3)', () => {
  it('refuses discover and lock-user naming request.target.adminSecretArn, and the role still logs in', async () => {
    const { db, app } = await arrange();
    const powerful = await createLogin(db, uniqueName('app_with_createrole'), 'Powerful-Passw0rd-1', 'CREATEROLE');
    const appSecretArn = await stack.createSecret(uniqueName('rotated_app'), powerful);
    const client = createPgRotatorClient({ functionName: stack.orchestratorArn, lambda: stack.lambdaClient(), caller: 'attacker' });

    const discovered = await client.discover({ target: { adminSecretArn: appSecretArn } });
    // By name too: the check is on the ARN Secrets Manager answers with, however the request names the secret.
    const byName = await client.discover({ target: { adminSecretArn: (appSecretArn.split(':secret:')[1] as string).slice(0, -7) } });
    const locked = await client.action({ action: 'lock-user', target: { adminSecretArn: appSecretArn }, params: { role: app.username } });

    for (const response of [discovered, byName, locked]) {
      expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.target.adminSecretArn' } });
    }
    expect(await logsIn(app)).toEqual({ ok: true });
    expect(await db.withSuperuser(async (c) => (await c.query('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [app.username])).rows[0])).toEqual({ rolcanlogin: true });
  });
});
