import * as z from 'zod/mini';
import '../schema-messages';
import { InvalidInputError } from '../errors';
import { SecretArnSchema } from '../secrets/secret-arn';

/**
 * The function's environment: the one contract shared by `lambda/` and `infra/`, so a renamed variable breaks
 * the build rather than production. Names and defaults of the password variables are AWS's own
 * (SecretsManagerRDSPostgreSQLRotation* functions), so their deployments move over unchanged.
 */
export const ENV = {
  excludeCharacters: 'EXCLUDE_CHARACTERS',
  passwordLength: 'PASSWORD_LENGTH',
  excludeNumbers: 'EXCLUDE_NUMBERS',
  excludePunctuation: 'EXCLUDE_PUNCTUATION',
  excludeUppercase: 'EXCLUDE_UPPERCASE',
  excludeLowercase: 'EXCLUDE_LOWERCASE',
  requireEachIncludedType: 'REQUIRE_EACH_INCLUDED_TYPE',
  /** `local` (CSPRNG in the function, the default) or `secrets-manager` (GetRandomPassword). */
  passwordSource: 'PASSWORD_SOURCE',
  /** Strategy used when a secret names none: `single-user`, `admin`, `alternating`, `alternating-owner`. */
  defaultStrategy: 'DEFAULT_STRATEGY',
  /** libpq's own names: the sslmode and CA file used when a secret says nothing. */
  sslMode: 'PGSSLMODE',
  sslRootCert: 'PGSSLROOTCERT',
  /**
   * The weakest sslmode any connection may use, whatever a secret or a request asks for: a secret below it is refused
   * naming its field. Only the deployment lowers it.
   */
  minimumSslMode: 'MINIMUM_SSLMODE',
  /**
   * libpq's name: how the server may ask a login to authenticate, comma-separated from `scram-sha-256`, `md5`,
   * `password` (cleartext) and `none` (trust, or a certificate). Any other request is refused before the password is
   * sent, so a server that asks for cleartext or md5 gets nothing.
   */
  requireAuth: 'PGREQUIREAUTH',
  /** libpq's name: SCRAM channel binding (SCRAM-SHA-256-PLUS) over TLS, `disable`, `prefer` or `require`. */
  channelBinding: 'PGCHANNELBINDING',
  connectTimeoutMs: 'CONNECT_TIMEOUT_MS',
  statementTimeoutMs: 'STATEMENT_TIMEOUT_MS',
  /** Optional override of the Secrets Manager endpoint, as AWS's functions read it. */
  secretsManagerEndpoint: 'SECRETS_MANAGER_ENDPOINT',
  logLevel: 'LOG_LEVEL',
  /**
   * Name prefix (ending in `/`) of the secrets orchestrator actions may create, update, restore or delete; set by
   * the deployment from `orchestration.passwordSecrets.namePrefix`, the same prefix its IAM grants are scoped to.
   */
  passwordSecretPrefix: 'PASSWORD_SECRET_PREFIX',
  /**
   * The permission policy of orchestrator actions, as JSON (lambda/actions/permission-policy.ts, which reads it); set by the
   * deployment from `orchestration.policy`. Unset: every role-changing action is refused.
   */
  permissionPolicy: 'PERMISSION_POLICY',
  /**
   * The admin secrets this function may act as, comma-separated ARNs (complete or partial): the allow list. Any
   * other secret named as an admin (a binding's admin secret, an orchestrator request's `target.adminSecretArn`) is
   * refused before it is used. Unset: none.
   */
  adminSecretArns: 'ADMIN_SECRET_ARNS',
  /**
   * Whether `pg-rotator:*` tags on a secret bind it (strategy, admin secret, owner role, logins) when the bindings
   * file does not: for secrets attached from other stacks. Only the deployer may be able to set those tags.
   */
  rotationBindingTags: 'ROTATION_BINDING_TAGS',
  /** The CloudWatch namespace of the metrics the function's log lines carry (EMF); `PgRotator` when unset. */
  metricsNamespace: 'METRICS_NAMESPACE',
  /**
   * The status function's: the ARN of this deployment's rotation function. The status check lists the secrets whose
   * RotationLambdaARN is this function.
   */
  rotationFunctionArn: 'ROTATION_FUNCTION_ARN',
  /**
   * Whether orchestrator actions also protect the logins and owner roles of secrets bound by `pg-rotator:*` tags,
   * listed with a filtered ListSecrets (a few minutes' cache per container): set by the deployment where tags bind.
   */
  protectTagBoundRoles: 'PROTECT_TAG_BOUND_ROLES',
  /** The orchestrator profile this function serves (its audit records name it); unset for the rotation function. */
  profile: 'PROFILE',
} as const;

