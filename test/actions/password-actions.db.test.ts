import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logMark, logSince, uniqueName } from '../support/postgres';
import { roleLockKey } from '../../lambda/actions/advisory-lock';
import { errorOfDeadSession, terminateBackend } from '../safety/support/database-faults';
import { onRotatorStatements } from '../safety/support/rotator-statements';
import type { Rig } from './rig';
import { logsIn, PASSWORD_PREFIX, passwordSecretName, roundTrip, scenario, startRig } from './rig';

let rig: Rig;
/** Every password this file saw: none may appear in the function's log or the server's statement log. */
const passwords: string[] = [];

beforeAll(async () => {
  rig = await startRig({ PASSWORD_SECRET_PREFIX: PASSWORD_PREFIX });
});
afterAll(async () => {
  const functionLog = rig?.stack.functionLog.join('\n') ?? '';
  for (const password of passwords) expect(functionLog).not.toContain(password);
  await rig?.close();
});

async function currentPassword(s: Awaited<ReturnType<typeof scenario>>, secretId: string, stage = 'AWSCURRENT'): Promise<string> {
  const value = await s.secretValue(secretId, stage);
  const password = value?.password;
  if (typeof password !== 'string') throw new Error(`secret ${secretId} has no ${stage} password`);
  passwords.push(password);
  return password;
}

describe('rotate-password and restore-password', () => {
  it('stores a new password in a new secret and sends only its SCRAM verifier; a second rotation can be rolled back', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const secretName = passwordSecretName('app_secret');
    const mark = await logMark();

    const first = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName } });

    expect(first).toMatchObject({ ok: true, result: { changed: true, sql: [`ALTER ROLE "${role}" PASSWORD '[redacted]'`], secret: { operation: 'create' } }, rollback: null });
    expect(first.result).not.toHaveProperty('password');
    const firstPassword = await currentPassword(s, secretName);
    expect(await s.secretValue(secretName)).toEqual({ engine: 'postgres', host: s.db.server.host, port: s.db.server.port, dbname: s.db.name, username: role, password: firstPassword });
    expect(await logsIn(role, firstPassword, s.db.name)).toBe(true);
    expect(await logsIn(role, `Passw0rd-${role}`, s.db.name)).toBe(false);
    const serverLog = await logSince(mark);
    expect(serverLog).toContain(`ALTER ROLE "${role}" PASSWORD 'SCRAM-SHA-256$4096:`);
    expect(serverLog).not.toContain(firstPassword);

    const { real, back } = await roundTrip(rig, s, { action: 'rotate-password', params: { role, secretName, revealPassword: true } }, [role], async (response) => {
      const secondPassword = await currentPassword(s, secretName);
      expect(response.result?.password).toBe(secondPassword);
      expect(response.result?.secret).toMatchObject({ operation: 'put' });
      expect(await currentPassword(s, secretName, 'AWSPREVIOUS')).toBe(firstPassword);
      expect(await logsIn(role, secondPassword, s.db.name)).toBe(true);
    });

    expect(real.rollback).toMatchObject({ action: 'restore-password', params: { role, versionId: first.result?.secret?.versionId } });
    expect(back.result).toMatchObject({ action: 'restore-password', secret: { operation: 'promote', versionId: first.result?.secret?.versionId } });
    expect(await currentPassword(s, secretName)).toBe(firstPassword);
    expect(await logsIn(role, firstPassword, s.db.name)).toBe(true);
    expect(back.rollback).toMatchObject({ action: 'restore-password', params: { versionId: real.result?.secret?.versionId } });
  });

  it('a secret write whose answer is lost is undone with the transaction: AWSCURRENT keeps the password the database has', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const secretName = passwordSecretName('app_secret');
    expect(await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName } })).toMatchObject({ ok: true });
    const first = await currentPassword(s, secretName);
    // Applied, and every answer (the client's retries too) lost: the function cannot know whether the write landed.
    const lost = rig.stack.secretsManager.faults.add({ operation: 'PutSecretValue', kind: 'internal-error', when: 'after', times: 3 });

    const response = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName } });
    lost.remove();

    expect(response).toMatchObject({ ok: false });
    expect(lost.fired).toBe(3);
    // Compared, not shown: a failure must not print the passwords.
    expect((await currentPassword(s, secretName)) === first, 'AWSCURRENT is still the password the database has').toBe(true);
    expect(await logsIn(role, first, s.db.name)).toBe(true);

    // A secret a create-read-only-user made before its answer was lost goes with the role it was for.
    const created = passwordSecretName('ro_secret');
    const lostCreate = rig.stack.secretsManager.faults.add({ operation: 'CreateSecret', kind: 'internal-error', when: 'after', times: 3 });
    const readOnly = await rig.rotator.action({ action: 'create-read-only-user', target: s.target, params: { role: uniqueName('app_ro'), schemas: ['app'], secretName: created } });
    lostCreate.remove();
    expect(readOnly).toMatchObject({ ok: false });
    expect(lostCreate.fired).toBe(3);
    expect(await s.secretValue(created)).toBeUndefined();
  });

  it("a COMMIT whose answer is lost but which committed keeps the secret: AWSCURRENT is the password the database has", async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const secretName = passwordSecretName('app_secret');
    expect(await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName } })).toMatchObject({ ok: true });
    // The COMMIT reaches the server and runs; then the session dies before its answer is read.
    let armed = true;
    const stop = onRotatorStatements({
      after: async (statement) => {
        if (!armed || statement.kind !== 'COMMIT' || statement.user !== s.admin.name) return;
        armed = false;
        await terminateBackend((statement.client as unknown as { processID: number }).processID);
        throw await errorOfDeadSession(statement.client);
      },
    });
    let response;
    try {
      response = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName } });
    } finally {
      stop();
    }

    expect(armed).toBe(false);
    expect(response).toMatchObject({ ok: true, result: { changed: true, secret: { operation: 'put' } } });
    expect(response.result?.notes).toContain("the COMMIT's answer was lost with its connection, but the server reports the transaction committed");
    const current = await currentPassword(s, secretName);
    expect(await logsIn(role, current, s.db.name)).toBe(true);
  });

  it('refuses to write a password into a secret that holds another role\'s credentials', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const other = await s.createSecret(passwordSecretName('other'), { engine: 'postgres', host: 'h', username: 'someone_else', password: 'x' });

    const response = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName: other } });

    expect(response).toMatchObject({ ok: false, error: { code: 'ACTION_REFUSED' } });
    expect(await logsIn(role, `Passw0rd-${role}`, s.db.name)).toBe(true);
  });
});

