import { z } from 'zod';
import { PermissionPolicySchema } from '../actions/permission-policy';
import { InvalidInputError } from '../errors';

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
   * The permission policy of orchestrator actions, as JSON (lambda/actions/permission-policy.ts); set by the
   * deployment from `orchestration.policy`. Unset: every role-changing action is refused.
   */
  permissionPolicy: 'PERMISSION_POLICY',
  /** The CloudWatch namespace of the metrics the function's log lines carry (EMF); `PgRotator` when unset. */
  metricsNamespace: 'METRICS_NAMESPACE',
  /**
   * The status function's: the ARN of this deployment's rotation function. The status check lists the secrets whose
   * RotationLambdaARN is this function.
   */
  rotationFunctionArn: 'ROTATION_FUNCTION_ARN',
} as const;

/** The namespace of the function's metrics unless the deployment names another (METRICS_NAMESPACE). */
export const DEFAULT_METRICS_NAMESPACE = 'PgRotator';

/** AWS's exclusion default for PostgreSQL: `:` breaks .pgpass, the rest break connection strings and shells. */
export const AWS_DEFAULT_EXCLUDE_CHARACTERS = ':/@"\'\\';

const awsBoolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    // AWS's get_environment_bool: true iff the lower-cased value is one of these.
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'y', 'yes'].includes(value.toLowerCase())));

const positiveInt = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : Number(value)))
    .pipe(z.number().int().min(1).max(max));

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export const SslModeSchema = z.enum(SSL_MODES);
export type SslMode = z.infer<typeof SslModeSchema>;

export const STRATEGIES = ['single-user', 'admin', 'alternating', 'alternating-owner'] as const;
export const StrategySchema = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof StrategySchema>;

export const EnvironmentSchema = z.object({
  [ENV.excludeCharacters]: z.string().optional().default(AWS_DEFAULT_EXCLUDE_CHARACTERS),
  [ENV.passwordLength]: positiveInt(32, 4096).pipe(z.number().min(4)),
  [ENV.excludeNumbers]: awsBoolean(false),
  [ENV.excludePunctuation]: awsBoolean(false),
  [ENV.excludeUppercase]: awsBoolean(false),
  [ENV.excludeLowercase]: awsBoolean(false),
  [ENV.requireEachIncludedType]: awsBoolean(true),
  [ENV.passwordSource]: z.enum(['local', 'secrets-manager']).optional().default('local'),
  [ENV.defaultStrategy]: StrategySchema.optional(),
  [ENV.sslMode]: SslModeSchema.optional().default('verify-full'),
  [ENV.sslRootCert]: z.string().min(1).optional(),
  [ENV.connectTimeoutMs]: positiveInt(5_000, 60_000),
  [ENV.statementTimeoutMs]: positiveInt(10_000, 600_000),
  [ENV.secretsManagerEndpoint]: z.url().optional(),
  [ENV.logLevel]: z.enum(['debug', 'info', 'warn', 'error']).optional().default('info'),
  // Secret-name characters only (no IAM wildcards), and a trailing `/` so `app` cannot also cover `app-admin`.
  [ENV.passwordSecretPrefix]: z
    .string()
    .max(256)
    .regex(/^[A-Za-z0-9/_+=.@-]+\/$/, 'must be secret-name characters (letters, digits and /_+=.@-) ending in /')
    .optional(),
  [ENV.permissionPolicy]: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON (a permission policy)' });
        return z.NEVER;
      }
    })
    .pipe(PermissionPolicySchema.optional()),
  // PutMetricData's Namespace rule: 1-255 of 0-9A-Za-z . - _ / # : and space, not only spaces, not AWS/.
  [ENV.metricsNamespace]: z
    .string()
    .regex(/^(?!AWS\/)(?=.*\S)[0-9A-Za-z.\-_/#: ]{1,255}$/, 'must be 1-255 of letters, digits, . - _ / # : and space, and not start with AWS/')
    .optional()
    .default(DEFAULT_METRICS_NAMESPACE),
  [ENV.rotationFunctionArn]: z
    .string()
    .regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}$/, 'must be the ARN of a Lambda function (unqualified)')
    .optional(),
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
  return parsed.data;
}

/** The first issue of an environment's validation, as an {@link InvalidInputError} naming the variable and field. */
export function environmentError(error: z.ZodError): InvalidInputError {
  const issue = error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? ['?'] : issue.path.map(String);
  // An unknown policy key is reported on the object holding it; name the key itself.
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
  const field = ['environment', ...path, ...keys.slice(0, 1)].join('.');
  return new InvalidInputError(field, keys.length > 0 ? 'is not a known field' : (issue?.message ?? 'invalid'));
}
