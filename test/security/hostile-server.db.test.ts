/**
 * Issue 18, attack 4: cleartext to a hostile host. An RDS-managed master secret has no host of its own, so the admin's
 * host and TLS come from the user's secret or from `connectionSecretArn`, and whoever may write those chooses where
 * the admin logs in. A fake PostgreSQL server (test/support/fake-postgres.ts), presenting a certificate the function
 * trusts so that verify-full passes, asks for the password in cleartext or as an md5 hash: it receives nothing,
 * through a `discover` request and through a scheduled rotation. A secret's `sslmode: disable` is refused, and SCRAM
 * binds to the TLS channel.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier as q } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgRotatorClient } from '../../client/pg-rotator-client';
import { openSession } from '../../lambda/postgres/connect';
import type { AuthenticationFloor } from '../../lambda/postgres/authentication-floor';
import type { TestCertificates } from '../../local/postgres/certificates';
import { createTestCertificates } from '../../local/postgres/certificates';
import type { FakeAsk, FakePostgres } from '../support/fake-postgres';
import { startFakePostgres } from '../support/fake-postgres';
import { freshDatabase, postgresServer, uniqueName } from '../support/postgres';
import type { AppSecret, RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

let attacker: TestCertificates;
let trustFile: string;
const stacks: RotationStack[] = [];
const fakes: FakePostgres[] = [];

beforeAll(async () => {
  // The attacker's certificate chains to a CA the function trusts (as any public CA's would, under the runtime's
  // default store): verify-full passes against the fake server.
  attacker = await createTestCertificates();
  trustFile = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-trust-')), 'bundle.pem');
  writeFileSync(trustFile, `${postgresServer().caPem ?? ''}\n${attacker.caPem}`);
});
afterAll(async () => {
  for (const fake of fakes) await fake.close();
  for (const stack of stacks) await stack.close();
});

async function stackWith(env: Record<string, string> = {}): Promise<RotationStack> {
  const stack = await startRotationStack({ PGSSLROOTCERT: trustFile, ...env });
  stacks.push(stack);
  return stack;
}

async function fake(ask: FakeAsk): Promise<FakePostgres> {
  const server = await startFakePostgres({ ask, certificate: attacker.localServer });
  fakes.push(server);
  return server;
}

/** An RDS-managed master secret (username and password only, no host), declared as an admin secret. */
async function rdsManagedMaster(stack: RotationStack) {
  const db = await freshDatabase();
  const admin = await createLogin(db, uniqueName('master'), 'Master-Passw0rd-1', 'CREATEROLE');
  const masterArn = await stack.createSecret(uniqueName('rds_master'), { username: admin.username, password: admin.password });
  stack.declarations.declareAdmin(masterArn);
  return { db, admin, masterArn };
}

describe('a discover request whose connection secret names a hostile host', () => {
  it.each(['cleartext', 'md5'] as const)('sends the admin password nowhere when the server asks for it as %s', async (ask) => {
    const stack = await stackWith();
    const server = await fake(ask);
    const { admin, masterArn } = await rdsManagedMaster(stack);
    const connectionArn = await stack.createSecret(uniqueName('hostile_connection'), { engine: 'postgres', host: server.host, port: server.port, username: 'x', password: 'x', dbname: 'postgres' });
    const client = createPgRotatorClient({ functionName: stack.orchestratorArn, lambda: stack.lambdaClient(), caller: 'attacker' });

    const response = await client.discover({ target: { adminSecretArn: masterArn, connectionSecretArn: connectionArn } });

    expect(response).toMatchObject({ ok: false, error: { code: 'DB_AUTHENTICATION' } });
    expect(response.error?.message).toContain(ask === 'md5' ? 'an md5 password hash' : 'a cleartext password');
    expect(response.error?.message).toContain('nothing was sent');
    expect(server.connections).toEqual([expect.objectContaining({ tls: true, user: admin.username })]);
    expect(server.passwordsReceived()).toBe(0);
  });

  it('sends it when the deployment allows cleartext (PGREQUIREAUTH), which is why the floor is on by default', async () => {
    const stack = await stackWith({ PGREQUIREAUTH: 'scram-sha-256,password' });
    const server = await fake('cleartext');
    const { masterArn } = await rdsManagedMaster(stack);
    const connectionArn = await stack.createSecret(uniqueName('hostile_connection'), { engine: 'postgres', host: server.host, port: server.port, username: 'x', password: 'x', dbname: 'postgres' });
    const client = createPgRotatorClient({ functionName: stack.orchestratorArn, lambda: stack.lambdaClient(), caller: 'attacker' });

    await client.discover({ target: { adminSecretArn: masterArn, connectionSecretArn: connectionArn } });

    expect(server.passwordsReceived()).toBe(1);
  });
});

