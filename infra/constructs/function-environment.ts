import { Token, type Duration } from 'aws-cdk-lib';
import { readPermissionPolicy } from '../../lambda/actions/permission-policy';
import { InvalidInputError } from '../../lambda/errors';
import {
  AWS_DEFAULT_EXCLUDE_CHARACTERS,
  belowMinimum,
  DEFAULT_METRICS_NAMESPACE,
  ENV,
  type AuthMethod,
  EnvironmentSchema,
  environmentError,
  type Environment,
  type SslMode,
  type Strategy,
} from '../../lambda/config/environment';
import { passwordPolicyFrom, passwordPolicyProblem } from '../../lambda/secrets/password-policy';

/** Where the function gets new passwords: its own CSPRNG or Secrets Manager's GetRandomPassword. */
export type PasswordSource = Environment[typeof ENV.passwordSource];
/** The function's log level. */
export type LogLevel = Environment[typeof ENV.logLevel];

/** The password policy, named as AWS's PostgreSQL rotators name it. */
export interface PasswordPolicy {
  /**
   * `secrets-manager` also grants `secretsmanager:GetRandomPassword` (on `*`: the action has no resource).
   * @default 'local'
   */
  readonly source?: PasswordSource;
  /** @default 32 */
  readonly length?: number;
  /**
   * Characters never used in a password.
   * @default AWS_DEFAULT_EXCLUDE_CHARACTERS (`:/@"'\`): `:` breaks .pgpass, the rest break URLs and shells
   */
  readonly excludeCharacters?: string;
  /** @default false */
  readonly excludeNumbers?: boolean;
  /** @default false */
  readonly excludePunctuation?: boolean;
  /** @default false */
  readonly excludeUppercase?: boolean;
  /** @default false */
  readonly excludeLowercase?: boolean;
  /** @default true */
  readonly requireEachIncludedType?: boolean;
}

/** How the function connects when a secret says nothing. */
export interface ConnectionDefaults {
  /** Strategy for secrets that name none. @default - the function's own default */
  readonly defaultStrategy?: Strategy;
  /** @default 'verify-full' */
  readonly sslMode?: SslMode;
  /**
   * The weakest sslmode any connection may use: a secret asking for less is refused, naming its field. The floor a
   * secret's writer cannot lower; `sslMode` may not be below it.
   * @default 'verify-full': TLS with the chain and host name verified, what RDS and Aurora endpoints support
   */
  readonly minimumSslMode?: SslMode;
  /**
   * How a server may ask for the password (libpq's require_auth): a server asking otherwise gets nothing.
   * @default ['scram-sha-256'] (cleartext and md5 are refused, as is a server asking for nothing)
   */
  readonly requireAuth?: readonly AuthMethod[];
  /** SCRAM channel binding over TLS (libpq's channel_binding). @default 'prefer' */
  readonly channelBinding?: 'disable' | 'prefer' | 'require';
  /** A CA file inside the function. @default - Node's CAs plus the RDS CAs (NODE_EXTRA_CA_CERTS) */
  readonly sslRootCert?: string;
  /** @default Duration.seconds(5) */
  readonly connectTimeout?: Duration;
  /** @default Duration.seconds(10) */
  readonly statementTimeout?: Duration;
}