/** The namespace of the function's metrics unless the deployment names another (METRICS_NAMESPACE). */
export const DEFAULT_METRICS_NAMESPACE = 'PgRotator';

/** AWS's exclusion default for PostgreSQL: `:` breaks .pgpass, the rest break connection strings and shells. */
export const AWS_DEFAULT_EXCLUDE_CHARACTERS = ':/@"\'\\';

const awsBoolean = (fallback: boolean) =>
  z.pipe(
    z.optional(z.string()),
    // AWS's get_environment_bool: true iff the lower-cased value is one of these.
    z.transform((value) => (value === undefined ? fallback : ['true', '1', 'y', 'yes'].includes(value.toLowerCase()))),
  );

const positiveInt = (fallback: number, max: number) =>
  z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((value) => (value === undefined || value === '' ? fallback : Number(value))),
    ),
    z.int().check(z.minimum(1), z.maximum(max)),
  );

/** libpq's sslmodes, weakest first: the order MINIMUM_SSLMODE compares by. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export const SslModeSchema = z.enum(SSL_MODES);
export type SslMode = z.infer<typeof SslModeSchema>;

/** How a server may ask a login to authenticate, by libpq's require_auth names (none: trust or a certificate). */
export const AUTH_METHODS = ['scram-sha-256', 'md5', 'password', 'none'] as const;
export const AuthMethodSchema = z.enum(AUTH_METHODS, { message: `must be among ${AUTH_METHODS.join(', ')}` });
export type AuthMethod = z.infer<typeof AuthMethodSchema>;

/** What ends the status function's name (`<functionName>-status`), so no orchestrator profile may be named it. */
export const STATUS_FUNCTION_SUFFIX = 'status';

/**
 * An orchestrator profile's name: lower-case words joined by single hyphens, each starting with a letter
 * (`access-requests`, `incident`), at most 32 characters, and not `status`. It ends the profile's function name
 * (`<functionName>-<profile>`), beside the status function's `<functionName>-status`, and becomes a construct id in
 * PascalCase, one to one.
 */
export const ProfileNameSchema = z
  .string()
  .check(
    z.maxLength(32, 'must be at most 32 characters'),
    z.regex(/^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/, 'must be lower-case words of letters and digits, each starting with a letter, joined by single hyphens (access-requests)'),
    z.refine((name) => name !== STATUS_FUNCTION_SUFFIX, `must not be ${STATUS_FUNCTION_SUFFIX}: the status function is named <functionName>-${STATUS_FUNCTION_SUFFIX}`),
  );

export const STRATEGIES = ['single-user', 'admin', 'alternating', 'alternating-owner'] as const;
export const StrategySchema = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof StrategySchema>;