describe("a connection secret's own TLS settings", () => {
  it('are held to the deployment\'s minimum too: sslmode disable is refused naming the connection secret, before any connection', async () => {
    const stack = await stackWith();
    const server = await fake('cleartext');
    const { masterArn } = await rdsManagedMaster(stack);
    const connectionArn = await stack.createSecret(uniqueName('plaintext_connection'), {
      engine: 'postgres',
      host: server.host,
      port: server.port,
      username: 'x',
      password: 'x',
      dbname: 'postgres',
      sslmode: 'disable',
    });
    const client = createPgRotatorClient({ functionName: stack.orchestratorArn, lambda: stack.lambdaClient(), caller: 'attacker' });

    const response = await client.discover({ target: { adminSecretArn: masterArn, connectionSecretArn: connectionArn } });

    expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(response.error?.field).toBe('request.target.connectionSecretArn.sslmode');
    expect(response.error?.message).toContain("below the deployment's minimum");
    expect(server.connections).toEqual([]);
  });
});

describe('a scheduled rotation whose user secret an attacker pointed at a hostile host', () => {
  async function boundApp(stack: RotationStack) {
    const master = await rdsManagedMaster(stack);
    const app = await createLogin(master.db, uniqueName('app'), 'App-Passw0rd-1');
    await master.db.withSuperuser(async (c) => void (await c.query(`GRANT ${q(app.username)} TO ${q(master.admin.username)} WITH ADMIN OPTION`)));
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...app, strategy: 'admin', masterarn: master.masterArn });
    return { ...master, app, arn };
  }

  async function tamper(stack: RotationStack, arn: string, edit: Partial<AppSecret>) {
    const current = await stack.value(arn);
    await stack.secretsClient().send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ ...current, ...edit }) }));
  }

  it.each(['cleartext', 'md5'] as const)('sends neither the admin password nor the new one when the server asks for it as %s', async (ask) => {
    const stack = await stackWith();
    const server = await fake(ask);
    const { admin, app, arn } = await boundApp(stack);
    await tamper(stack, arn, { host: server.host, port: server.port });

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'setSecret' });
    expect(outcome.error?.message).toContain('nothing was sent');
    expect(server.connections.length).toBeGreaterThan(0);
    expect(server.passwordsReceived()).toBe(0);
    expect(await logsIn(admin)).toEqual({ ok: true });
    expect(await logsIn(app)).toEqual({ ok: true });
  });

  it("refuses the secret's sslmode disable below the deployment's minimum, before any pending version or connection", async () => {
    const stack = await stackWith();
    const server = await fake('cleartext');
    const { app, arn } = await boundApp(stack);
    await tamper(stack, arn, { host: server.host, port: server.port, sslmode: 'disable' });

    const outcome = await stack.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret', error: { type: 'InvalidInputError' } });
    expect(outcome.error?.message).toMatch(/^secret\.sslmode: asks for sslmode disable, below the deployment's minimum \(MINIMUM_SSLMODE=verify-full\)/);
    expect(server.connections).toEqual([]);
    expect(await logsIn(app)).toEqual({ ok: true });
  });

  it("refuses AWS's ssl: false the same way, naming secret.ssl", async () => {
    const stack = await stackWith();
    const { arn } = await boundApp(stack);
    await tamper(stack, arn, { ssl: false });

    const outcome = await stack.rotate(arn);

    expect(outcome.error?.message).toMatch(/^secret\.ssl: asks for sslmode disable/);
  });
});

