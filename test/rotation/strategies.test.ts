import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserClientConfig } from '../../local/postgres/client-config';
import { startCluster } from '../../local/postgres/cluster';
import { freshDatabase, logMark, logSince, postgresServer, uniqueName } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

type Database = Awaited<ReturnType<typeof freshDatabase>>;

/**
 * A non-superuser admin with CREATEROLE, as on RDS, and its secret. It is given ADMIN OPTION on the roles it
 * will manage: required on PostgreSQL 16 and newer, harmless before.
 */
async function createAdmin(db: Database, manages: string[] = []) {
  const admin = await createLogin(db, uniqueName('admin'), 'Admin-Passw0rd', 'CREATEROLE');
  await db.withSuperuser(async (c) => {
    for (const role of manages) await c.query(`GRANT "${role}" TO "${admin.username}" WITH ADMIN OPTION`);
  });
  return { admin, adminArn: await stack.createSecret(uniqueName('admin_secret'), admin) };
}

describe('single user', () => {
  it('changes its own password: the new one logs in, the old one is refused, AWSPREVIOUS keeps the old', async () => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const arn = await stack.createSecret(uniqueName('app_secret'), original);

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: true, stepsRun: ['createSecret', 'setSecret', 'testSecret', 'finishSecret'], rotationTokenUsed: true });
    const current = await stack.value(arn);
    expect(current.password).not.toBe(original.password);
    expect(current).toEqual({ ...original, password: current.password });
    expect(await logsIn(current)).toEqual({ ok: true });
    expect(await logsIn(original)).toMatchObject({ ok: false, sqlState: '28P01' });
    expect((await stack.value(arn, 'AWSPREVIOUS')).password).toBe(original.password);
  });

  it('sends the server a SCRAM verifier, never the plaintext password', async () => {
    const db = await freshDatabase();
    const arn = await stack.createSecret(uniqueName('app_secret'), await createLogin(db, uniqueName('app'), 'Original-Passw0rd'));
    const mark = await logMark();

    await stack.rotate(arn);

    const newPassword = (await stack.value(arn)).password;
    const serverLog = await logSince(mark);
    expect(serverLog).toContain("PASSWORD 'SCRAM-SHA-256$4096:");
    expect(serverLog).not.toContain(newPassword);
    expect(stack.functionLog.join('\n')).not.toContain(newPassword);
  });

  it('rotates roles whose names hold quotes, spaces, capitals and non-ASCII letters', async () => {
    const db = await freshDatabase();
    const role = `Ünïcode "quoted" ${uniqueName('r')}`.slice(0, 60);
    const arn = await stack.createSecret(uniqueName('app_secret'), await createLogin(db, role, 'Original-Passw0rd'));

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
  });
});

