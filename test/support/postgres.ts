/**
 * What database tests use: the servers started by test/support/global-setup.ts, a fresh database per test,
 * login probes and the server's statement log. Every server is real PostgreSQL; nothing here is a stub.
 *
 * @example
 * const db = await freshDatabase();
 * const role = uniqueName('app');
 * await db.withSuperuser((client) => client.query(`create role ${escapeIdentifier(role)} login password 'x'`));
 * expect(await canLogIn({ user: role, password: 'y', database: db.name })).toMatchObject({ sqlState: '28P01' });
 */
import type { ConnectionOptions } from 'node:tls';
import { Client, escapeIdentifier, type ClientConfig } from 'pg';
import { inject, type TestContext } from 'vitest';
import { clientConfig, superuserClientConfig } from '../../local/postgres/client-config.js';
import { HarnessError } from '../../local/postgres/errors.js';
import { tryLogIn, type LoginResult } from '../../local/postgres/login-probe.js';
import type { ServerFacts, ServerSource, TestServers } from '../../local/postgres/server-facts.js';
import { markLog, readLogSince, type LogMark } from '../../local/postgres/server-log.js';
import { uniqueName } from '../../local/postgres/unique-name.js';
import { DEFAULT_VARIANT, type PostgresVariant, type TlsMode } from '../../local/postgres/variants.js';

export type { LoginResult } from '../../local/postgres/login-probe.js';
export type { ServerFacts, ServerSource } from '../../local/postgres/server-facts.js';
export type { LogMark } from '../../local/postgres/server-log.js';
export type { PostgresVariant, TlsMode } from '../../local/postgres/variants.js';

export { uniqueName };

/** How a test connects: a libpq-style mode, or raw node-postgres `ssl` options. */
export type SslChoice = TlsMode | ConnectionOptions;

function testServers(): TestServers {
  const servers = inject('postgres');
  if (!servers) {
    throw new HarnessError(
      'VARIANT_UNAVAILABLE',
      'no PostgreSQL servers: is test/support/global-setup.ts in vitest globalSetup?',
    );
  }
  return servers;
}

/**
 * The connection facts of one server variant: `tls` (default; TLS with a certificate for 127.0.0.1 and
 * localhost, plain connections allowed too), `hostssl-only` (pg_hba.conf accepts TLS only), `wrong-host`
 * (certificate for another host name) or `no-tls` (ssl = off). Throws `VARIANT_UNAVAILABLE` when this run
 * has no such server; use {@link requireServer} to skip instead.
 *
 * @example
 * const { host, port, superuser } = postgresServer('no-tls');
 */
export function postgresServer(variant: PostgresVariant = DEFAULT_VARIANT): ServerFacts {
  const servers = testServers();
  const server = servers.servers[variant];
  if (!server) {
    throw new HarnessError(
      'VARIANT_UNAVAILABLE',
      `the ${variant} PostgreSQL server is unavailable: ${servers.unavailable[variant] ?? 'it was not started'}`,
    );
  }
  return server;
}

/**
 * Where this run's servers come from: `embedded` (local clusters the harness configured, all variants),
 * `external` (PG_TEST_URL) or `container` (PG_TEST_CONTAINERS=1). Tests of the harness's own configuration
 * (pg_hba.conf rules, the major) only hold for `embedded`.
 */
export function serverSource(): ServerSource {
  return testServers().source;
}

/** What a test needs from a server beyond its existence. */
export interface ServerNeeds {
  /** A CA to verify the server's certificate against. */
  readonly tls?: boolean;
  /** A readable server log. */
  readonly log?: boolean;
}

/**
 * Why a test needing `variant` (and `needs`) cannot run in this run, or `undefined` when it can; for
 * `describe.skipIf(unavailableReason('hostssl-only') !== undefined)`.
 */
export function unavailableReason(
  variant: PostgresVariant = DEFAULT_VARIANT,
  needs: ServerNeeds = {},
): string | undefined {
  const servers = testServers();
  const server = servers.servers[variant];
  if (!server) return `${variant} server unavailable: ${servers.unavailable[variant] ?? 'it was not started'}`;
  if (needs.tls && server.caPem === undefined) {
    return `${variant} server has no known CA certificate (PG_TEST_CA_FILE)`;
  }
  if (needs.log && server.logFile === undefined) return `${variant} server log is not readable from here`;
  return undefined;
}

/**
 * The server of `variant`, or skips the running test with the reason shown by the reporter.
 *
 * @example
 * it('refuses plain connections', async (context) => {
 *   const server = requireServer(context, 'hostssl-only', { tls: true });
 * });
 */
