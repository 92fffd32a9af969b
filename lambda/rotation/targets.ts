import type { Settings } from '../config/settings';
import { ENV } from '../config/environment';
import type { ConnectionTarget, Credentials } from '../postgres/connect';
import { resolveSslMode } from '../postgres/tls';
import type { AdminSecret, DatabaseSecret } from '../secrets/secret-format';
import { databaseName, databasePort } from '../secrets/secret-format';

type ConnectionFields = Pick<
  DatabaseSecret,
  'host' | 'port' | 'dbname' | 'ssl' | 'sslmode' | 'sslrootcertPem' | 'connectTimeoutMs' | 'statementTimeoutMs'
>;

/** Where and how a database secret connects: the secret's own settings, then the function's defaults. */
export function connectionTarget(secret: ConnectionFields, settings: Settings): ConnectionTarget {
  const caPem = secret.sslrootcertPem ?? settings.defaultCaPem;
  return {
    host: secret.host,
    port: databasePort(secret),
    database: databaseName(secret),
    tls: { mode: resolveSslMode(secret, settings.env[ENV.sslMode]), ...(caPem === undefined ? {} : { caPem }) },
    connectTimeoutMs: secret.connectTimeoutMs ?? settings.env[ENV.connectTimeoutMs],
    statementTimeoutMs: secret.statementTimeoutMs ?? settings.env[ENV.statementTimeoutMs],
  };
}

/**
 * Where the admin connects. An admin secret with its own host uses its own connection settings; an
 * RDS-managed master secret (username and password only) borrows the user's. Either way the database is the
 * user's, as AWS's multi-user function does (`master_dict['dbname'] = current_dict.get('dbname')`).
 */
export function adminTarget(admin: AdminSecret, user: DatabaseSecret, settings: Settings): ConnectionTarget {
  const own = admin.host === undefined ? user : { ...admin, host: admin.host };
  return { ...connectionTarget(own, settings), database: databaseName(user) };
}

export function credentialsOf(secret: { username: string; password: string }): Credentials {
  return { username: secret.username, password: secret.password };
}