describe('admin-driven', () => {
  it("lets the admin secret change the user's password", async () => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { adminArn } = await createAdmin(db, [original.username]);
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn, strategy: 'admin' });

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: true });
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
    expect(await logsIn(original)).toMatchObject({ ok: false, sqlState: '28P01' });
  });

  it.runIf(Number(process.env.PG_MAJOR ?? 18) >= 16)('says the admin needs ADMIN OPTION on PostgreSQL 16 and newer', async () => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { admin, adminArn } = await createAdmin(db);
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn, strategy: 'admin' });

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'setSecret', error: { type: 'DatabaseError' } });
    expect(outcome.error?.message).toContain(`GRANT <role> TO "${admin.username}" WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
    expect(outcome.error?.message).toContain('SQLSTATE 42501');
    expect(await logsIn(original)).toEqual({ ok: true });
  });

  it('works with an RDS-managed master secret that holds only username and password', async () => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { admin } = await createAdmin(db, [original.username]);
    const managedArn = await stack.createSecret(uniqueName('rds_managed'), { username: admin.username, password: admin.password });
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: managedArn, strategy: 'admin' });

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
  });

  it('lets an admin secret reach the same server by another name', async () => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { admin } = await createAdmin(db, [original.username]);
    expect(db.server.host).toBe('127.0.0.1');
    const adminArn = await stack.createSecret(uniqueName('admin_secret'), { ...admin, host: 'localhost' });
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn, strategy: 'admin' });

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
  });

  it('refuses an admin secret on another server, whose role of the same name keeps its password', async () => {
    const other = await startCluster();
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-cas-')), 'cas.pem');
    writeFileSync(caFile, `${postgresServer().caPem ?? ''}\n${other.certificates.caPem}`);
    const both = await startRotationStack({ PGSSLROOTCERT: caFile });
    const otherClient = async (work: (c: Client) => Promise<void>) => {
      const c = new Client({ ...superuserClientConfig(other.server), ssl: { ca: other.certificates.caPem } });
      await c.connect();
      await work(c).finally(() => c.end());
    };
    try {
      const db = await freshDatabase();
      const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
      // The other server has the database and a role of that name, and an admin able to change it.
      const admin = { username: uniqueName('admin'), password: 'Admin-Passw0rd' };
      await otherClient(async (c) => {
        await c.query(`CREATE DATABASE "${db.name}"`);
        await c.query(`CREATE ROLE "${original.username}" LOGIN PASSWORD 'Other-Passw0rd'`);
        await c.query(`CREATE ROLE "${admin.username}" LOGIN CREATEROLE PASSWORD '${admin.password}'`);
        await c.query(`GRANT "${original.username}" TO "${admin.username}" WITH ADMIN OPTION`);
      });
      const adminArn = await both.createSecret(uniqueName('admin_secret'), { engine: 'postgres', host: other.server.host, port: other.server.port, dbname: 'postgres', ...admin });
      const arn = await both.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn, strategy: 'admin' });

      const outcome = await both.rotate(arn);

      expect(outcome).toMatchObject({ succeeded: false, failedStep: 'setSecret', error: { type: 'InvalidInputError' } });
      expect(outcome.error?.message).toContain(`adminSecret.host: names 127.0.0.1:${other.server.port}, not the secret's 127.0.0.1:${db.server.port}, and they are different servers`);
      const otherLogin = new Client({ ...superuserClientConfig(other.server), user: original.username, password: 'Other-Passw0rd', ssl: { ca: other.certificates.caPem } });
      await otherLogin.connect();
      await otherLogin.end();
      expect(await logsIn(original)).toEqual({ ok: true });
    } finally {
      await both.close();
      await other.stop();
    }
  });

  it('rotates the admin secret itself', async () => {
    const db = await freshDatabase();
    const { admin, adminArn } = await createAdmin(db);

    expect(await stack.rotate(adminArn)).toMatchObject({ succeeded: true });
    const current = await stack.value(adminArn);
    expect(current.username).toBe(admin.username);
    expect(await logsIn(current)).toEqual({ ok: true });
    expect(await logsIn(admin)).toMatchObject({ ok: false, sqlState: '28P01' });
  });
});

