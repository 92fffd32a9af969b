import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { secretPolicyResource } from './secret-arns';

/** The four calls of the rotation protocol, on the rotated secret (AWS: "Permissions for rotation"). */
export const ROTATION_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];
/** Read-only, on the admin secrets the function logs in with: it only ever reads their AWSCURRENT value. */
export const ADMIN_READ_ACTIONS = ['secretsmanager:GetSecretValue'];
/**
 * On companion secrets (one per login, for RDS Proxy): finishSecret describes one to see whether it holds a version
 * already, and writes the version it lacks. It never reads a companion's value.
 */
export const COMPANION_WRITE_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'];

/** Props of {@link RotatorPolicies}. */
export interface RotatorPoliciesProps {
  /** The function's role. */
  readonly role: iam.IRole;
  /** Secrets the function rotates (read and write). */
  readonly rotatedSecrets: readonly ISecret[];
  /** Admin secrets the function only reads. */
  readonly adminSecrets: readonly ISecret[];
  /** Companion secrets the function describes and writes, never reads. @default - none */
  readonly companionSecrets?: readonly ISecret[];
  /** Grant `secretsmanager:GetRandomPassword`, when passwords come from Secrets Manager. */
  readonly allowRandomPassword: boolean;
}

export const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * The condition that lets the role use a key only when Secrets Manager in this region makes the call, so it cannot
 * use the key directly (kms:ViaService).
 */
export function viaSecretsManager(scope: Construct): Record<string, Record<string, string>> {
  return { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } };
}

/**
 * The customer-managed keys of secrets the role writes and of secrets it only reads: Decrypt for GetSecretValue,
 * GenerateDataKey for PutSecretValue (written secrets only), and only when Secrets Manager in this region makes
 * the call. A key of both kinds is granted once, as a written one.
 */
export function secretKeyStatements(
  scope: Construct,
  keys: { readonly written: { sid: string; secrets: readonly ISecret[] }; readonly read: { sid: string; secrets: readonly ISecret[] } },
): iam.PolicyStatement[] {
  const keyArns = (secrets: readonly ISecret[]) =>
    unique(secrets.flatMap((secret) => (secret.encryptionKey ? [secret.encryptionKey.keyArn] : [])));
  const writtenKeys = keyArns(keys.written.secrets);
  const readKeys = keyArns(keys.read.secrets).filter((arn) => !writtenKeys.includes(arn));
  const conditions = viaSecretsManager(scope);
  const statements: iam.PolicyStatement[] = [];
  if (writtenKeys.length > 0) {
    statements.push(
      new iam.PolicyStatement({ sid: keys.written.sid, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: writtenKeys, conditions }),
    );
  }
  if (readKeys.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: keys.read.sid, actions: ['kms:Decrypt'], resources: readKeys, conditions }));
  }
  return statements;
}

/**
 * The function's least-privilege permissions on secrets and their keys, as separate policies so each
 * exception to "no wildcard" is acknowledged on the one policy that needs it.
 */
export class RotatorPolicies extends Construct {
  /** Rotation and admin-read permissions, plus KMS through Secrets Manager; absent when there is nothing to grant. */
  readonly secretAccess?: iam.Policy;
  /** `secretsmanager:GetRandomPassword`, when granted. */
  readonly randomPassword?: iam.Policy;

  constructor(scope: Construct, id: string, props: RotatorPoliciesProps) {
    super(scope, id);
    const statements: iam.PolicyStatement[] = [];
    if (props.rotatedSecrets.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'RotateSecrets',
          actions: ROTATION_ACTIONS,
          resources: unique(props.rotatedSecrets.map(secretPolicyResource)),
        }),
      );
    }
    if (props.adminSecrets.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadAdminSecrets',
          actions: ADMIN_READ_ACTIONS,
          resources: unique(props.adminSecrets.map(secretPolicyResource)),
        }),
      );
    }
    const companions = props.companionSecrets ?? [];
    if (companions.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'WriteCompanionSecrets',
          actions: COMPANION_WRITE_ACTIONS,
          resources: unique(companions.map(secretPolicyResource)),
        }),
      );
    }
    statements.push(
      ...secretKeyStatements(this, {
        written: { sid: 'RotatedSecretKeys', secrets: [...props.rotatedSecrets, ...companions] },
        read: { sid: 'AdminSecretKeys', secrets: props.adminSecrets },
      }),
    );
    // A construct used only for orchestrator requests rotates nothing on a schedule.
    if (statements.length > 0) this.secretAccess = new iam.Policy(this, 'SecretAccess', { roles: [props.role], statements });

    if (props.allowRandomPassword) {
      this.randomPassword = new iam.Policy(this, 'RandomPassword', {
        roles: [props.role],
        statements: [new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] })],
      });
      Validations.of(this.randomPassword).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'secretsmanager:GetRandomPassword has no resource type in the IAM service authorization reference, so "*" is the only valid Resource; it reads no secret. Granted only when password.source is secrets-manager.',
      });
    }
  }
}
