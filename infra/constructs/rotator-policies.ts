import { ArnFormat, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { nagResourceText } from './nag-resource-text';
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

/**
 * The tag a companion secret carries to be written by a rotation function: its value is that function's ARN, as a
 * rotated secret's rotation configuration names it. Under `pg-rotator:`, so the same SCP and resource policy that
 * guard the binding tags guard it (docs/threat-model.md). The construct and PgRotatorAttachment tag the
 * companions they own; a companion imported by ARN is tagged where it is defined.
 */
export const COMPANION_WRITER_TAG = 'pg-rotator:companion-writer';

/**
 * Makes a companion secret of this stack writable by a rotation function (by-condition grants): the tag names the
 * function. A companion has no rotation of its own: the function writes it at each rotation of the secret it accompanies,
 * so cdk-nag's "rotation enabled" check is acknowledged on it.
 */
export function tagCompanion(companion: Secret, rotationFunctionArn: string): void {
  Tags.of(companion).add(COMPANION_WRITER_TAG, rotationFunctionArn);
  Validations.of(companion).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'A companion secret of pg-rotator: it is not rotated itself, the rotation function writes the newest password of its login into it at each rotation of the secret it accompanies.',
  });
}

/**
 * How the rotation function's role is scoped to secrets:
 * - `by-condition` (default): by what the secret says of itself, so the policy is the same size for 1 secret or
 *   10,000, and a secret attached from another stack needs no change here. Rotated secrets: those whose rotation
 *   function is this one (`secretsmanager:resource/AllowRotationLambdaArn`, as AWS's own rotation templates scope
 *   it); companion secrets: those tagged {@link COMPANION_WRITER_TAG} with this function's ARN; KMS keys: through
 *   Secrets Manager in this region (`kms:ViaService`) for secrets of this account and region
 *   (`kms:EncryptionContext:SecretARN`). Admin secrets are listed by ARN in either mode: they are the admin allow
 *   list, per database rather than per secret, and bounded by it (ADMIN_SECRET_ARNS, docs/fleet.md).
 * - `per-arn`: every secret and key listed by ARN, as before; the policy grows by about 80 characters a secret, and
 *   synth fails once a role would pass IAM's limits (iam-limits.ts), at about 100 secrets.
 */
export type SecretGrants = 'by-condition' | 'per-arn';

/** Props of {@link RotatorPolicies}. */
export interface RotatorPoliciesProps {
  /** The function's role. */
  readonly role: iam.IRole;
  /**
   * The rotation function, whose ARN the conditions name: set when it rotates anything (scheduled here, or attached
   * from other stacks). Absent: no rotation grants.
   */
  readonly rotationFunction?: lambda.IFunction;
  /** @default 'by-condition' */
  readonly grants?: SecretGrants;
  /** Secrets the function rotates (read and write); only listed with `per-arn`. */
  readonly rotatedSecrets: readonly ISecret[];
  /** Admin secrets the function only reads; listed in either mode. */
  readonly adminSecrets: readonly ISecret[];
  /** Companion secrets the function describes and writes, never reads; only listed with `per-arn`. @default - none */
  readonly companionSecrets?: readonly ISecret[];
  /**
   * With `by-condition`: whether secrets attached from other stacks may declare companions, so tagged companions are
   * writable even when none is declared here.
   * @default false
   */
  readonly attachedCompanions?: boolean;
  /** Grant `secretsmanager:GetRandomPassword`, when passwords come from Secrets Manager. */
  readonly allowRandomPassword: boolean;
}

