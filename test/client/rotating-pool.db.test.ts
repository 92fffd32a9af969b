/**
 * What createRotatingPool does against real PostgreSQL and the local Secrets Manager (and its Agent stand-in):
 * TLS from the secret, a login switch that drains the old login gracefully, the Agent's stale cache got past with
 * refreshNow, reads that fail, and nothing it reports carrying a password.
 */
import { inspect } from 'node:util';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RotatingPoolEvent } from '../../client/pg/pool-events';
import { createRotatingPool } from '../../client/pg/rotating-pool';
import type { SecretSource } from '../../client/pg/secret-source';
import { secretsManagerSource } from '../../client/pg/secrets-manager-source';
import type { LocalSecretsManagerAgent } from '../../local/secrets-manager-agent/server';
import { startLocalSecretsManagerAgent } from '../../local/secrets-manager-agent/server';
import { LOCAL_AWS } from '../../local/stack';
import { createStrategySecret } from '../safety/support/strategy-secrets';
import type { FreshDatabase } from '../support/postgres';
import { freshDatabase, otherCaPem, postgresServer, uniqueName, unavailableReason } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { createLogin, startRotationStack } from '../support/rotation-stack';

let stack: RotationStack;
let db: FreshDatabase;
let agent: LocalSecretsManagerAgent;

beforeAll(async () => {
  stack = await startRotationStack();
  db = await freshDatabase();
  agent = await startLocalSecretsManagerAgent({ secretsManager: { ...LOCAL_AWS, endpoint: stack.secretsManager.endpoint } });
});

afterAll(async () => {
  await agent?.close();
  await stack?.close();
});

async function singleUserSecret(fields: Record<string, unknown> = {}): Promise<{ arn: string; password: string }> {
  const login = await createLogin(db, uniqueName('app'), 'Original-Passw0rd');
  return { arn: await stack.createSecret(uniqueName('app_secret'), { ...login, ...fields }), password: login.password };
}