describe('alternating users, the AWS way', () => {
  it('creates <user>_clone on the first rotation and keeps AWSCURRENT and AWSPREVIOUS logging in', async () => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { adminArn } = await createAdmin(db, [original.username]);
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn });

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    const first = await stack.value(arn);
    expect(first.username).toBe(`${original.username}_clone`);
    expect(await logsIn(first)).toEqual({ ok: true });
    expect(await logsIn(await stack.value(arn, 'AWSPREVIOUS'))).toEqual({ ok: true });
    const isMember = await db.withSuperuser(async (c) => (await c.query('SELECT pg_has_role($1, $2, $3) AS m', [first.username, original.username, 'MEMBER'])).rows[0]?.m);
    expect(isMember).toBe(true);

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    const second = await stack.value(arn);
    expect(second.username).toBe(original.username);
    expect(await logsIn(second)).toEqual({ ok: true });
    expect(await logsIn(first)).toEqual({ ok: true }); // now AWSPREVIOUS: still works
    expect(await logsIn(original)).toMatchObject({ ok: false, sqlState: '28P01' });
  });

  it('alternates two existing roles named in the secret', async () => {
    const db = await freshDatabase();
    const a = await createLogin(db, uniqueName('app_a'), 'Passw0rd-A');
    const b = await createLogin(db, uniqueName('app_b'), 'Passw0rd-B');
    const { adminArn } = await createAdmin(db, [a.username, b.username]);
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...a, alternateUsername: b.username, masterarn: adminArn, strategy: 'alternating' });

    await stack.rotate(arn);
    expect(await stack.value(arn)).toMatchObject({ username: b.username, alternateUsername: a.username });
    await stack.rotate(arn);
    expect(await stack.value(arn)).toMatchObject({ username: a.username, alternateUsername: b.username });
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
    expect(await logsIn(await stack.value(arn, 'AWSPREVIOUS'))).toEqual({ ok: true });
  });
});

describe('ownership-safe alternating users', () => {
  it('makes objects created under either login usable by both', async () => {
    const db = await freshDatabase();
    const owner = uniqueName('app_owner');
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { adminArn } = await createAdmin(db, [original.username]);
    await db.withSuperuser((c) => c.query(`GRANT CREATE ON SCHEMA public TO "${original.username}"`));
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn, strategy: 'alternating-owner', ownerRole: owner });

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    const clone = await stack.value(arn);
    await db.withSuperuser((c) => c.query(`GRANT CREATE ON SCHEMA public TO "${owner}"`));
    await asLogin(db, clone, 'CREATE TABLE made_by_clone (id int)');
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    const back = await stack.value(arn);
    expect(back.username).toBe(original.username);

    await asLogin(db, back, 'INSERT INTO made_by_clone VALUES (1)');
    const tableOwner = await db.withSuperuser(async (c) => (await c.query("SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_clone'")).rows[0]?.tableowner);
    expect(tableOwner).toBe(owner);
  });

  it('fails testSecret with a clear message when the two logins hold different memberships, leaving AWSCURRENT working', async () => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { adminArn } = await createAdmin(db, [original.username]);
    const extra = uniqueName('reporting');
    await db.withSuperuser(async (c) => {
      await c.query(`CREATE ROLE "${extra}" NOLOGIN`);
      await c.query(`GRANT "${extra}" TO "${original.username}"`);
    });
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, masterarn: adminArn, strategy: 'alternating-owner', ownerRole: uniqueName('owner') });

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'testSecret', error: { type: 'MembershipDriftError' } });
    expect(outcome.error?.message).toContain(`missing: "${extra}"`);
    expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
  });
});

describe('the server log of a rotation', () => {
  // AWS's functions first try the pending password, which fails on every rotation but a retry: a failed login in
  // the server's log each time, which login monitoring counts. Two rotations: an alternating pair's first creates the clone.
  it.each(['single-user', 'admin', 'alternating', 'alternating-owner'] as const)('%s: two rotations, not one failed login', async (strategy) => {
    const db = await freshDatabase();
    const original = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
    const { admin, adminArn } = await createAdmin(db, [original.username]);
    const extras = strategy === 'single-user' ? {} : { masterarn: adminArn, strategy, ...(strategy === 'alternating-owner' ? { ownerRole: uniqueName('owner') } : {}) };
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...original, ...extras });
    const mark = await logMark();

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });

    const failures = (await logSince(mark)).split('\n').filter((line) => line.includes('password authentication failed'));
    const ours = failures.filter((line) => [original.username, `${original.username}_clone`, admin.username].some((role) => line.includes(`"${role}"`)));
    expect(ours).toEqual([]);
  });
});

async function asLogin(db: Database, login: { username: string; password: string }, sql: string) {
  const client = new Client(db.config({ user: login.username, password: login.password }));
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