export const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * The condition that lets the role use a key only when Secrets Manager in this region makes the call, so it cannot
 * use the key directly. `kms:ViaService` (AWS KMS developer guide, "kms:ViaService"; Secrets Manager user guide,
 * "Secret encryption and decryption": "To allow the KMS key to be used only for requests that originate in Secrets
 * Manager, you can use the kms:ViaService condition key with the secretsmanager.<Region>.amazonaws.com value").
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
 * The rotation function's least-privilege permissions on secrets and their keys, as separate policies so each
 * exception to "no wildcard" is acknowledged on the one policy that needs it: `SecretAccess` (by condition, or per
 * ARN), `AdminSecrets` (per ARN, either way) and `RandomPassword`.
 */
export class RotatorPolicies extends Construct {
  /** Rotated and companion secrets and their keys; absent when there is nothing to grant. */
  readonly secretAccess?: iam.Policy;
  /** Reads of the declared admin secrets, and their keys; absent without admin secrets. */
  readonly adminSecrets?: iam.Policy;
  /** `secretsmanager:GetRandomPassword`, when granted. */
  readonly randomPassword?: iam.Policy;

  constructor(scope: Construct, id: string, props: RotatorPoliciesProps) {
    super(scope, id);
    const byCondition = (props.grants ?? 'by-condition') === 'by-condition' && props.rotationFunction !== undefined;
    const companions = (props.companionSecrets ?? []).length > 0 || props.attachedCompanions === true;
    const statements = byCondition ? this.conditionStatements(props.rotationFunction as lambda.IFunction, companions) : this.listedStatements(props);
    // A separate AWS::IAM::Policy, not the role's own: it names the function's ARN, and the function depends on its role,
    // so a statement on the role itself would make a dependency cycle (function → role → function ARN).
    if (statements.length > 0) this.secretAccess = new iam.Policy(this, 'SecretAccess', { roles: [props.role], statements });
    if (byCondition && this.secretAccess) {
      const stack = Stack.of(this);
      for (const resource of [secretsOf(stack), keysOf(stack)]) {
        Validations.of(this.secretAccess).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResourceText(stack, resource)}]`,
          reason:
            "Scoped by condition, not by name, so the policy stays one size from 1 secret to 10,000 and secrets attached from other stacks need no change here: secrets only while their rotation function is this one (secretsmanager:resource/AllowRotationLambdaArn, as AWS's rotation templates do), companions only when tagged for this function, keys only through Secrets Manager in this region (kms:ViaService) for this account's secrets (kms:EncryptionContext:SecretARN).",
        });
      }
    }

    if (props.adminSecrets.length > 0) {
      // Listed in both modes: these are the admin allow list (ADMIN_SECRET_ARNS), and IAM grants exactly them.
      this.adminSecrets = new iam.Policy(this, 'AdminSecrets', {
        roles: [props.role],
        statements: [
          new iam.PolicyStatement({ sid: 'ReadAdminSecrets', actions: ADMIN_READ_ACTIONS, resources: unique(props.adminSecrets.map(secretPolicyResource)) }),
          ...keyStatement(this, 'AdminSecretKeys', ['kms:Decrypt'], props.adminSecrets),
        ],
      });
    }

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
   * Every condition key here is documented in the Service Authorization Reference: `secretsmanager:resource/
   * AllowRotationLambdaArn` and `aws:ResourceTag/${TagKey}` on the Secret resource type ("Actions, resources, and
   * condition keys for AWS Secrets Manager": the former "filters access by the ARN of the rotation Lambda function
   * associated with the secret"; secrets without rotation, or with another function, do not match); `kms:ViaService`
   * and `kms:EncryptionContext:${EncryptionContextKey}` for Decrypt and GenerateDataKey ("Actions, resources, and
   * condition keys for AWS Key Management Service"). Secrets Manager's encryption context is `SecretARN` and
   * `SecretVersionId` on every GenerateDataKey and Decrypt it makes (Secrets Manager user guide, "Secrets Manager
   * encryption context").
   */
  private conditionStatements(rotationFunction: lambda.IFunction, companions: boolean): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const functionArn = rotationFunction.functionArn;
    const statements = [
      new iam.PolicyStatement({
        sid: 'RotateSecretsOfThisFunction',
        actions: ROTATION_ACTIONS,
        resources: [secretsOf(stack)],
        conditions: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': functionArn } },
      }),
      new iam.PolicyStatement({
        sid: 'SecretKeysThroughSecretsManager',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [keysOf(stack)],
        conditions: {
          ...viaSecretsManager(this),
          StringLike: { 'kms:EncryptionContext:SecretARN': secretsOf(stack) },
        },
      }),
    ];
    if (companions) {
      statements.splice(
        1,
        0,
        new iam.PolicyStatement({
          sid: 'WriteCompanionsOfThisFunction',
          actions: COMPANION_WRITE_ACTIONS,
          resources: [secretsOf(stack)],
          conditions: { StringEquals: { [`aws:ResourceTag/${COMPANION_WRITER_TAG}`]: functionArn } },
        }),
      );
    }
    return statements;
  }

  /** Every rotated and companion secret and its key, by ARN. */
  private listedStatements(props: RotatorPoliciesProps): iam.PolicyStatement[] {
    const statements: iam.PolicyStatement[] = [];
    if (props.rotatedSecrets.length > 0) {
      statements.push(
        new iam.PolicyStatement({ sid: 'RotateSecrets', actions: ROTATION_ACTIONS, resources: unique(props.rotatedSecrets.map(secretPolicyResource)) }),
      );
    }
    const companions = props.companionSecrets ?? [];
    if (companions.length > 0) {
      statements.push(
        new iam.PolicyStatement({ sid: 'WriteCompanionSecrets', actions: COMPANION_WRITE_ACTIONS, resources: unique(companions.map(secretPolicyResource)) }),
      );
    }
    statements.push(...keyStatement(this, 'RotatedSecretKeys', ['kms:Decrypt', 'kms:GenerateDataKey'], [...props.rotatedSecrets, ...companions]));
    return statements;
  }
}

/** One statement granting the keys of these secrets (none without a customer-managed key), through Secrets Manager only. */
function keyStatement(scope: Construct, sid: string, actions: string[], secrets: readonly ISecret[]): iam.PolicyStatement[] {
  const keys = unique(secrets.flatMap((secret) => (secret.encryptionKey ? [secret.encryptionKey.keyArn] : [])));
  return keys.length === 0 ? [] : [new iam.PolicyStatement({ sid, actions, resources: keys, conditions: viaSecretsManager(scope) })];
}

/** Every secret of this account and region: `arn:<partition>:secretsmanager:<region>:<account>:secret:*`. */
function secretsOf(stack: Stack): string {
  return stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** Every KMS key of this account and region: `arn:<partition>:kms:<region>:<account>:key/*`. */
function keysOf(stack: Stack): string {
  return stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
}