describe('a server that goes silent after login', () => {
  it('is given up on as DB_TIMEOUT once the statement timeout and a margin have passed, and its socket is closed', async () => {
    // A deployment that lets a server ask for no password, so that the fake one can "log in" the admin at all.
    const stack = await stackWith({ PGREQUIREAUTH: 'scram-sha-256,none', STATEMENT_TIMEOUT_MS: '500' });
    const server = await fake('trust-then-silent');
    const { masterArn } = await rdsManagedMaster(stack);
    const connectionArn = await stack.createSecret(uniqueName('silent_connection'), { engine: 'postgres', host: server.host, port: server.port, username: 'x', password: 'x', dbname: 'postgres' });
    const client = createPgRotatorClient({ functionName: stack.orchestratorArn, lambda: stack.lambdaClient(), caller: 'test' });

    const response = await client.discover({ target: { adminSecretArn: masterArn, connectionSecretArn: connectionArn } });

    expect(response).toMatchObject({ ok: false, error: { code: 'DB_TIMEOUT' } });
    // The query went out and was never answered; then the function hung up (no Terminate: the socket was destroyed).
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0]?.messagesAfterAsk[0]).toBe('Q');
    expect(server.passwordsReceived()).toBe(0);
  });

  it('is refused when it asks for no password at all, unless the deployment allows it (PGREQUIREAUTH none)', async () => {
    const stack = await stackWith();
    const server = await fake('trust-then-silent');
    const { masterArn } = await rdsManagedMaster(stack);
    const connectionArn = await stack.createSecret(uniqueName('trust_connection'), { engine: 'postgres', host: server.host, port: server.port, username: 'x', password: 'x', dbname: 'postgres' });
    const client = createPgRotatorClient({ functionName: stack.orchestratorArn, lambda: stack.lambdaClient(), caller: 'test' });

    const response = await client.discover({ target: { adminSecretArn: masterArn, connectionSecretArn: connectionArn } });

    expect(response).toMatchObject({ ok: false, error: { code: 'DB_AUTHENTICATION', message: expect.stringContaining('asked for no password') } });
    expect(server.connections[0]?.messagesAfterAsk).toEqual([]);
  });
});

describe('SCRAM channel binding', () => {
  const target = (auth: AuthenticationFloor, server = postgresServer()) => ({
    host: server.host,
    port: server.port,
    database: 'postgres',
    tls: { mode: 'verify-full' as const, caPem: `${postgresServer().caPem ?? ''}\n${attacker.caPem}` },
    auth,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 5_000,
  });
  const superuser = () => ({ username: postgresServer().superuser.username, password: postgresServer().superuser.password });

  it('is used wherever TLS is on and the server offers it (SCRAM-SHA-256-PLUS), and can be required', async () => {
    for (const [channelBinding, expected] of [['prefer', 'scram-sha-256-plus'], ['require', 'scram-sha-256-plus'], ['disable', 'scram-sha-256']] as const) {
      const session = await openSession(target({ allowed: ['scram-sha-256'], channelBinding }), superuser());
      expect(session.authentication, channelBinding).toBe(expected);
      await session.end();
    }
  });

  it('required, refuses a TLS server that offers SCRAM without it, sending nothing', async () => {
    const server = await fake('scram-without-plus');
    await expect(openSession(target({ allowed: ['scram-sha-256'], channelBinding: 'require' }, { ...postgresServer(), host: server.host, port: server.port }), superuser())).rejects.toMatchObject({
      code: 'DB_AUTHENTICATION',
      message: expect.stringContaining('offered no SCRAM-SHA-256-PLUS'),
    });
    expect(server.passwordsReceived()).toBe(0);
  });
});
