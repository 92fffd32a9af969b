import * as logs from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import {
  AuthMethodSchema,
  AWS_DEFAULT_EXCLUDE_CHARACTERS,
  belowMinimum,
  ENV,
  STATUS_FUNCTION_SUFFIX,
  EnvironmentSchema,
  SslModeSchema,
  StrategySchema,
} from '../../lambda/config/environment';
import { passwordPolicyProblem } from '../../lambda/secrets/password-policy';
import {
  ACCOUNT_ID,
  REGION_NAME,
  SECURITY_GROUP_ID,
  SNS_TOPIC_ARN,
  SUBNET_ID,
  VPC_ID,
  arnLocation,
} from './arns';
import { MAX_SCHEDULE_STACKS, SCHEDULES_PER_TEMPLATE } from '../constructs/rotation-schedules';
import { DEFAULT_MEMORY_MB } from '../constructs/rotator-function';
import { checkOrchestration, OrchestrationSchema, OrchestratorSchema, orchestrationReferences } from './orchestration-schema';
import { scheduleProblem } from './schedule';
import {
  bindingFields,
  companionsOf,
  SecretReferenceSchema,
  referencedArn,
  requireAdminSecretForStrategy,
  referencedName,
  requireCompanionsOfTheirOwn,
  requireExactlyOneArn,
  requireOneKeyPerSecret,
  secretReferenceFields,
} from './secret-reference';

/**
 * The deployment config of the pg-rotator app (infra/bin/app.ts), validated once at synth. Every default here is
 * the one the construct would pick, written out so `cdk synth` shows the whole deployment in one file.
 * Numeric limits mirror lambda/config/environment.ts; the construct re-validates the resulting environment with
 * the function's own schema, so a drift between the two fails the synth rather than the first rotation.
 */

/** Log retention values CloudWatch Logs accepts, from CDK's own enum (9999 meaning "never expire"). */
export const LOG_RETENTION_DAYS: readonly logs.RetentionDays[] = Object.values(logs.RetentionDays).filter(
  (value): value is logs.RetentionDays => typeof value === 'number',
);

const id = (pattern: RegExp, what: string) => z.string().regex(pattern, { error: `must be ${what}` });
const unique = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).refine((values) => new Set(values).size === values.length, { error: `must not repeat a ${what}` });

const RotatedSecretSchema = z
  .strictObject({
    ...secretReferenceFields,
    /** `rate(N hours|days)` or `cron(0 H DOM MON DOW *)`, UTC. */
    schedule: z.string(),
    /** Rotation window (`RotationRules.Duration`), e.g. "3h"; AWS's default when absent. */
    window: z.string().optional(),
    /** CloudFormation's RotateImmediatelyOnUpdate; AWS's own default is true. */
    rotateImmediatelyOnUpdate: z.boolean().default(true),
    ...bindingFields,
    /** The admin (master) secret whose login changes the password; read-only for the function. */
    adminSecret: SecretReferenceSchema.optional(),
    /**
     * One companion secret per login, each holding that login's newest password, for RDS Proxy (docs/applications.md):
     * the function may describe and write them (never read). `username` is the secret's first login,
     * `alternateUsername` its pair's second.
     */
    companionSecrets: z
      .strictObject({ username: SecretReferenceSchema.optional(), alternateUsername: SecretReferenceSchema.optional() })
      .refine((c) => c.username !== undefined || c.alternateUsername !== undefined, { error: 'must name at least one of username and alternateUsername' })
      .optional(),
  })
  .superRefine((secret, ctx) => {
    requireExactlyOneArn(secret, ctx);
    const problem = scheduleProblem(secret.schedule, secret.window);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.problem });
    requireAdminSecretForStrategy(secret, ctx);
  });

/** The longest rotation function name whose status function's, `<functionName>-status`, fits Lambda's 64 characters. */
const FUNCTION_NAME_MAX = 64 - `-${STATUS_FUNCTION_SUFFIX}`.length;

