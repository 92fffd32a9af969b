import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Secret, type CfnRotationSchedule, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_METRICS_NAMESPACE } from '../../lambda/config/environment';
import { ROTATION_BINDINGS_FILE, rotationBindingsFileText } from '../../lambda/config/rotation-bindings';
import { declareRotations } from './rotation-declarations';
import { secretArnOf } from './secret-arns';
import { AlertTopic } from './alert-topic';
import { functionCode, FunctionCodeSource } from './function-code';
import { checkRoleLimits } from './iam-limits';
import {
  buildFunctionEnvironment,
  type ConnectionDefaults,
  type LogLevel,
  type PasswordPolicy,
} from './function-environment';
import { InvokePermissions, type OrchestratorPrincipal } from './invoke-permissions';
import type { OrchestratorPolicies } from './orchestrator-policies';
import { DEFAULT_PROFILE, profilePartId, resolveProfiles, validateProfiles, type OrchestrationProps } from './orchestrator-profiles';
import { ProfileAlarms } from './profile-alarms';
import { deployProfile, type DeployedProfile } from './profile-deployment';
import { RotationSchedules, type RotatedSecret } from './rotation-schedules';
import { RotatorAlerts } from './rotator-alerts';
import { RotatorFunction } from './rotator-function';
import { RotatorNetwork, type DatabaseAccess, type SecretsManagerAccess } from './rotator-network';
import { RotatorOperations } from './rotator-operations';
import { RotatorPolicies, tagCompanion, type SecretGrants } from './rotator-policies';
import { handlerOf } from '../../scripts/function-bundle';

// The construct's props, importable with it from the package's main entry (`pg-rotator`): the types of its fields.
export { FunctionCodeSource } from './function-code';
export type { ConnectionDefaults, LogLevel, PasswordPolicy } from './function-environment';
export type { OrchestratorPrincipal } from './invoke-permissions';
export type { InlineRotation, OrchestrationAccess, PasswordSecrets } from './orchestration-access';
export type { ExpirySchedule, ExpiryTarget, OrchestrationProps, OrchestratorProfile } from './orchestrator-profiles';
export type { DeployedProfile } from './profile-deployment';
export type { RotatedSecret } from './rotation-schedules';
export type { DatabaseAccess, SecretsManagerAccess } from './rotator-network';
export type { SecretGrants } from './rotator-policies';

/**
 * Each function's reserved concurrency unless set: both together hold at most 30 database sessions at once (see the
 * props), well under the connection limit of the smallest RDS instance classes (max_connections is
 * LEAST(DBInstanceClassMemory/9531392, 5000) there), and small enough for an account's unreserved pool to stay above
 * its minimum.
 */
export const DEFAULT_RESERVED_CONCURRENCY = 5;

