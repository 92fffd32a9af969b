import { Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { PermissionPolicyInput } from '../../lambda/actions/permission-policy';
import { PermissionPolicySchema } from '../../lambda/actions/permission-policy';
import { InvalidInputError } from '../../lambda/errors';
import type { SecretBinding } from './secret-binding';

/** Where orchestrator actions keep the passwords they generate. */
export interface PasswordSecrets {
  /**
   * The name prefix of every secret actions create, update, restore or delete (`secretName`, `deleteSecretName`),
   * ending in `/`, e.g. `pg-rotator/`. The grants cover `secret:<prefix>*` and nothing else, and the function is
   * given the prefix as `PASSWORD_SECRET_PREFIX`. No other secret of the deployment may live under it.
   */
  readonly namePrefix: string;
  /**
   * The customer-managed key requests name in `kmsKeyId` for the secrets they create; the function may use it only
   * through Secrets Manager.
   * @default - none: such secrets use `aws/secretsmanager`, which needs no grant
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A secret `rotate` requests rotate inline (mode `inline`), without a Secrets Manager schedule. Bound like a
 * scheduled rotation (RotatedSecret): strategy, admin secret, login(s) and owner role come from here.
 */
export interface InlineRotation extends Omit<SecretBinding, 'companionSecrets'> {
  /** The secret; give `encryptionKey` on import when it uses a customer key. */
  readonly secret: ISecret;
}

/**
 * What orchestrator requests (docs/api.md) may touch beyond what rotation already grants. Every list is explicit:
 * nothing here is derived from a request, so a caller can only reach secrets the deployment named.
 */
export interface OrchestrationAccess {
  /**
   * Admin secrets `action` and `discover` requests (`target.adminSecretArn`) and `test` requests log in with.
   * Read-only (`GetSecretValue`).
   * @default - none
   */
  readonly adminSecrets?: readonly ISecret[];
  /**
   * Secrets whose host, port and TLS settings requests use when an admin secret has no host
   * (`connectionSecretArn`). Read-only (`GetSecretValue`).
   * @default - none
   */
  readonly connectionSecrets?: readonly ISecret[];
  /** Where password-setting actions store passwords. @default - none: IAM refuses every password-secret write */
  readonly passwordSecrets?: PasswordSecrets;
  /** Secrets `rotate` requests in mode `inline` may rotate; none may have a rotation schedule here. @default - none */
  readonly inlineRotations?: readonly InlineRotation[];
  /**
   * Secrets `rotate` requests in mode `secrets-manager` may rotate (`RotateSecret`); each must be one of the
   * construct's own `rotations`, so Secrets Manager then invokes this function.
   * @default - none
   */
  readonly secretsManagerRotations?: readonly ISecret[];
  /**
   * The permission policy: which actions run, on which roles, and what they may grant (docs/policy.md). Validated
   * here with the function's own schema and passed to it as PERMISSION_POLICY.
   * @default - none: the function refuses every role-changing action (dry runs, `test` and `discover` still work)
   */
  readonly policy?: PermissionPolicyInput;
}

/**
 * The same secret: one object, or one secret imported twice (by complete and by partial ARN), which then has the
 * same name in the same account and region.
 */
export function sameSecret(a: ISecret, b: ISecret): boolean {
  if (a === b) return true;
  const concrete = [a.secretName, b.secretName, a.secretArn, b.secretArn].every((value) => !Token.isUnresolved(value));
  const home = (secret: ISecret) => secret.secretArn.split(':').slice(0, 5).join(':');
  return concrete && a.secretName === b.secretName && home(a) === home(b);
}

/**
 * The policy as the function reads it from PERMISSION_POLICY: validated with the function's own schema, written
 * as declared (defaults left to the function), compact.
 *
 * @param field the prop that declares it, for messages
 * @throws {InvalidInputError} naming the field, e.g. `orchestration.policy.temporaryUsers.maxValidity`.
 */
export function policyJson(policy: PermissionPolicyInput, field = 'orchestration.policy'): string {
  const parsed = PermissionPolicySchema.safeParse(policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
    const path = [field, ...(issue?.path ?? []).map(String), ...keys].join('.');
    throw new InvalidInputError(path, keys.length > 0 ? 'is not a known field' : (issue?.message ?? 'is invalid'));
  }
  return JSON.stringify(policy);
}