const FunctionSchema = z.strictObject({
  /**
   * Fixed name of the rotation function; each orchestrator profile's function is `<functionName>-<profile>` (the
   * shorthand's `<functionName>-orchestrator`) and the status function `<functionName>-status`, so callers can hold a
   * stable ARN across stack replacements. A name that makes a profile's over Lambda's 64 characters is refused naming
   * the profile (orchestration-schema.ts).
   */
  functionName: z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_-]{1,${FUNCTION_NAME_MAX}}$`), {
      error: `must be 1-${FUNCTION_NAME_MAX} letters, digits, - or _ (the status function is <functionName>-${STATUS_FUNCTION_SUFFIX}, within Lambda's 64 characters)`,
    })
    .optional(),
  // The construct's default, chosen by cost per rotation (DEFAULT_MEMORY_MB says how).
  memoryMb: z.number().int().min(128).max(10240).default(DEFAULT_MEMORY_MB),
  // 30 s: AWS's own PostgreSQL rotators use 30 s; the slowest step is single-user setSecret, which may try the
  // pending, current and previous passwords (5 s connect timeout each) and then run one statement.
  timeoutSeconds: z.number().int().min(5).max(900).default(30),
  /**
   * The rotation function's reserved concurrency, also its ceiling: at most three database sessions per invocation,
   * so 5 bounds rotation to 15 (PgRotatorProps.reservedConcurrentExecutions).
   */
  reservedConcurrency: z.number().int().min(1).max(1000).default(5),
  /** Each orchestrator profile's reserved concurrency and ceiling, unless the profile sets its own (5: at most 15 sessions). */
  orchestratorReservedConcurrency: z.number().int().min(1).max(1000).default(5),
  logRetentionDays: z
    .custom<logs.RetentionDays>((days) => (LOG_RETENTION_DAYS as readonly unknown[]).includes(days), {
      error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(logs.RetentionDays.ONE_YEAR),
  logLevel: EnvironmentSchema.shape[ENV.logLevel],
  /**
   * The CloudWatch namespace of the functions' metrics (METRICS_NAMESPACE), which the dashboard and the status alarms
   * read; one per deployment where several share an account and region.
   */
  metricsNamespace: EnvironmentSchema.shape[ENV.metricsNamespace],
  /** Only when the Secrets Manager endpoint has no private DNS: its https:// URL. */
  secretsManagerEndpointUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
});

/** The password policy, with AWS's environment-variable defaults (SecretsManagerRDSPostgreSQLRotation*). */
const PasswordSchema = z.strictObject({
  source: EnvironmentSchema.shape[ENV.passwordSource],
  length: z.number().int().min(4).max(4096).default(32),
  excludeCharacters: z.string().default(AWS_DEFAULT_EXCLUDE_CHARACTERS),
  excludeNumbers: z.boolean().default(false),
  excludePunctuation: z.boolean().default(false),
  excludeUppercase: z.boolean().default(false),
  excludeLowercase: z.boolean().default(false),
  requireEachIncludedType: z.boolean().default(true),
}).superRefine((password, ctx) => {
  // As the function would find at its first rotation: a policy no password satisfies.
  const problem = passwordPolicyProblem(password);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.variable === ENV.passwordLength ? 'length' : 'excludeCharacters'], message: problem.message });
});

/** Defaults for connections when a secret says nothing, and the floors no secret lowers. */
const ConnectionSchema = z.strictObject({
  defaultStrategy: z.optional(StrategySchema),
  sslMode: z._default(SslModeSchema, 'verify-full'),
  /** The weakest sslmode any connection may use; secrets asking for less are refused. */
  minimumSslMode: z._default(SslModeSchema, 'verify-full'),
  /** How a server may ask for the password; a server asking otherwise gets nothing. */
  requireAuth: z.array(AuthMethodSchema).min(1).default(['scram-sha-256']),
  /** SCRAM channel binding (SCRAM-SHA-256-PLUS) over TLS. */
  channelBinding: EnvironmentSchema.shape[ENV.channelBinding],
  /** A CA file inside the function; the RDS CAs are already trusted through NODE_EXTRA_CA_CERTS. */
  sslRootCert: z.string().min(1).optional(),
  connectTimeoutMs: z.number().int().min(1).max(60_000).default(5_000),
  statementTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
});

const DatabaseSchema = z.strictObject({
  securityGroupId: id(SECURITY_GROUP_ID, 'a security group id (sg-...)'),
  port: z.number().int().min(1).max(65535).default(5432),
  /** Also add the ingress rule on the database's security group (the stack then manages that rule). */
  addIngressRule: z.boolean().default(false),
});

const SecretsManagerAccessSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({
      mode: z.literal('create-endpoint'),
      /** One subnet per AZ; the function's subnets when absent. */
      subnetIds: unique(id(SUBNET_ID, 'a subnet id (subnet-...)'), 'subnet').min(1).optional(),
    }),
    z.strictObject({
      mode: z.literal('existing-endpoint'),
      securityGroupId: id(SECURITY_GROUP_ID, 'a security group id (sg-...)'),
      addIngressRule: z.boolean().default(false),
    }),
    z.strictObject({ mode: z.literal('nat') }),
  ],
  { error: "must have mode 'create-endpoint', 'existing-endpoint' or 'nat'" },
);

const NetworkSchema = z.strictObject({
  vpcId: id(VPC_ID, 'a VPC id (vpc-...)'),
  /** The AZs of the subnets; only used to describe the imported VPC to CDK. */
  availabilityZones: z.array(z.string().min(1)).default([]),
  subnetIds: unique(id(SUBNET_ID, 'a subnet id (subnet-...)'), 'subnet').min(1),
  databases: z.array(DatabaseSchema).min(1),
  secretsManagerAccess: SecretsManagerAccessSchema,
});

/**
 * Secrets attached from the stacks that own them (PgRotatorAttachment, docs/fleet.md): nothing here names them, so a
 * team adds one without a deploy of this stack. Their `pg-rotator:*` tags bind them, and may name only these admin
 * secrets: a new admin secret is a deploy of this stack, a new application secret is not.
 */
const AttachmentsSchema = z.strictObject({
  adminSecrets: z.array(SecretReferenceSchema).default([]),
  /**
   * An SSM parameter the stack writes the rotation function's ARN to, for team stacks to read
   * (`ssm.StringParameter.valueForStringParameter`) instead of importing the stack's output.
   */
  functionArnParameter: z
    .string()
    .regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, { error: 'must be an SSM parameter name starting with / (letters, digits and _.-/)' })
    .optional(),
});

const AlertsSchema = z.strictObject({
  /** An existing topic; a KMS-encrypted, TLS-only topic is created when absent. */
  topicArn: id(SNS_TOPIC_ARN, 'an SNS topic ARN').optional(),
  /** Email subscriptions for the created topic. */
  emailAddresses: z.array(z.email({ error: 'must be an email address' })).default([]),
});

