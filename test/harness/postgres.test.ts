import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { describe, expect, it } from 'vitest';
import { readHarnessEnvironment } from '../../local/postgres/environment.js';
import {
  canLogIn,
  connectionConfig,
  freshDatabase,
  logMark,
  logSince,
  otherCaPem,
  postgresServer,
  readServerLog,
  requireServer,
  serverSource,
  uniqueName,
  type PostgresVariant,
} from '../support/postgres.js';

/** A login role with a random password on one server variant; roles are cluster-wide, so names are unique. */
async function createLoginRole(variant: PostgresVariant): Promise<{ user: string; password: string }> {
  const user = uniqueName('harness_role');
  const password = randomBytes(18).toString('base64url');
  const admin = new Client(connectionConfig({ ...superuserLogin(variant), variant }));
  await admin.connect();
  try {
    // Test-only setup: the password goes through escapeLiteral because PASSWORD takes no parameters.
    await admin.query(`create role ${escapeIdentifier(user)} login password ${escapeLiteral(password)}`);
  } finally {
    await admin.end();
  }
  return { user, password };
}

function notOurConfiguration(): string {
  return `the ${serverSource()} server's pg_hba.conf is not the harness's`;
}

function superuserLogin(variant: PostgresVariant): { user: string; password: string; database: string } {
  const { superuser } = postgresServer(variant);
  return { user: superuser.username, password: superuser.password, database: 'postgres' };
}