describe('create-read-only-user', () => {
  it('creates a login that reads every table of the schema, now and later, and writes none; the rollback drops it and its secret', async () => {
    const s = await scenario(rig);
    const role = uniqueName('reader');
    const secretName = passwordSecretName('reader_secret');

    const { real } = await roundTrip(rig, s, { action: 'create-read-only-user', params: { role, schemas: ['app'], secretName } }, [role, s.owner, s.admin.name], async () => {
      const password = await currentPassword(s, secretName);
      await s.su('SET ROLE ' + `"${s.owner}"` + '; CREATE TABLE app.created_later (id int); RESET ROLE');
      const reader = new Client(s.db.config({ user: role, password }));
      await reader.connect();
      try {
        await expect(reader.query('SELECT * FROM app.accounts')).resolves.toBeDefined();
        await expect(reader.query('SELECT * FROM app.balances')).resolves.toBeDefined();
        await expect(reader.query('SELECT * FROM app.created_later')).resolves.toBeDefined();
        await expect(reader.query('INSERT INTO app.accounts VALUES (1)')).rejects.toMatchObject({ code: '42501' });
      } finally {
        await reader.end();
      }
      await s.su('DROP TABLE app.created_later');
    });

    expect(real.result?.sql).toEqual([
      `CREATE ROLE "${role}" LOGIN PASSWORD '[redacted]'`,
      `GRANT CONNECT ON DATABASE "${s.db.name}" TO "${role}"`,
      `GRANT USAGE ON SCHEMA "app" TO "${role}"`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "${role}"`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "${s.owner}" IN SCHEMA "app" GRANT SELECT ON TABLES TO "${role}"`,
    ]);
    expect(real.rollback).toMatchObject({ action: 'drop-user', params: { role, reassignOwnedTo: s.admin.name, terminateSessions: true, deleteSecretName: secretName } });
    const described = await rig.secrets.send(new DescribeSecretCommand({ SecretId: secretName }));
    expect(described.DeletedDate).toBeDefined();
  });

  it('refuses a role that exists and a schema that does not, changing nothing', async () => {
    const s = await scenario(rig);
    const existing = await s.managedRole('app');
    const mark = await logMark();

    const exists = await rig.rotator.action({ action: 'create-read-only-user', target: s.target, params: { role: existing, schemas: ['app'], secretName: passwordSecretName('s') } });
    const noSchema = await rig.rotator.action({ action: 'create-read-only-user', target: s.target, params: { role: uniqueName('r'), schemas: ['app', 'nope'], secretName: passwordSecretName('s') } });

    expect(exists).toMatchObject({ ok: false, error: { code: 'ROLE_EXISTS' } });
    expect(noSchema).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.params.schemas.1' } });
    expect(await s.changesSince(mark)).toEqual([]);
  });
});