export const PgRotatorConfigSchema = z
  .strictObject({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'must start with a letter; letters, digits and -' })
      .default('PgRotator'),
    env: z.strictObject({
      account: id(ACCOUNT_ID, 'a 12-digit account id'),
      region: id(REGION_NAME, 'a region name such as eu-west-1'),
    }),
    tags: z.record(z.string(), z.string()).default({}),
    function: FunctionSchema.prefault({}),
    password: PasswordSchema.prefault({}),
    connection: ConnectionSchema.prefault({}),
    network: NetworkSchema,
    secrets: z.array(RotatedSecretSchema),
    /**
     * How the rotation function's role is scoped to secrets: by condition (one size from 1 secret to 10,000, attached
     * secrets included) or by listing every ARN (about 100 secrets fit in IAM's limits).
     */
    secretGrants: z.enum(['by-condition', 'per-arn']).default('by-condition'),
    /** Spread the rotation schedules over this many nested stacks; absent, they stay in this stack. Choose it once. */
    scheduleStacks: z.number().int().min(1).max(MAX_SCHEDULE_STACKS).optional(),
    attachments: AttachmentsSchema.optional(),
    orchestrators: z.array(OrchestratorSchema).default([]),
    orchestration: OrchestrationSchema.optional(),
    /** Who may invoke the status function (`pg-rotator status`), beside its hourly schedule; the same shape as orchestrators. */
    statusInvokers: z.array(OrchestratorSchema).default([]),
    alerts: AlertsSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const { account, region } = config.env;
    // A rotation schedule and its function live in one account and region; so do the alarm and its topic.
    const sameHome = (arn: string | undefined, path: (string | number)[]) => {
      const location = arn === undefined ? undefined : arnLocation(arn);
      if (location && (location.account !== account || location.region !== region)) {
        ctx.addIssue({ code: 'custom', path, message: `must be in account ${account} and region ${region} (env)` });
      }
    };
    if (config.secrets.length === 0 && config.attachments === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'must list at least one secret to rotate, or declare attachments for secrets attached from other stacks' });
    }
    if (config.secrets.length > SCHEDULES_PER_TEMPLATE && config.scheduleStacks === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets'],
        message: `lists ${config.secrets.length} secrets, more rotation schedules than one template holds here (${SCHEDULES_PER_TEMPLATE}; CloudFormation allows 500 resources a stack): set scheduleStacks (e.g. ${Math.ceil(config.secrets.length / 250)}) before the first deploy, or attach the schedules from the stacks that own the secrets (docs/fleet.md)`,
      });
    }
    config.attachments?.adminSecrets.forEach((admin, index) => {
      const { arn, field } = referencedArn(admin);
      sameHome(arn, ['attachments', 'adminSecrets', index, field]);
    });
    // By name, so that one secret given once by arn and once by partialArn is still one secret.
    const seen = new Set<string>();
    config.secrets.forEach((secret, index) => {
      const { arn, field } = referencedArn(secret);
      sameHome(arn, ['secrets', index, field]);
      const name = referencedName(secret);
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['secrets', index, field], message: 'is listed twice' });
      seen.add(name);
      if (secret.adminSecret) {
        const admin = referencedArn(secret.adminSecret);
        sameHome(admin.arn, ['secrets', index, 'adminSecret', admin.field]);
      }
      for (const [login, companion] of companionsOf(secret)) {
        const { arn: companionArn, field: companionField } = referencedArn(companion);
        sameHome(companionArn, ['secrets', index, 'companionSecrets', login, companionField]);
      }
    });
    if (config.orchestration) checkOrchestration(config, ctx, sameHome);
    const others = [
      ...config.secrets.flatMap((secret, i) => [
        { reference: secret, path: ['secrets', i] },
        ...(secret.adminSecret ? [{ reference: secret.adminSecret, path: ['secrets', i, 'adminSecret'] }] : []),
      ]),
      ...(config.orchestration ? orchestrationReferences(config.orchestration) : []),
      ...(config.attachments?.adminSecrets ?? []).map((reference, i) => ({ reference, path: ['attachments', 'adminSecrets', i] })),
    ];
    const companions = config.secrets.flatMap((secret, i) => companionsOf(secret).map(([login, reference]) => ({ reference, path: ['secrets', i, 'companionSecrets', login] })));
    requireCompanionsOfTheirOwn(others, companions, ctx);
    requireOneKeyPerSecret([...others, ...companions], ctx);
    sameHome(config.alerts.topicArn, ['alerts', 'topicArn']);
    if (config.alerts.topicArn !== undefined && config.alerts.emailAddresses.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['alerts', 'emailAddresses'],
        message: 'only applies to the created topic; subscribe to your own topic directly',
      });
    }
    if (belowMinimum(config.connection.sslMode, config.connection.minimumSslMode)) {
      ctx.addIssue({ code: 'custom', path: ['connection', 'sslMode'], message: `must not be below connection.minimumSslMode (${config.connection.minimumSslMode})` });
    }
    const { connectTimeoutMs, statementTimeoutMs } = config.connection;
    if (config.function.timeoutSeconds * 1000 <= connectTimeoutMs + statementTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['function', 'timeoutSeconds'],
        message: `must exceed connection.connectTimeoutMs + statementTimeoutMs (${connectTimeoutMs + statementTimeoutMs} ms), or the function times out before the database answers`,
      });
    }
  });

/** The config as written (defaults optional). */
export type PgRotatorConfigInput = z.input<typeof PgRotatorConfigSchema>;
/** The config after defaults, as the stack uses it. */
export type PgRotatorConfig = z.infer<typeof PgRotatorConfigSchema>;
/** One rotated secret entry of the config. */
export type RotatedSecretConfig = PgRotatorConfig['secrets'][number];
/** A secret reference (`arn` or `partialArn`, optional `kmsKeyArn`). */
export type SecretReferenceConfig = z.infer<typeof SecretReferenceSchema>;