/** Props of {@link PgRotator}. */
export interface PgRotatorProps {
  /** The VPC of the databases. Import with `Vpc.fromVpcAttributes` to stay offline (no lookups). */
  readonly vpc: ec2.IVpc;
  /** The function's subnets: private or isolated, with a route to the databases. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The databases to reach; egress is opened to exactly these security groups and ports. */
  readonly databases: readonly DatabaseAccess[];
  /** How the function reaches the Secrets Manager API. */
  readonly secretsManagerAccess: SecretsManagerAccess;
  /**
   * The secrets to rotate, their schedules, and what each is bound to: strategy, admin secret, login(s), owner role.
   * The construct writes these bindings into the code asset (rotation-bindings.json), or, for a secret of this
   * stack whose ARN is known only at deploy time, as `pg-rotator:*` tags guarded by its resource policy.
   */
  readonly rotations: readonly RotatedSecret[];
  /**
   * Secrets attached to the rotation function from other stacks, bound by their `pg-rotator:*` tags
   * (RotationBindingTags in the stack that owns each): the admin secrets those tags may name. Lets tags bind
   * (ROTATION_BINDING_TAGS) and grants the rotation function read access to these admin secrets.
   * @default - tags bind only the secrets of `rotations` that the construct tagged itself
   */
  readonly taggedRotations?: { readonly adminSecrets: readonly ISecret[] };
  /**
   * Principals that may invoke the `orchestrator` profile's function (actions, tests, discovery, `rotate` requests,
   * Pulumi ESC events). That function is deployed only when there are some.
   * @default - none: no `orchestrator` profile
   */
  readonly orchestrators?: readonly OrchestratorPrincipal[];
  /**
   * Its own fields: what the `orchestrator` profile's role may use (admin and connection secrets to read, a name prefix
   * for password secrets, secrets to rotate on request), its permission policy and expiry schedule; they need
   * `orchestrators`. `profiles`: more orchestrator profiles, each its own function, role, policy and invoke principals.
   * The rotation function's grants are never an orchestrator's, and no profile's are another's.
   * @default - none: no profile beyond what `orchestrators` alone deploys, which can read no secret and write none
   */
  readonly orchestration?: OrchestrationProps;
  /** The password policy. @default - AWS's: 32 characters, all classes, excluding `:/@"'\` */
  readonly password?: PasswordPolicy;
  /** Connection defaults for secrets that state none. @default - verify-full TLS, 5 s connect, 10 s statements */
  readonly connection?: ConnectionDefaults;
  /** @default 'info' */
  readonly logLevel?: LogLevel;
  /**
   * The CloudWatch namespace of the functions' metrics (METRICS_NAMESPACE), which the dashboard and the status alarms
   * read: one per deployment where several share an account and region. @default 'PgRotator'
   */
  readonly metricsNamespace?: string;
  /**
   * Principals that may invoke the status function (`pg-rotator status`, scripts), which the construct's hourly
   * schedule invokes anyway. It reads Secrets Manager metadata only, never a secret value.
   * @default - none: only the schedule
   */
  readonly statusInvokers?: readonly OrchestratorPrincipal[];
  /** Secrets Manager endpoint URL, only for an endpoint without private DNS. @default - the regional endpoint */
  readonly secretsManagerEndpointUrl?: string;
  /**
   * Memory in MB, of each function. Memory also sets the CPU share, and a rotation is CPU bound below 1,024 MB: about
   * the same GB-seconds at 128 MB take nine times as long (README, "Memory and cost"; rotator-function.ts, DEFAULT_MEMORY_MB).
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * 30 s, as AWS's own PostgreSQL rotators: the slowest step, single-user setSecret, may try three passwords
   * (5 s connect timeout each) and then run one statement.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * The rotation function's reserved concurrency: also its ceiling, so no flood of invocations exhausts the
   * databases' connections. A rotation step holds at most three sessions at once (alternating setSecret: the probe of
   * the pending login, the check of the current one, the admin's), so 5 means at most 15 connections from rotation;
   * rotations are scheduled and rarely overlap, and a throttled step is retried by Secrets Manager.
   * @default DEFAULT_RESERVED_CONCURRENCY (5)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Each orchestrator function's reserved concurrency, and ceiling, unless its profile sets its own: an action or a test
   * holds one session, an inline `rotate` up to three, so 5 means at most 15 connections from one profile's callers,
   * whatever they (or whoever holds their credentials) send. Throttled requests fail with Lambda's
   * TooManyRequestsException.
   * @default DEFAULT_RESERVED_CONCURRENCY (5)
   */
  readonly orchestratorReservedConcurrentExecutions?: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * A fixed name for the rotation function; each profile's function is then `<functionName>-<profile>` (the
   * `orchestrator` profile's `<functionName>-orchestrator`), so orchestrators keep a stable ARN. The rotation function
   * keeps the name (and CloudFormation resource) of pg-rotator's earlier single function, so an update does not replace
   * it. A name that would make a profile's over Lambda's 64 characters fails the synth, naming the profile.
   * @default - generated
   */
  readonly functionName?: string;
  /**
   * Where alerts go. Its policy (and key, if encrypted) must let cloudwatch.amazonaws.com and
   * events.amazonaws.com publish.
   * @default - a new KMS-encrypted, TLS-only AlertTopic
   */
  readonly alarmTopic?: sns.ITopic;
  /** Email subscriptions for the created topic; ignored with `alarmTopic`. @default - none */
  readonly alarmEmailAddresses?: readonly string[];
  /**
   * Where the functions' code comes from: the bundle the package ships, a bundle you built, or esbuild from a checkout.
   * @default FunctionCodeSource.default(): the shipped bundle (from source inside pg-rotator's own source tree)
   */
  readonly functionCode?: FunctionCodeSource;
  /**
   * How the rotation function's role is scoped to secrets: `by-condition` stays one size from 1 secret to 10,000 and
   * covers secrets attached from other stacks; `per-arn` lists every secret and key (about 100 secrets fit).
   * See {@link SecretGrants}.
   * @default 'by-condition'
   */
  readonly secretGrants?: SecretGrants;
  /**
   * Spread the rotation schedules over this many nested stacks (one template holds at most 400 here). Choose it once:
   * a schedule that changes template is cancelled by CloudFormation's cleanup (docs/fleet.md).
   * @default - the schedules stay in this stack
   */
  readonly scheduleStacks?: number;
}