describe('temporary access', () => {
  it('creates a login valid until a time with role grants; the rollback revokes the access at once, session included', async () => {
    const s = await scenario(rig);
    const group = await s.managedRole('readers', 'NOLOGIN');
    const role = uniqueName('temp');
    const secretName = passwordSecretName('temp_secret');
    const validUntil = new Date(Date.now() + 3_600_000).toISOString();
    let open: Client | undefined;

    const { real } = await roundTrip(rig, s, { action: 'create-temporary-user', params: { role, validUntil, memberOf: [group], secretName } }, [role, group], async () => {
      const password = await currentPassword(s, secretName);
      expect(await s.secretValue(secretName)).toMatchObject({ username: role, validUntil });
      open = new Client(s.db.config({ user: role, password }));
      open.on('error', () => undefined);
      await open.connect();
      expect((await s.discover([role])).roles[0]).toMatchObject({ validUntil, comment: 'pg-rotator:temporary-user', memberOf: [{ role: group }] });
    });

    expect(real.result?.sql).toEqual([
      `CREATE ROLE "${role}" LOGIN PASSWORD '[redacted]' VALID UNTIL '${validUntil}'`,
      `COMMENT ON ROLE "${role}" IS 'pg-rotator:temporary-user'`,
      `GRANT "${group}" TO "${role}"`,
    ]);
    await expect(open?.query('SELECT 1')).rejects.toThrow();
  });

  it('expire-temporary-users goes on past a user whose advisory lock another session holds, and locks no user still valid', async () => {
    const s = await scenario(rig);
    const group = await s.managedRole('readers', 'NOLOGIN');
    const [expired, held, valid] = [uniqueName('temp'), uniqueName('temp'), uniqueName('temp')];
    for (const role of [expired, held, valid]) {
      const created = await rig.rotator.action({
        action: 'create-temporary-user',
        target: s.target,
        params: { role, validUntil: new Date(Date.now() + 3_600_000).toISOString(), memberOf: [group], secretName: passwordSecretName('temp_secret') },
      });
      expect(created.error).toBeNull();
    }
    // A session holding the locks of a due user and of a valid one (any login may take any advisory lock), taken
    // before `held` is due, and kept until it is gone: another file's expiry, with the same prefix, must not meet it
    // unlocked.
    const holder = await s.db.superuserClient();
    try {
      for (const role of [held, valid]) await holder.query('SELECT pg_advisory_lock($1, $2)', [...roleLockKey(role)]);
      const past = new Date(Date.now() - 60_000).toISOString();
      for (const role of [expired, held]) await s.su(`ALTER ROLE "${role}" VALID UNTIL '${past}'`);

      const response = await rig.rotator.action({ action: 'expire-temporary-users', target: s.target, params: {} });

      expect(response).toMatchObject({ ok: true, result: { changed: true } });
      expect(response.result?.dropped).toContain(expired);
      expect(response.result?.dropped).not.toContain(held);
      expect(response.result?.skipped).toContainEqual({ role: held, reason: expect.stringContaining('another session holds its advisory lock') });
      expect((await s.discover([expired, held, valid])).roles.map((role) => role.name).sort()).toEqual([held, valid].sort());
    } finally {
      // Roles are the cluster's: left behind, they would be due in the next test's expiry, under another admin.
      for (const role of [held, valid]) await s.su(`DROP OWNED BY "${role}"; DROP ROLE "${role}"`);
      await holder.end();
    }
  });

  it('expire-temporary-users drops expired temporary users and ends their sessions, and leaves every other role alone', async () => {
    const s = await scenario(rig);
    const group = await s.managedRole('readers', 'NOLOGIN');
    const [expired, current] = [uniqueName('temp'), uniqueName('temp')];
    const secrets = new Map<string, string>();
    for (const role of [expired, current]) {
      secrets.set(role, passwordSecretName('temp_secret'));
      const created = await rig.rotator.action({
        action: 'create-temporary-user',
        target: s.target,
        params: { role, validUntil: new Date(Date.now() + 3_600_000).toISOString(), memberOf: [group], secretName: secrets.get(role) as string },
      });
      expect(created.error).toBeNull();
    }
    // A session opened before the expiry, which VALID UNTIL alone would let live on.
    const open = new Client(s.db.config({ user: expired, password: await currentPassword(s, secrets.get(expired) as string) }));
    open.on('error', () => undefined);
    await open.connect();
    const past = new Date(Date.now() - 60_000).toISOString();
    await s.su(`ALTER ROLE "${expired}" VALID UNTIL '${past}'`);
    // An ordinary role whose password expired too: not made by create-temporary-user, so never dropped.
    const ordinary = await s.managedRole('ordinary', `LOGIN VALID UNTIL '${past}'`);
    const before = await s.discover([current, ordinary, group]);

    const dry = await rig.rotator.action({ action: 'expire-temporary-users', target: s.target, params: {}, dryRun: true });
    const mark = await logMark();
    const real = await rig.rotator.action({ action: 'expire-temporary-users', target: s.target, params: {} });

    expect(real).toMatchObject({ ok: true, result: { changed: true, dropped: [expired], skipped: [], terminatedSessions: 1 }, rollback: null });
    expect(real.result?.sql).toEqual(dry.result?.sql);
    expect(real.result?.sql[0]).toBe(`DROP ROLE "${expired}"`);
    expect(await s.changesSince(mark)).toEqual(real.result?.sql);
    await expect(open.query('SELECT 1')).rejects.toThrow();
    expect((await s.discover([expired])).roles).toEqual([]);
    expect(await s.discover([current, ordinary, group])).toEqual(before);
  });
});
