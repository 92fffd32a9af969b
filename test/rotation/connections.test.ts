import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SslMode, Strategy } from '../../lambda/config/environment';
import { freshDatabase, otherCaPem, postgresServer, uniqueName } from '../support/postgres';
import type { PostgresVariant } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

/** A user and its secret on one server variant, with the connection fields given. */
async function secretOn(variant: PostgresVariant, fields: Record<string, unknown> = {}) {
  const db = await freshDatabase(variant);
  const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
  const server = postgresServer(variant);
  return { user, arn: await stack.createSecret(uniqueName('app_secret'), { ...user, sslrootcertPem: server.caPem, ...fields }) };
}

describe('TLS', () => {
  // Every sslmode against every kind of server is tested where the decision is made, at the connection level:
  // test/safety/tls-table.test.ts. These cases show that the decision carries through a whole rotation.
  const cases: Array<[PostgresVariant, SslMode, 'rotates' | 'refused', string?]> = [
    ['tls', 'verify-full', 'rotates'],
    ['wrong-host', 'verify-full', 'refused', 'TLS'],
  ];

  it.each(cases)('%s server, sslmode %s: %s', async (variant, sslmode, expected, reason) => {
    const { arn, user } = await secretOn(variant, { sslmode, ...(variant === 'no-tls' ? { sslrootcertPem: undefined } : {}) });

    const outcome = await stack.rotate(arn);

    if (expected === 'rotates') {
      expect(outcome).toMatchObject({ succeeded: true });
    } else {
      expect(outcome).toMatchObject({ succeeded: false, failedStep: 'setSecret' });
      expect(outcome.error?.message).toContain(reason);
      expect(await logsIn(user, variant)).toEqual({ ok: true });
    }
  });

  it("refuses a secret's own CA where the deployment pins PGSSLROOTCERT: a secret cannot widen whom the function trusts", async () => {
    const { arn, user } = await secretOn('tls', { sslmode: 'verify-full', sslrootcertPem: otherCaPem() });

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret' });
    expect(outcome.error?.message).toMatch(/^secret\.sslrootcertPem: names a CA of its own, but the deployment pins PGSSLROOTCERT/);
    expect(await logsIn(user)).toEqual({ ok: true });
  });

  it("verifies against the function's PGSSLROOTCERT when the secret brings no CA", async () => {
    const { arn } = await secretOn('tls', { sslrootcertPem: undefined });
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
  });

  it("maps AWS's ssl key: false means no TLS, which a hostssl-only server refuses (where the deployment lowered MINIMUM_SSLMODE)", async () => {
    const lowered = await startRotationStack({ MINIMUM_SSLMODE: 'disable' });
    try {
      const db = await freshDatabase('hostssl-only');
      const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
      const arn = await lowered.createSecret(uniqueName('app_secret'), { ...user, ssl: false });
      const outcome = await lowered.rotate(arn);
      expect(outcome.error?.message).toContain('no pg_hba.conf entry');
    } finally {
      await lowered.close();
    }
  });

  it("refuses AWS's ssl key false under the default MINIMUM_SSLMODE, naming secret.ssl", async () => {
    const { arn } = await secretOn('tls', { ssl: false });
    const outcome = await stack.rotate(arn);
    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret' });
    expect(outcome.error?.message).toMatch(/^secret\.ssl: asks for sslmode disable, below the deployment's minimum/);
  });
});

describe('errors', () => {
  it('says authentication failed, with the role and SQLSTATE, and never the password', async () => {
    const db = await freshDatabase();
    const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...user, password: 'Wrong-Password-Value' });

    const outcome = await stack.rotate(arn);

    expect(outcome.error?.message).toContain(`role "${user.username}"`);
    expect(outcome.error?.message).toContain('authentication failed');
    expect(outcome.error?.message).toContain('SQLSTATE 28P01');
    expect(outcome.error?.message).not.toContain('Wrong-Password-Value');
    expect(stack.functionLog.join('\n')).not.toContain('Wrong-Password-Value');
  });

  it('says the server could not be reached, naming the host', async () => {
    const db = await freshDatabase();
    const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...user, port: 1 });

    expect((await stack.rotate(arn)).error?.message).toMatch(/could not reach the server \(ECONNREFUSED\)/);
  });

  it('names the bad field of a malformed secret without echoing it', async () => {
    const arn = await stack.createSecret(uniqueName('app_secret'), { engine: 'mysql', host: 'h', username: 'u', password: 'Do-Not-Echo' });
    const outcome = await stack.rotate(arn);
    expect(outcome).toMatchObject({ failedStep: 'createSecret', error: { type: 'InvalidInputError' } });
    expect(outcome.error?.message).toMatch(/^secret\.engine: /);
    expect(outcome.error?.message).not.toContain('Do-Not-Echo');
  });
});

