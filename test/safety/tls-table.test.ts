/**
 * Every libpq sslmode against every kind of server, at the level where the decision is made (openSession in
 * lambda/postgres/connect.ts): does the function connect, and over what? The expectations are libpq's documented
 * behaviour (PostgreSQL docs, "libpq: SSL Support", §32.19/34.19, Table "SSL Mode Descriptions", and the
 * `sslrootcert` parameter):
 *
 * - disable: plaintext only. allow: plaintext first, TLS if the server refuses plaintext. prefer: TLS first,
 *   plaintext if TLS fails (the server refuses it, or the handshake or verification fails).
 * - require: TLS only; "if a root CA file exists, the behavior of sslmode=require will be the same as that of
 *   verify-ca". verify-ca: TLS, the chain verified. verify-full: TLS, chain and host name verified.
 * - sslrootcert: "If the file exists, the server's certificate will be verified to be signed by one of these
 *   authorities" — in every mode that makes a TLS attempt, which is why prefer falls back to plaintext and allow
 *   refuses when the certificate comes from another CA.
 *
 * A "CA" here is the secret's `sslrootcertPem` (or the function's PGSSLROOTCERT), libpq's root certificate file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SslMode } from '../../lambda/config/environment';
import { SSL_MODES } from '../../lambda/config/environment';
import { DatabaseError } from '../../lambda/errors';
import { openSession } from '../../lambda/postgres/connect';
import { otherCaPem, postgresServer, unavailableReason } from '../support/postgres';
import type { PostgresVariant } from '../support/postgres';
import { SafetyFigures } from './support/safety-figures';

/** A server, and which CA the client trusts. */
interface Column {
  readonly name: string;
  readonly variant: PostgresVariant;
  readonly ca: 'server CA' | 'other CA' | 'none';
}

const COLUMNS: readonly Column[] = [
  { name: 'TLS on', variant: 'tls', ca: 'server CA' },
  { name: 'TLS off', variant: 'no-tls', ca: 'server CA' },
  { name: 'other CA', variant: 'tls', ca: 'other CA' },
  { name: 'wrong host name', variant: 'wrong-host', ca: 'server CA' },
  { name: 'TLS only (hostssl)', variant: 'hostssl-only', ca: 'server CA' },
  { name: 'other CA, TLS only', variant: 'hostssl-only', ca: 'other CA' },
  { name: 'TLS on, no CA given', variant: 'tls', ca: 'none' },
];

/** `tls` / `plain`: connects over that; `refused (kind)`: fails with a DatabaseError of that kind. */
type Expected = 'tls' | 'plain' | `refused (${'tls' | 'authentication'})`;

/** libpq's answer for each sslmode (rows) and column (in COLUMNS order). */
const LIBPQ: Readonly<Record<SslMode, readonly Expected[]>> = {
  //            TLS on    TLS off                other CA               wrong host             hostssl                    other CA, hostssl          no CA
  disable: ['plain', 'plain', 'plain', 'plain', 'refused (authentication)', 'refused (authentication)', 'plain'],
  allow: ['plain', 'plain', 'plain', 'plain', 'tls', 'refused (tls)', 'plain'],
  prefer: ['tls', 'plain', 'plain', 'tls', 'tls', 'refused (authentication)', 'tls'],
  require: ['tls', 'refused (tls)', 'refused (tls)', 'tls', 'tls', 'refused (tls)', 'tls'],
  'verify-ca': ['tls', 'refused (tls)', 'refused (tls)', 'tls', 'tls', 'refused (tls)', 'refused (tls)'],
  'verify-full': ['tls', 'refused (tls)', 'refused (tls)', 'refused (tls)', 'tls', 'refused (tls)', 'refused (tls)'],
};

const figures = new SafetyFigures('tls-table');
const observed = new Map<string, string>();

afterAll(() => {
  figures.table('sslmode (rows) x server (columns): what pg-rotator does; every cell matches libpq', [
    ['sslmode', ...COLUMNS.map((c) => c.name)],
    ...SSL_MODES.map((mode) => [mode, ...COLUMNS.map((c) => observed.get(`${mode} ${c.name}`) ?? 'not run')]),
  ]);
  figures.count('cells tested', String(observed.size));
  figures.publish();
});

/** What the function does: connect as the server's superuser with this mode and CA, and report the channel. */
async function connectWith(mode: SslMode, column: Column): Promise<string> {
  const server = postgresServer(column.variant);
  const caPem = column.ca === 'server CA' ? postgresServer('tls').caPem : column.ca === 'other CA' ? otherCaPem() : undefined;
  try {
    const session = await openSession(
      { host: server.host, port: server.port, database: 'postgres', tls: { mode, ...(caPem === undefined ? {} : { caPem }) }, connectTimeoutMs: 5_000, statementTimeoutMs: 5_000 },
      { username: server.superuser.username, password: server.superuser.password },
      'testing the TLS table',
    );
    await session.end();
    return session.tls === null ? 'plain' : 'tls';
  } catch (error) {
    if (!(error instanceof DatabaseError)) throw error;
    return `refused (${error.kind})`;
  }
}

describe.each(COLUMNS.map((column) => [column.name, column] as const))('server: %s', (_, column) => {
  it.skipIf(unavailableReason(column.variant) !== undefined).for(SSL_MODES.map((mode) => [mode, LIBPQ[mode][COLUMNS.indexOf(column)] as Expected] as const))(
    'sslmode %s: %s, as libpq',
    async ([mode, expected]) => {
      const outcome = await connectWith(mode, column);
      observed.set(`${mode} ${column.name}`, outcome);
      expect(outcome).toBe(expected);
    },
  );
});
