import { createHash } from 'node:crypto';
import type { SslMode } from '../../lambda/config/environment';
import type { ConnectionAttempt } from '../../lambda/postgres/tls';
import { connectionAttempts, securedTls } from '../../lambda/postgres/tls';
import type { DatabaseSecret } from '../../lambda/secrets/secret-format';
import { databaseName, databasePort } from '../../lambda/secrets/secret-format';

/** What the application sets about where and how to connect; the secret decides the rest. */
export interface TargetOverrides {
  /** Connect here instead of the secret's host (an RDS Proxy endpoint, a local tunnel). */
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  /** The sslmode when the secret names none (its `sslmode`, then AWS's `ssl` key, win, down to the minimum). */
  readonly sslmode: SslMode;
  /** No secret connects below it. */
  readonly minimumSslmode: SslMode;
  /** The CA every server must chain to: a secret may bring only this one. Without it, the secret's, else the runtime's store. */
  readonly caPem?: string;
}

/** Where one login connects, and how: the identity of an underlying pool. */
export interface ConnectionTarget {
  /** Equal keys, same pool: everything but the password. */
  readonly key: string;
  readonly user: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** libpq's attempts for the sslmode, in order (tls.ts): more than one for `allow` and `prefer`. */
  readonly attempts: readonly ConnectionAttempt[];
}

/**
 * The connection facts of a secret version, as the function reads them (secret-format.ts, tls.ts), above the
 * application's TLS floors, which no secret lowers.
 *
 * @throws InvalidInputError naming the secret's field (`secret.sslmode`) that asks for less
 */
export function connectionTarget(secret: DatabaseSecret, overrides: TargetOverrides): ConnectionTarget {
  const host = overrides.host ?? secret.host;
  const port = overrides.port ?? databasePort(secret);
  const database = overrides.database ?? databaseName(secret);
  const { mode, caPem } = securedTls(
    secret,
    {
      sslmode: overrides.sslmode,
      minimum: overrides.minimumSslmode,
      ...(overrides.caPem === undefined ? {} : { pinnedCaPem: overrides.caPem }),
      names: { reader: 'the application', minimum: 'options.minimumSslmode', pinnedCa: 'options.caPem', connector: 'the pool' },
    },
    'secret',
  );
  const caDigest = caPem === undefined ? '' : createHash('sha256').update(caPem).digest('hex');
  return {
    key: JSON.stringify([secret.username, host, port, database, mode, caDigest]),
    user: secret.username,
    host,
    port,
    database,
    attempts: connectionAttempts({ mode, ...(caPem === undefined ? {} : { caPem }) }),
  };
}