/** Everything that becomes the function's environment. */
export interface FunctionSettings {
  readonly password?: PasswordPolicy;
  readonly connection?: ConnectionDefaults;
  /** @default 'info' */
  readonly logLevel?: LogLevel;
  /**
   * The CloudWatch namespace of the metrics the log lines carry (METRICS_NAMESPACE), the one the dashboard and the
   * status alarms read. @default DEFAULT_METRICS_NAMESPACE ('PgRotator')
   */
  readonly metricsNamespace?: string;
  /** Only for an endpoint without private DNS. @default - the SDK's regional endpoint */
  readonly secretsManagerEndpointUrl?: string;
  /**
   * The name prefix of the secrets orchestrator actions write, so the function can refuse other names before it
   * changes anything (IAM refuses them too, but only once the database change is under way).
   * @default - unset: orchestrator actions write no secret
   */
  readonly passwordSecretPrefix?: string;
  /**
   * The permission policy of orchestrator actions, as the JSON the function reads (PERMISSION_POLICY).
   * @default - unset: the function refuses every role-changing action
   */
  readonly permissionPolicy?: string;
  /**
   * The admin secrets this function may act as (ADMIN_SECRET_ARNS): complete or partial ARNs, deploy-time tokens
   * included (a secret of the same stack). @default - none
   */
  readonly adminSecretArns?: readonly string[];
  /** Let `pg-rotator:*` tags bind secrets the bindings file does not (ROTATION_BINDING_TAGS). @default false */
  readonly rotationBindingTags?: boolean;
  /**
   * Protect the rotated roles of secrets bound by tags from orchestrator actions, listing them (PROTECT_TAG_BOUND_ROLES).
   * @default false
   */
  readonly protectTagBoundRoles?: boolean;
  /** The orchestrator profile the function serves (PROFILE). @default - none (the rotation function) */
  readonly profile?: string;
}

/**
 * Lambda's limit on a function's environment: "Total size of environment variables: 4 KB" (Lambda quotas). Measured
 * here as the UTF-8 bytes of the variables written as a JSON object, which counts every name and value and a little
 * more, so an environment that passes fits whatever AWS counts.
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** What a secret ARN known only at deploy time is counted as: a region, an account and a 60-character name. */
const DEPLOY_TIME_ARN_BYTES = 128;

/**
 * Lambda's Node.js 20+ runtimes stop loading the RDS CA bundle by default; this file in the runtime holds the
 * Amazon RDS CAs, and NODE_EXTRA_CA_CERTS adds them to Node's trust store, so `verify-full` works against RDS.
 */
export const RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/**
 * The functions' NODE_OPTIONS. The bundle ships a source map; this makes stack traces in the logs point at the
 * TypeScript lines. The benchmark runs the bundle with the same value.
 */
export const DEPLOYED_NODE_OPTIONS = '--enable-source-maps';

/**
 * Builds the function's environment from the shared contract (`ENV`), writing every variable out, defaults
 * included, so the console shows the deployed policy. The result is validated with the function's own
 * `EnvironmentSchema`: infra cannot deploy an environment the function would reject at cold start.
 *
 * @throws {InvalidInputError} naming the variable, e.g. `environment.PASSWORD_LENGTH`.
 */
