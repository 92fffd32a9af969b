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

/** Props of {@link RotatorPolicies}. */
export interface RotatorPoliciesProps {
  /** The function's role. */
  readonly role: iam.IRole;
  /** Secrets the function rotates (read and write). */
  readonly rotatedSecrets: readonly ISecret[];
  /** Admin secrets the function only reads. */
  readonly adminSecrets: readonly ISecret[];
  /** Grant `secretsmanager:GetRandomPassword`, when passwords come from Secrets Manager. */
  readonly allowRandomPassword: boolean;
}

const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * The condition that lets the role use a key only when Secrets Manager in this region makes the call, so it cannot
 * use the key directly (kms:ViaService).
 */
export function viaSecretsManager(scope: Construct): Record<string, Record<string, string>> {
  return { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } };
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
    statements.push(...this.keyStatements(props));
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

  /**
   * Customer-managed keys: Decrypt for GetSecretValue, GenerateDataKey for PutSecretValue, and only when
   * Secrets Manager in this region makes the call (kms:ViaService), so the role cannot use the keys directly.
   */
  private keyStatements(props: RotatorPoliciesProps): iam.PolicyStatement[] {
    const conditions = viaSecretsManager(this);
    const keyArns = (secrets: readonly ISecret[]) =>
      unique(secrets.flatMap((secret) => (secret.encryptionKey ? [secret.encryptionKey.keyArn] : [])));
    const rotatedKeys = keyArns(props.rotatedSecrets);
    const adminKeys = keyArns(props.adminSecrets).filter((arn) => !rotatedKeys.includes(arn));
    const statements: iam.PolicyStatement[] = [];
    if (rotatedKeys.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'RotatedSecretKeys',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: rotatedKeys,
          conditions,
        }),
      );
    }
    if (adminKeys.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'AdminSecretKeys',
          actions: ['kms:Decrypt'],
          resources: adminKeys,
          conditions,
        }),
      );
    }
    return statements;
  }
}