export const EnvironmentSchema = z.object({
  [ENV.excludeCharacters]: z._default(z.optional(z.string()), AWS_DEFAULT_EXCLUDE_CHARACTERS),
  [ENV.passwordLength]: z.pipe(positiveInt(32, 4096), z.number().check(z.minimum(4))),
  [ENV.excludeNumbers]: awsBoolean(false),
  [ENV.excludePunctuation]: awsBoolean(false),
  [ENV.excludeUppercase]: awsBoolean(false),
  [ENV.excludeLowercase]: awsBoolean(false),
  [ENV.requireEachIncludedType]: awsBoolean(true),
  [ENV.passwordSource]: z._default(z.optional(z.enum(['local', 'secrets-manager'])), 'local'),
  [ENV.defaultStrategy]: z.optional(StrategySchema),
  [ENV.sslMode]: z._default(z.optional(SslModeSchema), 'verify-full'),
  [ENV.sslRootCert]: z.optional(z.string().check(z.minLength(1))),
  [ENV.minimumSslMode]: z._default(z.optional(SslModeSchema), 'verify-full'),
  [ENV.requireAuth]: z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((value) => (value === undefined || value.trim() === '' ? ['scram-sha-256'] : value.split(',').map((method) => method.trim()))),
    ),
    z.array(AuthMethodSchema).check(z.minLength(1)),
  ),
  [ENV.channelBinding]: z._default(z.optional(z.enum(['disable', 'prefer', 'require'])), 'prefer'),
  [ENV.connectTimeoutMs]: positiveInt(5_000, 60_000),
  [ENV.statementTimeoutMs]: positiveInt(10_000, 600_000),
  [ENV.secretsManagerEndpoint]: z.optional(z.url()),
  [ENV.logLevel]: z._default(z.optional(z.enum(['debug', 'info', 'warn', 'error'])), 'info'),
  // Secret-name characters only (no IAM wildcards), and a trailing `/` so `app` cannot also cover `app-admin`.
  [ENV.passwordSecretPrefix]: z.optional(
    z.string().check(z.maxLength(256), z.regex(/^[A-Za-z0-9/_+=.@-]+\/$/, 'must be secret-name characters (letters, digits and /_+=.@-) ending in /')),
  ),
  // The policy's JSON; the orchestrator parses it (actions/permission-policy.ts), so no other part loads its schema.
  [ENV.permissionPolicy]: z.optional(z.string()),
  [ENV.adminSecretArns]: z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((value) => (value === undefined || value.trim() === '' ? [] : value.split(',').map((arn) => arn.trim()))),
    ),
    z.array(SecretArnSchema),
  ),
  [ENV.rotationBindingTags]: awsBoolean(false),
  // PutMetricData's Namespace rule: 1-255 of 0-9A-Za-z . - _ / # : and space, not only spaces, not AWS/.
  [ENV.metricsNamespace]: z._default(
    z.optional(
      z.string().check(z.regex(/^(?!AWS\/)(?=.*\S)[0-9A-Za-z.\-_/#: ]{1,255}$/, 'must be 1-255 of letters, digits, . - _ / # : and space, and not start with AWS/')),
    ),
    DEFAULT_METRICS_NAMESPACE,
  ),
  [ENV.rotationFunctionArn]: z.optional(
    z.string().check(z.regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}$/, 'must be the ARN of a Lambda function (unqualified)')),
  ),
  [ENV.protectTagBoundRoles]: awsBoolean(false),
  [ENV.profile]: z.optional(ProfileNameSchema),
});

export type Environment = z.infer<typeof EnvironmentSchema>;

/**
 * Reads and validates the environment once. A bad variable fails loudly with its name, and inside the permission
 * policy with the field's path (`environment.PERMISSION_POLICY.temporaryUsers.maxValidity`); its value is not
 * echoed (PGSSLROOTCERT paths and lengths are harmless, but one rule for every variable is easier to trust).
 */
export function readEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = EnvironmentSchema.safeParse(source);
  if (!parsed.success) throw environmentError(parsed.error);
  const env = parsed.data;
  if (belowMinimum(env[ENV.sslMode], env[ENV.minimumSslMode])) {
    throw new InvalidInputError(`environment.${ENV.sslMode}`, `is below ${ENV.minimumSslMode} (${env[ENV.minimumSslMode]}); lower the minimum to use it`);
  }
  return env;
}

/** Whether an sslmode is weaker than the minimum (libpq's order, SSL_MODES). */
export function belowMinimum(mode: SslMode, minimum: SslMode): boolean {
  return SSL_MODES.indexOf(mode) < SSL_MODES.indexOf(minimum);
}

/**
 * The first issue of an environment's validation, as an {@link InvalidInputError} naming the variable and field.
 *
 * @param variable the variable a JSON value was parsed from (PERMISSION_POLICY), when `error` is that value's
 */
export function environmentError(error: z.core.$ZodError, variable?: string): InvalidInputError {
  const issue = error.issues[0];
  const inner = issue?.path.map(String) ?? [];
  const path = variable === undefined ? (inner.length === 0 ? ['?'] : inner) : [variable, ...inner];
  // An unknown policy key is reported on the object holding it; name the key itself.
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
  const field = ['environment', ...path, ...keys.slice(0, 1)].join('.');
  return new InvalidInputError(field, keys.length > 0 ? 'is not a known field' : (issue?.message ?? 'invalid'));
}
