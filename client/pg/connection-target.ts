import { createHash } from 'node:crypto';
import type { SslMode } from '../../lambda/config/environment';
import type { ConnectionAttempt } from '../../lambda/postgres/tls';
import { connectionAttempts, resolveSslMode } from '../../lambda/postgres/tls';
import type { DatabaseSecret } from '../../lambda/secrets/secret-format';
import { databaseName, databasePort } from '../../lambda/secrets/secret-format';

/** What the application sets about where and how to connect; the secret decides the rest. */
export interface TargetOverrides {
  /** Connect here instead of the secret's host (an RDS Proxy endpoint, a local tunnel). */
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  /** The sslmode when the secret names none (its `sslmode`, then AWS's `ssl` key, win). */
  readonly sslmode: SslMode;
  /** CA PEM when the secret brings none (`sslrootcertPem`); else the runtime's store. */
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

/** The connection facts of a secret version, as the function reads them (secret-format.ts, tls.ts). */
export function connectionTarget(secret: DatabaseSecret, overrides: TargetOverrides): ConnectionTarget {
  const host = overrides.host ?? secret.host;
  const port = overrides.port ?? databasePort(secret);
  const database = overrides.database ?? databaseName(secret);
  const mode = resolveSslMode(secret, overrides.sslmode);
  const caPem = secret.sslrootcertPem ?? overrides.caPem;
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
