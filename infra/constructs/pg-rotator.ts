import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CfnRotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { AlertTopic } from './alert-topic';
import {
  buildFunctionEnvironment,
  type ConnectionDefaults,
  type LogLevel,
  type PasswordPolicy,
} from './function-environment';
import { InvokePermissions, type OrchestratorPrincipal } from './invoke-permissions';
import { validateOrchestration, type OrchestrationAccess } from './orchestration-access';
import { OrchestratorPolicies } from './orchestrator-policies';
import { RotationSchedules, type RotatedSecret } from './rotation-schedules';
import { RotatorAlerts } from './rotator-alerts';
import { RotatorFunction } from './rotator-function';
import { RotatorNetwork, type DatabaseAccess, type SecretsManagerAccess } from './rotator-network';
import { RotatorPolicies } from './rotator-policies';

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
  /** The secrets to rotate and their schedules. */
  readonly rotations: readonly RotatedSecret[];
  /** Principals that may invoke the function for actions and tests. @default - none */
  readonly orchestrators?: readonly OrchestratorPrincipal[];
  /**
   * What orchestrator requests may use beyond rotation's grants: admin and connection secrets to read, a name
   * prefix for password secrets, secrets to rotate on request. Needs `orchestrators`.
   * @default - none: requests can use only the secrets of `rotations` and their admin secrets, and cannot write
   * password secrets
   */
  readonly orchestration?: OrchestrationAccess;
  /** The password policy. @default - AWS's: 32 characters, all classes, excluding `:/@"'\` */
  readonly password?: PasswordPolicy;
  /** Connection defaults for secrets that state none. @default - verify-full TLS, 5 s connect, 10 s statements */
  readonly connection?: ConnectionDefaults;
  /** @default 'info' */
  readonly logLevel?: LogLevel;
  /** Secrets Manager endpoint URL, only for an endpoint without private DNS. @default - the regional endpoint */
  readonly secretsManagerEndpointUrl?: string;
  /**
   * Memory in MB. 256 MB: the bundled function, run as a worker process through 200 steps of alternating-owner
   * rotation with TLS, peaked at 110 MiB RSS (33 MiB heap), so 256 leaves more than twice that; rotation is
   * I/O-bound (a few API calls and one TLS + SCRAM login per step: 16 ms median per warm step, 0.4 s for the cold
   * module load), so more memory buys little.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * 30 s, as AWS's own PostgreSQL rotators: the slowest step, single-user setSecret, may try three passwords
   * (5 s connect timeout each) and then run one statement.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency. Too low throttles rotation steps, which Secrets Manager then retries as a whole.
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** A fixed function name, so orchestrators keep a stable ARN. @default - generated */
  readonly functionName?: string;
  /**
   * Where alerts go. Its policy (and key, if encrypted) must let cloudwatch.amazonaws.com and
   * events.amazonaws.com publish.
   * @default - a new KMS-encrypted, TLS-only AlertTopic
   */
  readonly alarmTopic?: sns.ITopic;
  /** Email subscriptions for the created topic; ignored with `alarmTopic`. @default - none */
  readonly alarmEmailAddresses?: readonly string[];
  /** The Lambda entry exporting `handler`. @default lambda/handler.ts */
  readonly entry?: string;
}

/**
 * pg-rotator in one construct: the rotation function in your VPC, its least-privilege role, its network path,
 * the Secrets Manager invoke permission (with aws:SourceAccount), one rotation schedule per secret (cron and
 * window supported), and alerts.
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
  /** The rotation function. */
  readonly function: NodejsFunction;
  /** Its execution role. */
  readonly role: iam.Role;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;
  /** Its security group; use it to open database ingress yourself. */
  readonly securityGroup: ec2.SecurityGroup;
  /** The created Secrets Manager endpoint, if any. */
  readonly endpoint?: ec2.InterfaceVpcEndpoint;
  /** The alert topic (given or created). */
  readonly alarmTopic: sns.ITopic;
  /** The rotation schedules, in the order of `rotations`. */
  readonly schedules: readonly CfnRotationSchedule[];
  /** The alarms and rules. */
  readonly alerts: RotatorAlerts;
  /** The grants for orchestrator requests; absent without `orchestration`. */
  readonly orchestratorPolicies?: OrchestratorPolicies;

  constructor(scope: Construct, id: string, props: PgRotatorProps) {
    super(scope, id);
    if (props.orchestration) {
      validateOrchestration({
        orchestration: props.orchestration,
        orchestrators: props.orchestrators ?? [],
        rotations: props.rotations,
      });
    }

    const network = new RotatorNetwork(this, 'Network', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      databases: props.databases,
      secretsManagerAccess: props.secretsManagerAccess,
    });
    this.securityGroup = network.securityGroup;
    this.endpoint = network.endpoint;

    const rotator = new RotatorFunction(this, 'Rotator', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroup: network.securityGroup,
      environment: buildFunctionEnvironment({
        password: props.password,
        connection: props.connection,
        logLevel: props.logLevel,
        secretsManagerEndpointUrl: props.secretsManagerEndpointUrl,
        passwordSecretPrefix: props.orchestration?.passwordSecrets?.namePrefix,
      }),
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logRetention: props.logRetention,
      functionName: props.functionName,
      entry: props.entry,
    });
    this.function = rotator.function;
    this.role = rotator.role;
    this.logGroup = rotator.logGroup;

    const rotatedSecrets = props.rotations.map((rotation) => rotation.secret);
    const adminSecrets = props.rotations.flatMap((rotation) => (rotation.adminSecret ? [rotation.adminSecret] : []));
    const policies = new RotatorPolicies(this, 'Policies', {
      role: rotator.role,
      rotatedSecrets,
      adminSecrets,
      companionSecrets: props.rotations.flatMap((rotation) => Object.values(rotation.companionSecrets ?? {}).filter((secret) => secret !== undefined)),
      allowRandomPassword: props.password?.source === 'secrets-manager',
    });

    if (props.orchestration) {
      this.orchestratorPolicies = new OrchestratorPolicies(this, 'Orchestration', {
        role: rotator.role,
        function: rotator.function,
        access: props.orchestration,
      });
    }

    const permissions = new InvokePermissions(this, 'InvokePermissions', {
      function: rotator.function,
      orchestrators: props.orchestrators,
    });

    this.schedules = new RotationSchedules(this, 'Schedules', {
      function: rotator.function,
      rotations: props.rotations,
      dependsOn: [permissions.secretsManager, policies],
    }).schedules;

    this.alarmTopic =
      props.alarmTopic ?? new AlertTopic(this, 'AlertTopic', { emailAddresses: props.alarmEmailAddresses }).topic;
    this.alerts = new RotatorAlerts(this, 'Alerts', {
      function: rotator.function,
      topic: this.alarmTopic,
      secrets: rotatedSecrets,
    });
  }
}
