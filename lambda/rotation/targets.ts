import type { Settings } from '../config/settings';
import { ENV } from '../config/environment';
import type { ConnectionTarget, Credentials } from '../postgres/connect';
import { securedTls } from '../postgres/tls';
import type { AdminSecret, DatabaseSecret } from '../secrets/secret-format';
import { databaseName, databasePort } from '../secrets/secret-format';

type ConnectionFields = Pick<
  DatabaseSecret,
  'host' | 'port' | 'dbname' | 'ssl' | 'sslmode' | 'sslrootcertPem' | 'connectTimeoutMs' | 'statementTimeoutMs'
>;

/**
 * Where and how a database secret connects: the secret's own settings, then the function's defaults, above the
 * deployment's floors, which no secret lowers (postgres/tls.ts, securedTls): MINIMUM_SSLMODE, and PGSSLROOTCERT where
 * it pins a CA. (Where nothing is pinned the secret's CA replaces the runtime's store, whose public CAs would sign a
 * host of the writer's anyway; the password is then protected by PGREQUIREAUTH and channel binding,
 * docs/threat-model.md.) How the server may ask for the password, and channel binding, are the deployment's
 * (PGREQUIREAUTH, PGCHANNELBINDING).
 *
 * @param label the secret's name in messages (`secret`, `adminSecret`, `request.target.adminSecretArn`)
 */
export function connectionTarget(secret: ConnectionFields, settings: Settings, label = 'secret'): ConnectionTarget {
  const floor = {
    sslmode: settings.env[ENV.sslMode],
    minimum: settings.env[ENV.minimumSslMode],
    ...(settings.defaultCaPem === undefined ? {} : { pinnedCaPem: settings.defaultCaPem }),
    names: { reader: 'the deployment', minimum: ENV.minimumSslMode, pinnedCa: ENV.sslRootCert, connector: 'the function' },
  };
  return {
    host: secret.host,
    port: databasePort(secret),
    database: databaseName(secret),
    tls: securedTls(secret, floor, label),
    auth: { allowed: settings.env[ENV.requireAuth], channelBinding: settings.env[ENV.channelBinding] },
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
  return { ...connectionTarget(own, settings, admin.host === undefined ? 'secret' : 'adminSecret'), database: databaseName(user) };
}

export function credentialsOf(secret: { username: string; password: string }): Credentials {
  return { username: secret.username, password: secret.password };
}