export function buildFunctionEnvironment(settings: FunctionSettings): Record<string, string> {
  const password = settings.password ?? {};
  const connection = settings.connection ?? {};
  const contract: Record<string, string> = {
    [ENV.passwordSource]: password.source ?? 'local',
    [ENV.passwordLength]: String(password.length ?? 32),
    [ENV.excludeCharacters]: password.excludeCharacters ?? AWS_DEFAULT_EXCLUDE_CHARACTERS,
    [ENV.excludeNumbers]: String(password.excludeNumbers ?? false),
    [ENV.excludePunctuation]: String(password.excludePunctuation ?? false),
    [ENV.excludeUppercase]: String(password.excludeUppercase ?? false),
    [ENV.excludeLowercase]: String(password.excludeLowercase ?? false),
    [ENV.requireEachIncludedType]: String(password.requireEachIncludedType ?? true),
    [ENV.sslMode]: connection.sslMode ?? 'verify-full',
    [ENV.minimumSslMode]: connection.minimumSslMode ?? 'verify-full',
    [ENV.requireAuth]: (connection.requireAuth ?? ['scram-sha-256']).join(','),
    [ENV.channelBinding]: connection.channelBinding ?? 'prefer',
    [ENV.connectTimeoutMs]: String(connection.connectTimeout?.toMilliseconds() ?? 5_000),
    [ENV.statementTimeoutMs]: String(connection.statementTimeout?.toMilliseconds() ?? 10_000),
    [ENV.logLevel]: settings.logLevel ?? 'info',
    [ENV.metricsNamespace]: settings.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
  };
  if (connection.defaultStrategy !== undefined) contract[ENV.defaultStrategy] = connection.defaultStrategy;
  if (connection.sslRootCert !== undefined) contract[ENV.sslRootCert] = connection.sslRootCert;
  if (settings.secretsManagerEndpointUrl !== undefined) {
    contract[ENV.secretsManagerEndpoint] = settings.secretsManagerEndpointUrl;
  }
  if (settings.passwordSecretPrefix !== undefined) contract[ENV.passwordSecretPrefix] = settings.passwordSecretPrefix;
  if (settings.permissionPolicy !== undefined) contract[ENV.permissionPolicy] = settings.permissionPolicy;
  const adminSecretArns = [...new Set(settings.adminSecretArns ?? [])];
  if (adminSecretArns.length > 0) contract[ENV.adminSecretArns] = adminSecretArns.join(',');
  contract[ENV.rotationBindingTags] = String(settings.rotationBindingTags ?? false);
  if (settings.protectTagBoundRoles === true) contract[ENV.protectTagBoundRoles] = 'true';
  if (settings.profile !== undefined) contract[ENV.profile] = settings.profile;

  // A secret of the same stack has an ARN only at deploy time: the schema checks the others.
  const resolved = adminSecretArns.filter((arn) => !Token.isUnresolved(arn));
  const parsed = EnvironmentSchema.safeParse({ ...contract, [ENV.adminSecretArns]: resolved.join(',') || undefined });
  if (!parsed.success) throw environmentError(parsed.error);
  readPermissionPolicy(parsed.data[ENV.permissionPolicy]);
  const passwordProblem = passwordPolicyProblem(passwordPolicyFrom(parsed.data));
  if (passwordProblem) throw new InvalidInputError(`environment.${passwordProblem.variable}`, passwordProblem.message);
  if (belowMinimum(parsed.data[ENV.sslMode], parsed.data[ENV.minimumSslMode])) {
    throw new InvalidInputError(`environment.${ENV.sslMode}`, `is below ${ENV.minimumSslMode} (${parsed.data[ENV.minimumSslMode]})`);
  }
  const environment = {
    ...contract,
    NODE_EXTRA_CA_CERTS: RDS_CA_BUNDLE,
    NODE_OPTIONS: DEPLOYED_NODE_OPTIONS,
  };
  // An ARN known only at deploy time counts as a long one: its token is shorter than the ARN it becomes.
  const unresolvedArns = adminSecretArns.length - resolved.length;
  const size = Buffer.byteLength(JSON.stringify(environment), 'utf8') + unresolvedArns * DEPLOY_TIME_ARN_BYTES;
  if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    // Name the variable that grew: the policy, or the admin allow list (one admin secret per database).
    const policyBytes = Buffer.byteLength(settings.permissionPolicy ?? '');
    const adminBytes = Buffer.byteLength(adminSecretArns.join(',')) + unresolvedArns * DEPLOY_TIME_ARN_BYTES;
    if (adminBytes > policyBytes) {
      throw new InvalidInputError(
        `environment.${ENV.adminSecretArns}`,
        `declares ${adminSecretArns.length} admin secrets, which make the function's environment ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} (about 34 admin secret ARNs of 100 characters fit): deploy one pg-rotator per group of databases (docs/fleet.md)`,
      );
    }
    const field = settings.permissionPolicy === undefined ? 'environment' : `environment.${ENV.permissionPolicy}`;
    throw new InvalidInputError(
      field,
      `makes the function's environment ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}; shorten the policy (patterns such as app_* instead of lists of names)`,
    );
  }
  return environment;
}