describe('the default (tls) server', () => {
  it('runs the PostgreSQL major chosen by PG_MAJOR', (context) => {
    if (serverSource() !== 'embedded') context.skip(`the ${serverSource()} server runs its own version`);
    const server = postgresServer();
    expect(server.major).toBe(readHarnessEnvironment().PG_MAJOR);
    expect(server.version.startsWith(`${server.major}.`)).toBe(true);
  });

  it('refuses a wrong password with SQLSTATE 28P01 and accepts the right one', async () => {
    const role = await createLoginRole('tls');

    const wrong = await canLogIn({ user: role.user, password: `${role.password}x`, database: 'postgres' });
    const right = await canLogIn({ user: role.user, password: role.password, database: 'postgres' });

    expect(wrong).toMatchObject({ ok: false, sqlState: '28P01' });
    expect(right).toEqual({ ok: true });
  });

  it('stores SCRAM-SHA-256 verifiers and has no pg_hba.conf rule but scram-sha-256', async (context) => {
    if (serverSource() !== 'embedded') context.skip(notOurConfiguration());
    const role = await createLoginRole('tls');
    const admin = new Client(connectionConfig(superuserLogin('tls')));
    await admin.connect();
    try {
      const stored = await admin.query<{ rolpassword: string }>(
        'select rolpassword from pg_authid where rolname = $1',
        [role.user],
      );
      const methods = await admin.query<{ auth_method: string }>(
        'select distinct auth_method from pg_hba_file_rules',
      );
      const encryption = await admin.query<{ password_encryption: string }>('show password_encryption');

      expect(stored.rows[0]?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(methods.rows.map((row) => row.auth_method)).toEqual(['scram-sha-256']);
      expect(encryption.rows[0]?.password_encryption).toBe('scram-sha-256');
    } finally {
      await admin.end();
    }
  });

  it('accepts verify-full against the test CA and the session really uses TLS', async (context) => {
    requireServer(context, 'tls', { tls: true });
    const client = new Client(connectionConfig({ ...superuserLogin('tls'), ssl: 'verify-full' }));
    await client.connect();
    try {
      const { rows } = await client.query<{ ssl: boolean; version: string }>(
        'select ssl, version from pg_stat_ssl where pid = pg_backend_pid()',
      );

      expect(rows[0]?.ssl).toBe(true);
      expect(rows[0]?.version).toMatch(/^TLSv1\.[23]$/);
    } finally {
      await client.end();
    }
  });

  it('also accepts a plain connection (pg_hba.conf "host" lines)', async (context) => {
    if (serverSource() !== 'embedded') context.skip(notOurConfiguration());
    const result = await canLogIn({ ...superuserLogin('tls'), ssl: 'disable' });

    expect(result).toEqual({ ok: true });
  });

  it('is refused when the client trusts only another CA', async (context) => {
    requireServer(context, 'tls', { tls: true });
    const result = await canLogIn({ ...superuserLogin('tls'), ssl: { ca: otherCaPem(), rejectUnauthorized: true } });

    expect(result).toMatchObject({ ok: false, sqlState: undefined, errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});

describe('the wrong-host server', () => {
  it('fails verify-full on the host name but passes verify-ca', async (context) => {
    requireServer(context, 'wrong-host', { tls: true });
    const login = { ...superuserLogin('wrong-host'), variant: 'wrong-host' as const };

    const full = await canLogIn({ ...login, ssl: 'verify-full' });
    const caOnly = await canLogIn({ ...login, ssl: 'verify-ca' });

    expect(full).toMatchObject({ ok: false, errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(caOnly).toEqual({ ok: true });
  });
});

describe('the hostssl-only server', () => {
  it('refuses a plain connection with SQLSTATE 28000 (no pg_hba.conf entry) and accepts TLS', async (context) => {
    requireServer(context, 'hostssl-only', { tls: true });
    const role = await createLoginRole('hostssl-only');
    const login = { ...role, database: 'postgres', variant: 'hostssl-only' as const };

    const plain = await canLogIn({ ...login, ssl: 'disable' });
    const tls = await canLogIn({ ...login, ssl: 'verify-full' });

    expect(plain).toMatchObject({ ok: false, sqlState: '28000' });
    if (!plain.ok) expect(plain.message).toContain('no pg_hba.conf entry');
    expect(tls).toEqual({ ok: true });
  });
});

describe('the no-tls server', () => {
  it('refuses TLS and accepts a plain connection', async (context) => {
    requireServer(context, 'no-tls');
    const login = { ...superuserLogin('no-tls'), variant: 'no-tls' as const };

    // The server answers the SSLRequest with "N"; node-postgres then gives up (libpq's sslmode=require).
    const tls = await canLogIn({ ...login, ssl: { rejectUnauthorized: true } });
    const plain = await canLogIn({ ...login, ssl: 'disable' });

    expect(tls).toMatchObject({
      ok: false,
      sqlState: undefined,
      message: 'The server does not support SSL connections',
    });
    expect(plain).toEqual({ ok: true });
  });
});

describe('the server log', () => {
  it('shows a statement a test ran after the mark, and nothing from before it', async (context) => {
    requireServer(context, 'tls', { log: true });
    const before = uniqueName('before_mark');
    const after = uniqueName('after_mark');
    const client = new Client(connectionConfig(superuserLogin('tls')));
    await client.connect();
    try {
      await client.query(`select '${before}'`);
      const mark = await logMark();
      await client.query(`select '${after}'`);

      const logged = await logSince(mark);

      expect(logged).toContain(`statement: select '${after}'`);
      expect(logged).not.toContain(before);
    } finally {
      await client.end();
    }
  });

  it('never contains the superuser password', async (context) => {
    requireServer(context, 'tls', { log: true });

    expect(await readServerLog()).not.toContain(postgresServer().superuser.password);
  });
});

describe('freshDatabase', () => {
  it('gives each caller its own empty database', async () => {
    const first = await freshDatabase();
    const second = await freshDatabase();
    const table = uniqueName('only_in_first');

    await first.withSuperuser((client) => client.query(`create table ${escapeIdentifier(table)} (id int)`));
    const tablesIn = (db: typeof first): Promise<string[]> =>
      db.withSuperuser(async (client) => {
        const { rows } = await client.query<{ name: string }>(
          "select tablename as name from pg_tables where schemaname = 'public'",
        );
        return rows.map((row) => row.name);
      });

    expect(first.name).not.toBe(second.name);
    expect(await tablesIn(first)).toEqual([table]);
    expect(await tablesIn(second)).toEqual([]);
  });

  it('creates the database on the variant asked for', async (context) => {
    requireServer(context, 'no-tls');
    const db = await freshDatabase('no-tls');

    const name = await db.withSuperuser(async (client) => {
      const { rows } = await client.query<{ db: string }>('select current_database() as db');
      return rows[0]?.db;
    });

    expect(name).toBe(db.name);
  });
});

describe('uniqueName', () => {
  it('yields distinct lowercase identifiers that fit in NAMEDATALEN', () => {
    const names = Array.from({ length: 50 }, () => uniqueName('a_rather_long_prefix_for_a_login_role_x'));

    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]{0,62}$/);
  });

  it('rejects a prefix that would need quoting', () => {
    expect(() => uniqueName('App-User')).toThrow(expect.objectContaining({ code: 'INVALID_ENVIRONMENT' }));
  });
});

describe('the harness environment', () => {
  it('names a bad variable without echoing its value, which may hold a password', () => {
    const secret = randomBytes(12).toString('hex');
    const read = (): unknown =>
      readHarnessEnvironment({ PG_MAJOR: '13', PG_TEST_URL: `mysql://root:${secret}@db` });

    expect(read).toThrow(expect.objectContaining({ name: 'HarnessError', code: 'INVALID_ENVIRONMENT' }));
    expect(read).toThrow(/PG_MAJOR: must be one of 14, 15, 16, 17, 18/);
    expect(read).toThrow(/PG_TEST_URL: must be a postgres/);
    expect(read).not.toThrow(secret);
  });

  it('defaults to PostgreSQL 18 and treats empty variables as unset', () => {
    // toEqual, not toStrictEqual: an unset optional variable may be absent or undefined.
    expect(readHarnessEnvironment({ PG_MAJOR: '', PG_TEST_CONTAINERS: '' })).toEqual({
      PG_MAJOR: 18,
      PG_TEST_URL: undefined,
      PG_TEST_CA_FILE: undefined,
      PG_TEST_CONTAINERS: false,
      PG_TEST_TMPDIR: undefined,
    });
  });
});