export function requireServer(
  context: TestContext,
  variant: PostgresVariant = DEFAULT_VARIANT,
  needs: ServerNeeds = {},
): ServerFacts {
  const reason = unavailableReason(variant, needs);
  if (reason !== undefined) context.skip(reason);
  return postgresServer(variant);
}

/** PEM of a CA that signed none of the servers' certificates, for "certificate from another CA" tests. */
export function otherCaPem(): string {
  return testServers().otherCaPem;
}

/** Who logs in where, for {@link connectionConfig} and {@link canLogIn}. */
export interface Login {
  /** @default 'tls' */
  readonly variant?: PostgresVariant;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** @default the variant's strongest working mode: verify-full, verify-ca for wrong-host, disable for no-tls */
  readonly ssl?: SslChoice;
}

/**
 * A node-postgres client configuration for a login on a test server.
 *
 * @example
 * const client = new Client(connectionConfig({ user: role, password, database: db.name }));
 */
export function connectionConfig(login: Login): ClientConfig {
  return clientConfig(postgresServer(login.variant), login);
}

/**
 * Tries a login and reports the outcome instead of throwing, so a test can assert that an old password is
 * refused (`{ ok: false, sqlState: '28P01' }`) or that a TLS check failed (`errorCode`).
 *
 * @example
 * expect(await canLogIn({ user: role, password: oldPassword, database: db.name }))
 *   .toMatchObject({ ok: false, sqlState: '28P01' });
 */
export function canLogIn(login: Login): Promise<LoginResult> {
  return tryLogIn(connectionConfig(login));
}

/** A database created for one test, on one server variant. */
export interface FreshDatabase {
  readonly name: string;
  readonly server: ServerFacts;
  /** Config for this database; the superuser's unless `login` is given. */
  config(login?: Omit<Login, 'variant' | 'database'>): ClientConfig;
  /** A connected superuser client on this database; the caller must `end()` it. */
  superuserClient(): Promise<Client>;
  /** Runs `work` with a superuser client on this database and closes the client afterwards. */
  withSuperuser<T>(work: (client: Client) => Promise<T>): Promise<T>;
}

/**
 * Creates a uniquely named, empty database (and nothing else: roles are cluster-wide, so tests create
 * their own with {@link uniqueName}). The database outlives the test; the cluster is discarded after the run.
 *
 * @example
 * const db = await freshDatabase('hostssl-only');
 * const rows = await db.withSuperuser(async (client) => (await client.query('select 1')).rows);
 */
export async function freshDatabase(variant: PostgresVariant = DEFAULT_VARIANT): Promise<FreshDatabase> {
  const server = postgresServer(variant);
  const name = uniqueName('test_db');
  const admin = new Client(superuserClientConfig(server));
  await admin.connect();
  try {
    await admin.query(`create database ${escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }

  const config = (login?: Omit<Login, 'variant' | 'database'>): ClientConfig =>
    login
      ? clientConfig(server, { ...login, database: name })
      : superuserClientConfig(server, name);
  const superuserClient = async (): Promise<Client> => {
    const client = new Client(config());
    await client.connect();
    return client;
  };
  const withSuperuser = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = await superuserClient();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return { name, server, config, superuserClient, withSuperuser };
}

/**
 * Marks the end of a server's log, to read what it logged after with {@link logSince}.
 *
 * @example
 * const mark = await logMark();
 * await rotate();
 * expect(await logSince(mark)).not.toContain(newPassword);
 */
export async function logMark(variant: PostgresVariant = DEFAULT_VARIANT): Promise<LogMark> {
  return markLog(logFileOf(variant));
}

/**
 * Everything the server logged since `mark`: connections and, with `log_statement = all`, every statement
 * as the server received it. Lines of concurrently running tests appear too; filter by your unique names.
 */
export function logSince(mark: LogMark): Promise<string> {
  return readLogSince(mark);
}

/** The whole log of a server variant. */
export function readServerLog(variant: PostgresVariant = DEFAULT_VARIANT): Promise<string> {
  return readLogSince({ logFile: logFileOf(variant), offset: 0 });
}

function logFileOf(variant: PostgresVariant): string {
  const { logFile } = postgresServer(variant);
  if (logFile === undefined) {
    throw new HarnessError(
      'LOG_UNAVAILABLE',
      `the ${variant} server's log cannot be read from here (${testServers().source} server)`,
    );
  }
  return logFile;
}
