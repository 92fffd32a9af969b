import { createHash } from 'node:crypto';
import { CfnOutput, Duration, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct, IConstruct } from 'constructs';
import { secretNameOf } from './config/arns';
import type { PgRotatorConfig, SecretReferenceConfig } from './config/schema';
import { referencedArn } from './config/secret-reference';
import { PgRotator } from './constructs/pg-rotator';
import type { FunctionCodeSource } from './constructs/function-code';
import type { OrchestrationAccess } from './constructs/orchestration-access';
import type { ExpirySchedule, OrchestrationProps, OrchestratorProfile } from './constructs/orchestrator-profiles';
import { DEFAULT_PROFILE, pascalCase } from './constructs/orchestrator-profiles';
import type { ProfileAccess } from './config/orchestration-schema';
import type { SecretsManagerAccess } from './constructs/rotator-network';

/** Props of {@link PgRotatorStack}. */
export interface PgRotatorStackProps extends Omit<StackProps, 'env'> {
  /** The validated config (see infra/config/schema.ts); its `env` becomes the stack's. */
  readonly config: PgRotatorConfig;
  /** Where the functions' code comes from. @default FunctionCodeSource.default() (PgRotatorProps.functionCode) */
  readonly functionCode?: FunctionCodeSource;
}

/**
 * The ready-made deployment: imports the existing VPC, subnets, security groups, secrets and keys named in the
 * config (by attributes, never by lookup, so synth works offline with no credentials) and wires one PgRotator.
 */
export class PgRotatorStack extends Stack {
  /** The rotator. */
  readonly rotator: PgRotator;

