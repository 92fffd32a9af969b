import type { Settings } from '../config/settings';
import { belowMinimum, ENV } from '../config/environment';
import { InvalidInputError } from '../errors';
import type { ConnectionTarget, Credentials } from '../postgres/connect';
import { resolveSslMode } from '../postgres/tls';
import type { AdminSecret, DatabaseSecret } from '../secrets/secret-format';
import { databaseName, databasePort } from '../secrets/secret-format';

type ConnectionFields = Pick<
  DatabaseSecret,
  'host' | 'port' | 'dbname' | 'ssl' | 'sslmode' | 'sslrootcertPem' | 'connectTimeoutMs' | 'statementTimeoutMs'
>;

/**
 * Where and how a database secret connects: the secret's own settings, then the function's defaults, above the
 * deployment's floors, which no secret lowers:
 * - an sslmode below MINIMUM_SSLMODE is refused, naming the field (`sslmode`, or AWS's `ssl`) rather than raised
 *   silently, so whoever wrote the secret learns it;
 * - a secret's own CA (`sslrootcertPem`) is refused where the deployment pins PGSSLROOTCERT, unless it is that CA: a
 *   writer of the secret could otherwise pair a host of theirs with a CA of theirs and pass verify-full. (Where
 *   nothing is pinned the secret's CA replaces the runtime's store, whose public CAs would sign such a host anyway;
 *   the password is then protected by PGREQUIREAUTH and channel binding, docs/threat-model.md.)
 * - how the server may ask for the password, and channel binding, are the deployment's (PGREQUIREAUTH,
 *   PGCHANNELBINDING).
 *
 * @param label the secret's name in messages (`secret`, `adminSecret`, `request.target.adminSecretArn`)
 */
export function connectionTarget(secret: ConnectionFields, settings: Settings, label = 'secret'): ConnectionTarget {
  const minimum = settings.env[ENV.minimumSslMode];
  const mode = resolveSslMode(secret, settings.env[ENV.sslMode]);
  if (belowMinimum(mode, minimum)) {
    const field = secret.sslmode !== undefined ? 'sslmode' : 'ssl';
    throw new InvalidInputError(`${label}.${field}`, `asks for sslmode ${mode}, below the deployment's minimum (${ENV.minimumSslMode}=${minimum}); no secret lowers it`);
  }
  if (secret.sslrootcertPem !== undefined && settings.defaultCaPem !== undefined && secret.sslrootcertPem.trim() !== settings.defaultCaPem.trim()) {
    throw new InvalidInputError(`${label}.sslrootcertPem`, `names a CA of its own, but the deployment pins ${ENV.sslRootCert}: a secret cannot widen whom the function trusts`);
  }
  const caPem = secret.sslrootcertPem ?? settings.defaultCaPem;
  return {
    host: secret.host,
    port: databasePort(secret),
    database: databaseName(secret),
    tls: { mode, ...(caPem === undefined ? {} : { caPem }) },
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