describe('testing the configuration (RotateImmediately=false)', () => {
  // Secrets Manager runs testSecret alone, and its pending version holds a copy of AWSCURRENT's value, as in AWS.
  const testOnly = async (arn: string) => {
    await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: stack.rotatorArn, RotateImmediately: false }));
    return stack.secretsManager.rotations.settled(arn);
  };

  /** A secret of `strategy` whose admin secret holds `adminPassword` (the admin's real one by default). */
  async function strategySecret(strategy: Strategy, adminPassword?: string) {
    const db = await freshDatabase();
    const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const admin = await createLogin(db, uniqueName('admin'), 'Admin-Passw0rd', 'CREATEROLE');
    await db.withSuperuser((c) => c.query(`GRANT "${user.username}" TO "${admin.username}" WITH ADMIN OPTION`));
    const adminArn = await stack.createSecret(uniqueName('admin_secret'), { ...admin, password: adminPassword ?? admin.password });
    const fields = strategy === 'single-user' ? {} : { masterarn: adminArn, strategy, ...(strategy === 'alternating-owner' ? { ownerRole: uniqueName('owner') } : {}) };
    return { user, arn: await stack.createSecret(uniqueName('app_secret'), { ...user, ...fields }) };
  }

  it.each(['single-user', 'admin', 'alternating', 'alternating-owner'] as const)(
    '%s: passes when the current credentials and the admin log in, and changes nothing',
    async (strategy) => {
      const { arn, user } = await strategySecret(strategy);
      const before = await stack.secretsClient().send(new DescribeSecretCommand({ SecretId: arn }));

      expect(await testOnly(arn)).toMatchObject([{ mode: 'test-only', stepsRun: ['testSecret'], succeeded: true }]);

      expect(await stack.value(arn)).toMatchObject({ username: user.username, password: user.password });
      expect((await stack.secretsClient().send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages).toEqual(before.VersionIdsToStages);
      expect(await logsIn(user)).toEqual({ ok: true });
    },
  );

  it("fails when the admin secret's password is wrong, naming the admin secret", async () => {
    const { arn } = await strategySecret('admin', 'Not-The-Admin-Passw0rd');

    const [outcome] = await testOnly(arn);

    expect(outcome).toMatchObject({ mode: 'test-only', failedStep: 'testSecret', error: { type: 'DatabaseError' } });
    expect(outcome?.error?.message).toContain('testing the admin secret');
  });
});

describe('md5 servers', () => {
  it('stores a SCRAM verifier even where password_encryption is md5, so scram-sha-256 pg_hba rules keep working', async () => {
    const db = await freshDatabase();
    const user = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    await db.withSuperuser((c) => c.query(`ALTER ROLE "${user.username}" SET password_encryption = 'md5'`));
    const arn = await stack.createSecret(uniqueName('app_secret'), user);

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });

    const stored = await db.withSuperuser(async (c) => (await c.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [user.username])).rows[0]?.rolpassword);
    expect(stored).toMatch(/^SCRAM-SHA-256\$/);
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
    expect(stack.functionLog.some((line) => line.includes('password_encryption is md5'))).toBe(true);
  });
});

describe('Pulumi ESC connector events', () => {
  async function invoke(payload: unknown) {
    const out = await stack.lambdaClient().send(new InvokeCommand({ FunctionName: stack.orchestratorArn, Payload: JSON.stringify(payload) }));
    return { functionError: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload ?? []).toString()) as unknown };
  }

  async function escEvent(newPassword?: string) {
    const db = await freshDatabase();
    const user = await createLogin(db, uniqueName('esc_user'), 'Original-Passw0rd');
    const manager = await createLogin(db, uniqueName('esc_manager'), 'Manager-Passw0rd', 'CREATEROLE');
    await db.withSuperuser((c) => c.query(`GRANT "${user.username}" TO "${manager.username}" WITH ADMIN OPTION`));
    const event = {
      type: 'postgres',
      host: db.server.host,
      port: db.server.port,
      database: db.name,
      managingUser: { username: manager.username, password: manager.password },
      rotateUser: { username: user.username, password: user.password, ...(newPassword ? { newPassword } : {}) },
    };
    return { event, user };
  }

  it('answers {code: 200, message: "ok"} and the new password logs in over verified TLS', async () => {
    const { event, user } = await escEvent('Esc-New-Passw0rd');
    expect(await invoke(event)).toEqual({ functionError: undefined, body: { code: 200, message: 'ok' } });
    expect(await logsIn({ ...user, password: 'Esc-New-Passw0rd' })).toEqual({ ok: true });
    expect(await invoke(event)).toMatchObject({ body: { code: 200 } });
  });

  it('answers 400 as the connector does, never echoing a password', async () => {
    const { event } = await escEvent();
    expect(await invoke(event)).toEqual({ functionError: undefined, body: { code: 400, message: 'no password provided' } });
    const wrong = await invoke({ ...event, managingUser: { ...event.managingUser, password: 'Not-The-Password' }, rotateUser: { ...event.rotateUser, newPassword: 'Esc-New-Passw0rd' } });
    expect(wrong.body).toMatchObject({ code: 400 });
    expect(JSON.stringify(wrong.body)).toMatch(/^{"code":400,"message":"error rotating user .*authentication failed/);
    expect(JSON.stringify(wrong.body)).not.toContain('Not-The-Password');
    expect(await invoke({ type: 'mysql' })).toEqual({ functionError: undefined, body: { code: 400, message: 'unknown event type mysql' } });
    expect(await invoke({ type: { toString: 0 } })).toEqual({ functionError: undefined, body: { code: 400, message: 'unknown event type (object)' } });
  });

  it('fails the invocation only for an event it cannot read at all', async () => {
    expect((await invoke('not an object')).functionError).toBe('Unhandled');
  });
});
