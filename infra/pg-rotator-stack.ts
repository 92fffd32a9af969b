import { createHash } from 'node:crypto';
import { CfnOutput, Duration, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import { secretNameOf } from './config/arns';
import type { PgRotatorConfig, SecretReferenceConfig } from './config/schema';
import { referencedArn } from './config/secret-reference';
import { PgRotator } from './constructs/pg-rotator';
import type { OrchestrationAccess } from './constructs/orchestration-access';
import type { SecretsManagerAccess } from './constructs/rotator-network';

/** Props of {@link PgRotatorStack}. */
export interface PgRotatorStackProps extends Omit<StackProps, 'env'> {
  /** The validated config (see infra/config/schema.ts); its `env` becomes the stack's. */
  readonly config: PgRotatorConfig;
}

/**
 * The ready-made deployment: imports the existing VPC, subnets, security groups, secrets and keys named in the
 * config (by attributes, never by lookup, so synth works offline with no credentials) and wires one PgRotator.
 */
export class PgRotatorStack extends Stack {
  /** The rotator. */
  readonly rotator: PgRotator;

  constructor(scope: Construct, id: string, props: PgRotatorStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
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
    });

    new CfnOutput(this, 'RotationFunctionArn', {
      value: this.rotator.function.functionArn,
      description: 'The rotation function: attach secrets to it for rotation (only Secrets Manager may invoke it)',
    });
    if (this.rotator.orchestrator) {
      new CfnOutput(this, 'OrchestratorFunctionArn', {
        value: this.rotator.orchestrator.function.functionArn,
        description: 'The orchestrator function: orchestrators invoke this ARN',
      });
    }
    new CfnOutput(this, 'FunctionSecurityGroupId', { value: this.rotator.securityGroup.securityGroupId });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.rotator.alarmTopic.topicArn });
  }

  /**
   * The orchestration section as construct props. A `rotate.secretsManager` entry becomes the very secret of its
   * `secrets[]` entry (the schema matched them by name), so the construct sees one secret, not two imports.
   */
  private orchestration(config: PgRotatorConfig): OrchestrationAccess | undefined {
    const { orchestration } = config;
    if (!orchestration) return undefined;
    const secret = (reference: SecretReferenceConfig) => this.importSecret(reference);
    const nameOf = (reference: { arn?: string; partialArn?: string }) => {
      const { arn, complete } = referencedArn(reference);
      return secretNameOf(arn, complete);
    };
    const passwordSecrets = orchestration.passwordSecrets;
    const passwordKey = passwordSecrets?.kmsKeyArn;
    return {
      adminSecrets: orchestration.adminSecrets.map(secret),
      connectionSecrets: orchestration.connectionSecrets.map(secret),
      passwordSecrets: passwordSecrets && {
        namePrefix: passwordSecrets.namePrefix,
        encryptionKey: passwordKey === undefined ? undefined : kms.Key.fromKeyArn(this, 'PasswordSecretsKey', passwordKey),
      },
      inlineRotations: orchestration.rotate.inline.map((entry) => ({
        secret: secret(entry),
        adminSecret: entry.adminSecret ? secret(entry.adminSecret) : undefined,
        strategy: entry.strategy,
        username: entry.username,
        alternateUsername: entry.alternateUsername,
        ownerRole: entry.ownerRole,
      })),
      secretsManagerRotations: orchestration.rotate.secretsManager.flatMap((entry) =>
        config.secrets.filter((scheduled) => nameOf(scheduled) === nameOf(entry)).map(secret),
      ),
      policy: orchestration.policy,
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