describe('connecting', () => {
  it('logs in as the secret says, verifying TLS against the CA the secret brings (sslrootcertPem)', async () => {
    const { arn, password } = await singleUserSecret({ sslrootcertPem: db.server.caPem, sslmode: 'verify-full' });
    const pool = createRotatingPool({ secretId: arn, secretsManager: { client: stack.secretsClient() } });
    try {
      const { rows } = await pool.query<{ user: string; ssl: boolean }>('SELECT current_user AS user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows).toEqual([{ user: (await stack.value(arn)).username, ssl: true }]);
      expect(inspect(pool, { depth: 12, showHidden: false }), 'inspecting the pool shows no password').not.toContain(password);
    } finally {
      await pool.end();
    }
    expect(pool.ended).toBe(true);
  });

  it('refuses a server certificate from another CA (verify-full), without retrying the login', async () => {
    const { arn } = await singleUserSecret({ sslrootcertPem: otherCaPem() });
    const events: RotatingPoolEvent[] = [];
    const pool = createRotatingPool({ secretId: arn, secretsManager: { client: stack.secretsClient() }, onEvent: (e) => events.push(e) });
    try {
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE/) });
      expect(events.filter((e) => e.type === 'login-refused')).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it.skipIf(unavailableReason('no-tls') !== undefined)('prefer falls back to plaintext when the server has no TLS, as libpq does', async () => {
    const server = postgresServer('no-tls');
    const noTls = await freshDatabase('no-tls');
    const login = await createLogin(noTls, uniqueName('app'), 'Original-Passw0rd');
    const arn = await stack.createSecret(uniqueName('app_secret'), { ...login, host: server.host, port: server.port, sslmode: 'prefer' });
    const pool = createRotatingPool({ secretId: arn, secretsManager: { client: stack.secretsClient() }, minimumSslmode: 'prefer', pool: { max: 2 } });
    try {
      // More callers than connections, all at once: those queued behind the failed TLS attempt are served too.
      const results = await Promise.all(Array.from({ length: 6 }, () => pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')));
      expect(results.map((result) => result.rows)).toEqual(Array.from({ length: 6 }, () => [{ ssl: false }]));
    } finally {
      await pool.end();
    }
  });

  it('refuses a secret that asks for less TLS than the application allows, or brings a CA of its own where the application pins one', async () => {
    const cases = [
      { fields: { ssl: false }, options: {}, message: "secret.ssl: asks for sslmode disable, below the application's minimum (options.minimumSslmode=verify-full)" },
      { fields: { sslmode: 'prefer' }, options: {}, message: "secret.sslmode: asks for sslmode prefer, below the application's minimum" },
      { fields: { sslrootcertPem: otherCaPem() }, options: { caPem: db.server.caPem }, message: 'secret.sslrootcertPem: names a CA of its own, but the application pins options.caPem' },
    ];
    for (const { fields, options, message } of cases) {
      const { arn } = await singleUserSecret(fields);
      const pool = createRotatingPool({ secretId: arn, secretsManager: { client: stack.secretsClient() }, ...options });
      try {
        await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(message) });
        expect(pool.totalCount, 'no connection was opened').toBe(0);
      } finally {
        await pool.end();
      }
    }
  });
});

describe('a login switch (alternating users)', () => {
  it('finishes the query in flight on the old login, closes its idle sessions, and logs in new sessions as the new login', async () => {
    const secret = await db.withSuperuser((superuser) => createStrategySecret({ superuser, createSecret: stack.createSecret }, db, 'alternating'));
    const events: RotatingPoolEvent[] = [];
    const pool = createRotatingPool({
      secretId: secret.arn,
      secretsManager: { client: stack.secretsClient() },
      caPem: db.server.caPem,
      refreshIntervalMs: 600_000,
      onEvent: (e) => events.push(e),
    });
    try {
      const busy = await pool.connect();
      const idle = await pool.connect();
      idle.release();
      const first = (await busy.query<{ user: string }>('SELECT current_user AS user')).rows[0]?.user;
      const drained = new Promise<void>((resolve) => {
        const check = () => (events.some((e) => e.type === 'login-drained') ? resolve() : setTimeout(check, 5));
        check();
      });
      const inFlight = busy.query('SELECT pg_sleep(0.2), 1 AS done');

      expect(await stack.rotate(secret.arn)).toMatchObject({ succeeded: true });
      pool.refresh();
      const { rows } = await pool.query<{ user: string }>('SELECT current_user AS user');
      const sessionsOfFirst = await countSessions(first);

      expect(rows[0]?.user).toBe((await stack.value(secret.arn)).username);
      expect(rows[0]?.user).not.toBe(first);
      expect(sessionsOfFirst, 'the idle session of the old login closed; the busy one still works').toBe(1);
      expect((await inFlight).rows).toEqual([{ pg_sleep: '', done: 1 }]);
      busy.release();
      await drained;
      expect(await countSessions(first)).toBe(0);
      expect(events.filter((e) => e.type === 'login-switched' || e.type === 'login-drained')).toEqual([
        { type: 'login-switched', from: first, to: rows[0]?.user },
        { type: 'login-drained', username: first },
      ]);
    } finally {
      await pool.end();
    }
  });
});

describe('reading the secret', () => {
  it("through the Agent: a rotation the Agent's cache still hides is found after the refused login, with refreshNow", async () => {
    const { arn } = await singleUserSecret();
    const events: RotatingPoolEvent[] = [];
    const pool = createRotatingPool({
      secretId: arn,
      source: 'agent',
      agent: { endpoint: agent.endpoint, token: agent.token },
      caPem: db.server.caPem,
      refreshIntervalMs: 0,
      pool: { maxUses: 1 },
      onEvent: (e) => events.push(e),
    });
    try {
      await pool.query('SELECT 1');
      expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });
      const reads = agent.counts.secretsManagerReads;

      await pool.query('SELECT 1');

      const current = await stack.value(arn);
      expect(events.filter((e) => e.type === 'login-refused')).toEqual([expect.objectContaining({ retry: false })]);
      expect(events.filter((e) => e.type === 'secret-read' && e.fresh)).toEqual([expect.objectContaining({ stage: 'AWSCURRENT', versionId: expect.any(String) })]);
      expect(agent.counts.secretsManagerReads).toBe(reads + 1);
      expect(JSON.stringify(events)).not.toContain(current.password);
    } finally {
      await pool.end();
    }
  });

  it('goes on with the login it has when a read fails, and says so', async () => {
    const { arn } = await singleUserSecret();
    const events: RotatingPoolEvent[] = [];
    const real = secretsManagerSource({ secretId: arn, client: stack.secretsClient() });
    let reads = 0;
    const flaky: SecretSource = { read: (stage, options) => (++reads > 1 ? Promise.reject(new Error('connect ECONNREFUSED')) : real.read(stage, options)) };
    const pool = createRotatingPool({ secretId: arn, source: flaky, caPem: db.server.caPem, refreshIntervalMs: 0, onEvent: (e) => events.push(e) });
    try {
      await pool.query('SELECT 1');
      await expect(pool.query('SELECT 2 AS two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
      expect(events.filter((e) => e.type === 'secret-read-failed')).toEqual([
        { type: 'secret-read-failed', stage: 'AWSCURRENT', error: { name: 'Error', message: 'reading the secret failed' } },
      ]);
    } finally {
      await pool.end();
    }
  });

  it('fails the first query with the read error when it never read the secret, naming no value', async () => {
    const { arn } = await singleUserSecret();
    await stack.secretsClient().send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    const pool = createRotatingPool({ secretId: arn, secretsManager: { client: stack.secretsClient() } });
    try {
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: 'SECRETS_MANAGER', awsErrorName: 'ResourceNotFoundException' });
    } finally {
      await pool.end();
    }
  });

  it('refuses a secret that fails the format, naming the field', async () => {
    const { arn } = await singleUserSecret({ port: 'not-a-port' });
    const pool = createRotatingPool({ secretId: arn, secretsManager: { client: stack.secretsClient() } });
    try {
      const failure = pool.query('SELECT 1');
      await expect(failure).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'secret.port' });
      await expect(failure).rejects.toThrow(/^secret\.port: must be a number/);
    } finally {
      await pool.end();
    }
  });
});

async function countSessions(user: string | undefined): Promise<number> {
  const { rows } = await db.withSuperuser((client) =>
    client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND datname = $2', [user, db.name]),
  );
  return rows[0]?.n ?? -1;
}
