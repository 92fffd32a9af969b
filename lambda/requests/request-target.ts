import * as z from 'zod/mini';
import '../schema-messages';
import type { Settings } from '../config/settings';
import { InvalidInputError } from '../errors';
import type { ConnectionTarget, Credentials } from '../postgres/connect';
import { IdentifierSchema } from '../postgres/identifiers';
import { connectionTarget } from '../rotation/targets';
import type { AdminSecret } from '../secrets/secret-format';
import { AdminSecretSchema, DatabaseSecretSchema, databaseName, parseSecretString } from '../secrets/secret-format';
import type { Declarations } from '../config/declarations';
import type { SecretStore, SecretVersion } from '../secrets/secret-store';
import { AWSCURRENT } from '../secrets/secret-store';

/** A Secrets Manager secret name or ARN (CreateSecret's name characters, plus the ARN's colons). */
export const SecretIdSchema = z.string().check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(2048, 'must be at most 2048 characters'),
  // `!` appears only in names RDS gives the master secrets it manages (rds!db-…, rds!cluster-…).
  z.regex(/^[A-Za-z0-9/_+=.@:!-]+$/, 'must be a secret name or ARN (letters, digits and /_+=.@:!-)'),
);

/**
 * Where a request acts. Credentials never travel in the payload: the function reads the admin secret itself.
 * Connection facts (host, port, TLS) come from the admin secret; an RDS-managed master secret has only username and
 * password, and then they come from `connectionSecretArn`, any secret of the same server in AWS's RDS format (its
 * credentials are not used). They never come from the payload: a host in the request could send the admin's
 * credentials to a server of the caller's choosing.
 */
export const TargetSchema = z
  .strictObject({
    adminSecretArn: SecretIdSchema.check(z.meta({ description: 'Secret of the admin login the function acts as (AWS RDS format).' })),
    connectionSecretArn: z
      .optional(SecretIdSchema)
      .check(z.meta({ description: 'Secret whose host, port and TLS settings to use when the admin secret has no host (RDS-managed master secret).' })),
    database: z.optional(IdentifierSchema).check(z.meta({ description: "Database to connect to; default: the connection secret's dbname, else postgres." })),
  })
  .register(z.globalRegistry, { id: 'Target', description: 'Which server and database, and as which admin.' });
export type Target = z.infer<typeof TargetSchema>;

/** A login and where it connects, resolved from secrets. */
export interface ResolvedConnection {
  readonly credentials: Credentials;
  readonly target: ConnectionTarget;
  /** The connection facts as secret JSON (no credentials): what a new password secret for this server starts from. */
  readonly secretBase: Readonly<Record<string, unknown>>;
}

/** What {@link resolveConnection} reads secrets with. */
export interface ConnectionDeps {
  readonly store: Pick<SecretStore, 'find'>;
  readonly settings: Settings;
  readonly declarations: Pick<Declarations, 'isAdminSecret'>;
}

/**
 * Reads the login secret (and the connection secret when the login secret has no host) and works out where to
 * connect. `fields` names the request fields, so a missing or malformed secret is reported against the field
 * that named it.
 *
 * With `asAdmin`, the login secret must be one of the deployment's admin secrets (ADMIN_SECRET_ARNS), checked by the
 * ARN Secrets Manager answers with, whatever name the request gave, before its credentials are used: any other
 * readable secret (an application's, a password secret an action wrote) never acts as admin.
 */
export async function resolveConnection(
  spec: { readonly secretId: string; readonly connectionSecretId?: string; readonly database?: string; readonly asAdmin?: boolean },
  deps: ConnectionDeps,
  fields: { readonly secret: string; readonly connectionSecret: string },
): Promise<ResolvedConnection> {
  const refuse = () => new InvalidInputError(fields.secret, "is not one of the deployment's admin secrets (ADMIN_SECRET_ARNS): only declared admin secrets act as admin");
  if (spec.asAdmin === true && spec.secretId.startsWith('arn:') && !deps.declarations.isAdminSecret(spec.secretId)) throw refuse();
  const version = await readVersion(deps, spec.secretId, fields.secret);
  if (spec.asAdmin === true && !deps.declarations.isAdminSecret(version.arn)) throw refuse();
  const login: AdminSecret = parseSecretString(version.secretString, AdminSecretSchema, fields.secret).fields;
  let source: ConnectionSource;
  let label = fields.secret;
  if (login.host !== undefined) {
    source = { ...login, host: login.host };
  } else if (spec.connectionSecretId !== undefined) {
    source = await readSecret(deps, spec.connectionSecretId, DatabaseSecretSchema, fields.connectionSecret);
    label = fields.connectionSecret;
  } else {
    throw new InvalidInputError(fields.connectionSecret, 'is required when the secret has no host (an RDS-managed master secret holds only username and password)');
  }
  const database = spec.database ?? databaseName(source);
  return {
    credentials: { username: login.username, password: login.password },
    target: { ...connectionTarget(source, deps.settings, label), database },
    secretBase: secretBaseOf(source, database),
  };
}

/** The connection facts of a secret: what connectionTarget reads, and the engine. */
type ConnectionSource = Parameters<typeof connectionTarget>[0] & { readonly engine?: string };

async function readVersion(deps: ConnectionDeps, secretId: string, field: string): Promise<SecretVersion & { secretString: string }> {
  const version = await deps.store.find(secretId, { stage: AWSCURRENT });
  if (version?.secretString === undefined) throw new InvalidInputError(field, 'names no secret with an AWSCURRENT value');
  return { ...version, secretString: version.secretString };
}

async function readSecret<T>(deps: ConnectionDeps, secretId: string, schema: z.ZodMiniType<T>, field: string): Promise<T> {
  return parseSecretString((await readVersion(deps, secretId, field)).secretString, schema, field).fields as T;
}

/** Only connection facts are copied: never a credential, never pg-rotator's rotation settings (masterarn, strategy). */
function secretBaseOf(source: ConnectionSource, database: string): Record<string, unknown> {
  const base: Record<string, unknown> = { engine: source.engine ?? 'postgres', host: source.host };
  if (source.port !== undefined) base.port = source.port;
  base.dbname = database;
  for (const key of ['ssl', 'sslmode', 'sslrootcertPem', 'connectTimeoutMs', 'statementTimeoutMs'] as const) {
    if (source[key] !== undefined) base[key] = source[key];
  }
  return base;
}