/**
 * pg-rotator in one construct: its functions in your VPC on one code asset, each with its own least-privilege role
 * and invoke permission. The rotation function (`rotation.handler`) takes Secrets Manager's rotation steps and
 * nothing else, and only Secrets Manager may invoke it (aws:SourceAccount, aws:SourceArn); the orchestrator function
 * (`orchestrator.handler`), deployed when there are orchestrators, takes their requests, and only they may invoke it;
 * the status function (`status.handler`) lists the rotated secrets' metadata, hourly and for `statusInvokers`.
 * Plus their network path, one rotation schedule per secret (cron and window supported), alerts and a dashboard.
 *
 * @example
 * new PgRotator(this, 'Rotator', {
 *   vpc, vpcSubnets: { subnets: isolatedSubnets },
 *   databases: [{ securityGroup: dbSecurityGroup, addIngressRule: true }],
 *   secretsManagerAccess: { mode: 'create-endpoint' },
 *   rotations: [{ secret: appSecret, schedule: 'cron(0 3 ? * SUN *)', window: '2h' }],
 * });
 */
export class PgRotator extends Construct {
  /** The rotation function: what rotation schedules name. */
  readonly function: lambda.Function;
  /** Its execution role: rotation grants only. */
  readonly role: iam.Role;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;
  /** The `orchestrator` profile's function, its role (its grants only) and log group; absent without that profile. */
  readonly orchestrator?: RotatorFunction;
  /** Every orchestrator profile, by name: its function, grants and expiry schedules. */
  readonly profiles: ReadonlyMap<string, DeployedProfile>;
  /** The functions' security group; use it to open database ingress yourself. */
  readonly securityGroup: ec2.SecurityGroup;
  /** The created Secrets Manager endpoint, if any. */
  readonly endpoint?: ec2.InterfaceVpcEndpoint;
  /** The alert topic (given or created). */
  readonly alarmTopic: sns.ITopic;
  /** The rotation schedules, in the order of `rotations`. */
  readonly schedules: readonly CfnRotationSchedule[];
  /** The alarms and rules. */
  readonly alerts: RotatorAlerts;
  /** The `orchestrator` profile's grants; absent without that profile. */
  readonly orchestratorPolicies?: OrchestratorPolicies;
  /** The status function, its hourly schedule, the status alarms and the dashboard. */
  readonly operations: RotatorOperations;

  constructor(scope: Construct, id: string, props: PgRotatorProps) {
    super(scope, id);
    const profiles = resolveProfiles(props.orchestrators, props.orchestration);
    validateProfiles(profiles, props.rotations, props.functionName);

    const network = new RotatorNetwork(this, 'Network', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      databases: props.databases,
      secretsManagerAccess: props.secretsManagerAccess,
    });
    this.securityGroup = network.securityGroup;
    this.endpoint = network.endpoint;

    const functionName = props.functionName;
    const defaultStrategy = props.connection?.defaultStrategy;
    const scheduled = declareRotations(this, props.rotations.map((rotation, i) => ({ field: `rotations[${i}]`, rotation })), defaultStrategy);
    const inline = profiles.map((profile) =>
      declareRotations(this, (profile.inlineRotations ?? []).map((rotation, i) => ({ field: `${profile.field}.inlineRotations[${i}]`, rotation })), defaultStrategy),
    );
    // One file for every function: the rotation function's scheduled secrets, each profile's inline ones.
    const code = functionCode(props.functionCode ?? FunctionCodeSource.default(), {
      [ROTATION_BINDINGS_FILE]: rotationBindingsFileText([...scheduled.bindings, ...inline.flatMap((declared) => declared.bindings)]),
    });
    const taggedAdmins = props.taggedRotations?.adminSecrets ?? [];
    const common = {
      code,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroup: network.securityGroup,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
    };
    const settings = {
      password: props.password,
      connection: props.connection,
      logLevel: props.logLevel,
      metricsNamespace: props.metricsNamespace,
      secretsManagerEndpointUrl: props.secretsManagerEndpointUrl,
    };
    const environment = (declared: { adminSecrets: readonly ISecret[]; tagsBind: boolean }) =>
      buildFunctionEnvironment({ ...settings, adminSecretArns: declared.adminSecrets.map(secretArnOf), rotationBindingTags: declared.tagsBind });
    const rotator = new RotatorFunction(this, 'Rotator', {
      ...common,
      handler: handlerOf('rotation'),
      description: 'rotates PostgreSQL credentials for Secrets Manager (rotation steps only)',
      environment: environment({
        adminSecrets: [...props.rotations.flatMap((rotation) => (rotation.adminSecret ? [rotation.adminSecret] : [])), ...taggedAdmins],
        tagsBind: scheduled.tagged || props.taggedRotations !== undefined,
      }),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? DEFAULT_RESERVED_CONCURRENCY,
      functionName,
    });
    this.function = rotator.function;
    this.role = rotator.role;
    this.logGroup = rotator.logGroup;