  constructor(scope: Construct, id: string, props: PgRotatorStackProps) {
    const { config, functionCode: _functionCode, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      env: config.env,
      description: 'pg-rotator: PostgreSQL credential rotation for Secrets Manager',
    });
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);

    const { network } = config;
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: network.vpcId,
      availabilityZones: network.availabilityZones,
    });
    const subnets = (ids: readonly string[]) => ({ subnets: ids.map((subnetId) => this.importSubnet(subnetId)) });
    const vpcSubnets = subnets(network.subnetIds);
    const access = network.secretsManagerAccess;
    const secretsManagerAccess: SecretsManagerAccess =
      access.mode === 'create-endpoint'
        ? { mode: 'create-endpoint', subnets: access.subnetIds === undefined ? undefined : subnets(access.subnetIds) }
        : access.mode === 'existing-endpoint'
          ? {
              mode: 'existing-endpoint',
              securityGroup: this.importSecurityGroup(access.securityGroupId),
              addIngressRule: access.addIngressRule,
            }
          : { mode: 'nat' };

    const secret = (reference: SecretReferenceConfig) => this.importSecret(reference);
    this.rotator = new PgRotator(this, 'PgRotator', {
      vpc,
      vpcSubnets,
      databases: network.databases.map((database) => ({
        securityGroup: this.importSecurityGroup(database.securityGroupId),
        port: database.port,
        addIngressRule: database.addIngressRule,
      })),
      secretsManagerAccess,
      rotations: config.secrets.map((entry) => ({
        secret: secret(entry),
        schedule: entry.schedule,
        window: entry.window,
        rotateImmediatelyOnUpdate: entry.rotateImmediatelyOnUpdate,
        adminSecret: entry.adminSecret ? secret(entry.adminSecret) : undefined,
        strategy: entry.strategy,
        username: entry.username,
        alternateUsername: entry.alternateUsername,
        ownerRole: entry.ownerRole,
        companionSecrets: entry.companionSecrets && {
          username: entry.companionSecrets.username && secret(entry.companionSecrets.username),
          alternateUsername: entry.companionSecrets.alternateUsername && secret(entry.companionSecrets.alternateUsername),
        },
      })),
      orchestrators: config.orchestrators,
      orchestration: this.orchestration(config),
      password: config.password,
      connection: {
        defaultStrategy: config.connection.defaultStrategy,
        sslMode: config.connection.sslMode,
        minimumSslMode: config.connection.minimumSslMode,
        requireAuth: config.connection.requireAuth,
        channelBinding: config.connection.channelBinding,
        sslRootCert: config.connection.sslRootCert,
        connectTimeout: Duration.millis(config.connection.connectTimeoutMs),
        statementTimeout: Duration.millis(config.connection.statementTimeoutMs),
      },
      logLevel: config.function.logLevel,
      metricsNamespace: config.function.metricsNamespace,
      statusInvokers: config.statusInvokers,
      secretsManagerEndpointUrl: config.function.secretsManagerEndpointUrl,
      memorySize: config.function.memoryMb,
      timeout: Duration.seconds(config.function.timeoutSeconds),
      reservedConcurrentExecutions: config.function.reservedConcurrency,
      orchestratorReservedConcurrentExecutions: config.function.orchestratorReservedConcurrency,
      logRetention: config.function.logRetentionDays,
      functionName: config.function.functionName,
      alarmTopic:
        config.alerts.topicArn === undefined ? undefined : sns.Topic.fromTopicArn(this, 'AlarmTopic', config.alerts.topicArn),
      alarmEmailAddresses: config.alerts.emailAddresses,
      functionCode: props.functionCode,
      secretGrants: config.secretGrants,
      scheduleStacks: config.scheduleStacks,
      taggedRotations: config.attachments && { adminSecrets: config.attachments.adminSecrets.map(secret) },
    });

    new CfnOutput(this, 'RotationFunctionArn', {
      value: this.rotator.function.functionArn,
      // A stable export name, for team stacks that attach secrets with Fn.importValue.
      exportName: `${this.stackName}-RotationFunctionArn`,
      description: 'The rotation function: attach secrets to it for rotation (only Secrets Manager may invoke it)',
    });
    for (const [name, profile] of this.rotator.profiles) {
      // The `orchestrator` profile keeps pg-rotator's one output; the others' are named after them.
      new CfnOutput(this, name === DEFAULT_PROFILE ? 'OrchestratorFunctionArn' : `OrchestratorFunctionArn${pascalCase(name)}`, {
        value: profile.function.function.functionArn,
        description: `The ${name} profile's orchestrator function: its orchestrators invoke this ARN`,
      });
    }
    const parameterName = config.attachments?.functionArnParameter;
    if (parameterName !== undefined) {
      new ssm.StringParameter(this, 'RotationFunctionArnParameter', {
        parameterName,
        stringValue: this.rotator.function.functionArn,
        description: 'pg-rotator: the rotation function team stacks attach their secrets to (PgRotatorAttachment)',
      });
    }
    new CfnOutput(this, 'StatusFunctionArn', {
      value: this.rotator.operations.status.function.function.functionArn,
      description: 'The status function, which pg-rotator status invokes (--function or PG_ROTATOR_STATUS_FUNCTION); statusInvokers may invoke it',
    });
    new CfnOutput(this, 'FunctionSecurityGroupId', { value: this.rotator.securityGroup.securityGroupId });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.rotator.alarmTopic.topicArn });
  }

  /**
   * The orchestration section as construct props: its own fields (the `orchestrator` profile's) and each profile's.
   */
  private orchestration(config: PgRotatorConfig): OrchestrationProps | undefined {
    const { orchestration } = config;
    if (!orchestration) return undefined;
    const { profiles, ...shorthand } = orchestration;
    const profileProps = Object.entries(profiles ?? {}).map(([name, { orchestrators, reservedConcurrency, ...access }]): [string, OrchestratorProfile] => [
      name,
      { orchestrators, reservedConcurrentExecutions: reservedConcurrency, ...this.access(config, access, name) },
    ]);
    return { ...this.access(config, shorthand, DEFAULT_PROFILE), ...(profileProps.length > 0 ? { profiles: Object.fromEntries(profileProps) } : {}) };
  }

  /**
   * One profile's grants as construct props. A `rotate.secretsManager` entry becomes the very secret of its
   * `secrets[]` entry (the schema matched them by name), so the construct sees one secret, not two imports; an expiry
   * target, the very secret of the profile's adminSecrets (or connectionSecrets) entry.
   */
  private access(config: PgRotatorConfig, access: ProfileAccess, profile: string): OrchestrationAccess & { expireTemporaryUsers?: ExpirySchedule | false } {
    const secret = (reference: SecretReferenceConfig) => this.importSecret(reference);
    const nameOf = (reference: { arn?: string; partialArn?: string }) => {
      const { arn, complete } = referencedArn(reference);
      return secretNameOf(arn, complete);
    };
    const sameAs = (among: readonly SecretReferenceConfig[], reference: { arn?: string; partialArn?: string }) => {
      const found = among.find((entry) => nameOf(entry) === nameOf(reference));
      return found === undefined ? undefined : secret(found);
    };
    const passwordSecrets = access.passwordSecrets;
    const passwordKey = passwordSecrets?.kmsKeyArn;
    const expiry = access.expireTemporaryUsers;
    return {
      adminSecrets: access.adminSecrets.map(secret),
      connectionSecrets: access.connectionSecrets.map(secret),
      passwordSecrets: passwordSecrets && {
        namePrefix: passwordSecrets.namePrefix,
        encryptionKey:
          passwordKey === undefined ? undefined : kms.Key.fromKeyArn(this, profile === DEFAULT_PROFILE ? 'PasswordSecretsKey' : `PasswordSecretsKey-${profile}`, passwordKey),
      },
      inlineRotations: access.rotate.inline.map((entry) => ({
        secret: secret(entry),
        adminSecret: entry.adminSecret ? secret(entry.adminSecret) : undefined,
        strategy: entry.strategy,
        username: entry.username,
        alternateUsername: entry.alternateUsername,
        ownerRole: entry.ownerRole,
      })),
      secretsManagerRotations: access.rotate.secretsManager.flatMap((entry) =>
        config.secrets.filter((scheduled) => nameOf(scheduled) === nameOf(entry)).map(secret),
      ),
      policy: access.policy,
      expireTemporaryUsers:
        expiry === undefined || expiry === false
          ? expiry
          : {
              schedule: expiry.schedule,
              targets: expiry.targets?.map((target) => ({
                // The schema checked each is one of the profile's own.
                adminSecret: sameAs(access.adminSecrets, target.adminSecret) ?? secret(target.adminSecret),
                connectionSecret: target.connectionSecret && (sameAs(access.connectionSecrets, target.connectionSecret) ?? secret(target.connectionSecret)),
                database: target.database,
              })),
            },
    };
  }

  private readonly imported = new Map<string, IConstruct>();

  /** Imports each id once, so a resource named twice in the config is one construct. */
  private once<T extends IConstruct>(key: string, make: () => T): T {
    const existing = this.imported.get(key);
    if (existing) return existing as T;
    const made = make();
    this.imported.set(key, made);
    return made;
  }

  private importSubnet(subnetId: string): ec2.ISubnet {
    return this.once(subnetId, () => {
      const subnet = ec2.Subnet.fromSubnetId(this, subnetId, subnetId);
      Validations.of(subnet).acknowledge({
        id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason: 'Only subnet ids are needed: the function and the endpoint attach to subnets; nothing reads route tables.',
      });
      return subnet;
    });
  }

  private importSecurityGroup(securityGroupId: string): ec2.ISecurityGroup {
    // Rules on imported groups are written explicitly by RotatorNetwork, never implicitly through this object.
    return this.once(securityGroupId, () =>
      ec2.SecurityGroup.fromSecurityGroupId(this, securityGroupId, securityGroupId, { mutable: false }),
    );
  }

  /**
   * Imports a secret with its key, so the function gets kms:Decrypt through Secrets Manager. The construct id is
   * the secret's name (suffixed by a hash of the ARN only on a clash), and it names the rotation schedule:
   * reordering the config then changes nothing in the template.
   */
  private importSecret(reference: SecretReferenceConfig): secretsmanager.ISecret {
    const { arn, complete } = referencedArn(reference);
    return this.once(arn, () => {
      const name = `Secret-${secretNameOf(arn, complete).replace(/[^A-Za-z0-9-]/g, '-')}`;
      const id = this.node.tryFindChild(name) ? `${name}-${createHash('sha256').update(arn).digest('hex').slice(0, 8)}` : name;
      const encryptionKey =
        reference.kmsKeyArn === undefined ? undefined : kms.Key.fromKeyArn(this, `${id}-Key`, reference.kmsKeyArn);
      return secretsmanager.Secret.fromSecretAttributes(this, id, {
        ...(complete ? { secretCompleteArn: arn } : { secretPartialArn: arn }),
        encryptionKey,
      });
    });
  }
}