    const rotatedSecrets = props.rotations.map((rotation) => rotation.secret);
    const adminSecrets = [...props.rotations.flatMap((rotation) => (rotation.adminSecret ? [rotation.adminSecret] : [])), ...taggedAdmins];
    const allowRandomPassword = props.password?.source === 'secrets-manager';
    const companionSecrets = props.rotations.flatMap((rotation) => Object.values(rotation.companionSecrets ?? {}).filter((secret) => secret !== undefined));
    const secretGrants = props.secretGrants ?? 'by-condition';
    const policies = new RotatorPolicies(this, 'Policies', {
      role: rotator.role,
      // A construct used only for orchestrator requests rotates nothing, by condition or otherwise.
      rotationFunction: props.rotations.length > 0 || props.taggedRotations !== undefined ? rotator.function : undefined,
      grants: secretGrants,
      rotatedSecrets,
      adminSecrets,
      companionSecrets,
      attachedCompanions: props.taggedRotations !== undefined,
      allowRandomPassword,
    });
    // By condition, a companion is written because it names this function; tag the ones this stack owns.
    if (secretGrants === 'by-condition') {
      for (const companion of companionSecrets) if (companion instanceof Secret) tagCompanion(companion, rotator.function.functionArn);
    }

    // Where any secret is bound by tags, every profile protects their rotated roles from its actions.
    const tagsBind = scheduled.tagged || props.taggedRotations !== undefined || inline.some((declared) => declared.tagged);
    const deployed = profiles.map((profile, i) =>
      deployProfile(this, {
        profile,
        common,
        settings,
        inlineTagged: inline[i]?.tagged ?? false,
        tagsBind,
        rotationFunction: rotator.function,
        functionName,
        reservedConcurrentExecutions: props.orchestratorReservedConcurrentExecutions ?? DEFAULT_RESERVED_CONCURRENCY,
        allowRandomPassword,
      }),
    );
    this.profiles = new Map(deployed.map((profile) => [profile.name, profile]));
    // Every role this construct writes policies for fails the synth, naming it, before IAM would refuse it at deploy.
    this.node.addValidation({ validate: () => checkRoleLimits(this, [rotator.role, ...deployed.map((profile) => profile.function.role)]) });
    const main = this.profiles.get(DEFAULT_PROFILE);
    this.orchestrator = main?.function;
    this.orchestratorPolicies = main?.policies;

    const permissions = new InvokePermissions(this, 'InvokePermissions', {
      rotationFunction: rotator.function,
      profiles: profiles.map((profile, i) => ({
        id: profilePartId('Orchestrator', profile.name),
        function: (deployed[i] as DeployedProfile).function.function,
        orchestrators: profile.orchestrators ?? [],
      })),
    });

    this.schedules = new RotationSchedules(this, 'Schedules', {
      function: rotator.function,
      rotations: props.rotations,
      dependsOn: [permissions.secretsManager, policies],
      nestedStacks: props.scheduleStacks,
    }).schedules;

    this.alarmTopic =
      props.alarmTopic ?? new AlertTopic(this, 'AlertTopic', { emailAddresses: props.alarmEmailAddresses }).topic;
    this.alerts = new RotatorAlerts(this, 'Alerts', {
      function: rotator.function,
      orchestratorFunctions: deployed.map((profile) => ({ id: profilePartId('OrchestratorErrorsAlarm', profile.name), profile: profile.name, function: profile.function.function })),
      topic: this.alarmTopic,
      secrets: rotatedSecrets,
      // Secrets attached from other stacks cannot be listed here.
      everySecret: props.taggedRotations !== undefined,
    });
    for (const profile of deployed) {
      new ProfileAlarms(this, profilePartId('ProfileAlarms', profile.name), {
        profile: profile.name,
        metricsNamespace: props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
        logGroup: profile.function.logGroup,
        expiryGroup: profile.expiry?.group,
        topic: this.alarmTopic,
      });
    }
    this.operations = new RotatorOperations(this, 'Operations', { common, rotation: rotator, settings, functionName, invokers: props.statusInvokers, topic: this.alarmTopic });
  }
}
