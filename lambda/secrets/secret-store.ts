import { SecretsManagerError } from '../errors';
import type { PasswordPolicy } from './password-policy';
import type { SecretsManager } from './secrets-manager-client';
import { isServiceError } from './secrets-manager-client';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

export interface SecretMetadata {
  readonly arn: string;
  /** Absent until rotation was ever configured; AWS's functions treat absent as enabled. */
  readonly rotationEnabled: boolean | undefined;
  readonly versionIdsToStages: VersionStages;
  /** The secret's tags: `pg-rotator:*` ones may bind it (rotation/binding-tags.ts); DescribeSecret returns them, no extra call. */
  readonly tags: readonly { readonly Key?: string; readonly Value?: string }[];
}

/** DescribeSecret's VersionIdsToStages. */
export type VersionStages = Readonly<Record<string, readonly string[]>>;

/** The version holding a staging label, if any. */
export function versionWithStage(stages: VersionStages, stage: string): string | undefined {
  return Object.entries(stages).find(([, labels]) => labels.includes(stage))?.[0];
}

/** The version AWSPENDING is on while apart from AWSCURRENT: the token of a rotation in progress, if any. */
export function rotationInProgress(stages: VersionStages): string | undefined {
  return Object.entries(stages).find(([, labels]) => labels.includes(AWSPENDING) && !labels.includes(AWSCURRENT))?.[0];
}

export interface SecretVersion {
  /** The secret's complete ARN, as Secrets Manager answers it, whatever name or ARN it was asked for by. */
  readonly arn: string;
  readonly versionId: string;
  readonly secretString: string | undefined;
}

/**
 * The Secrets Manager calls rotation makes, and nothing else. Failures are SecretsManagerErrors naming AWS's error
 * code: the messages are AWS's, the SecretString never appears in them.
 */
export interface SecretStore {
  describe(secretId: string): Promise<SecretMetadata>;
  /** The version with this id and/or stage, or undefined when it does not exist or holds no value yet. */
  find(secretId: string, selector: { versionId?: string; stage?: string }): Promise<SecretVersion | undefined>;
  /** Writes the pending value for a rotation token. PutSecretValue is idempotent for the same token and value. */
  putPending(secretId: string, token: string, secretString: string, rotationToken: string | undefined): Promise<void>;
  /**
   * Writes a new AWSCURRENT version with this id (ClientRequestToken): the same id and value again is a no-op, as
   * PutSecretValue is idempotent for them.
   */
  putCurrent(secretId: string, versionId: string, secretString: string): Promise<void>;
  /** Moves AWSCURRENT to `toVersionId`; Secrets Manager moves AWSPREVIOUS to `fromVersionId` with it. */
  promote(secretId: string, toVersionId: string, fromVersionId: string): Promise<void>;
  randomPassword(policy: PasswordPolicy): Promise<string>;
}

export function secretStore(secretsManager: SecretsManager): SecretStore {
  return {
    async describe(secretId) {
      const out = await secretsManager.call('DescribeSecret', { SecretId: secretId });
      return {
        arn: out.ARN ?? secretId,
        rotationEnabled: out.RotationEnabled,
        versionIdsToStages: out.VersionIdsToStages ?? {},
        tags: out.Tags ?? [],
      };
    },

    async find(secretId, selector) {
      try {
        const out = await secretsManager.call('GetSecretValue', { SecretId: secretId, VersionId: selector.versionId, VersionStage: selector.stage });
        return { arn: out.ARN ?? secretId, versionId: out.VersionId ?? '', secretString: out.SecretString };
      } catch (error) {
        if (isServiceError(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    },

    async putPending(secretId, token, secretString, rotationToken) {
      await secretsManager.call('PutSecretValue', {
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: secretString,
        VersionStages: [AWSPENDING],
        RotationToken: rotationToken,
      });
    },

    async putCurrent(secretId, versionId, secretString) {
      await secretsManager.call('PutSecretValue', { SecretId: secretId, ClientRequestToken: versionId, SecretString: secretString });
    },

    async promote(secretId, toVersionId, fromVersionId) {
      await secretsManager.call('UpdateSecretVersionStage', {
        SecretId: secretId,
        VersionStage: AWSCURRENT,
        MoveToVersionId: toVersionId,
        RemoveFromVersionId: fromVersionId,
      });
    },

    async randomPassword(policy) {
      const out = await secretsManager.call('GetRandomPassword', {
        PasswordLength: policy.length,
        ExcludeCharacters: policy.excludeCharacters || undefined,
        ExcludeNumbers: policy.excludeNumbers,
        ExcludePunctuation: policy.excludePunctuation,
        ExcludeUppercase: policy.excludeUppercase,
        ExcludeLowercase: policy.excludeLowercase,
        IncludeSpace: false,
        RequireEachIncludedType: policy.requireEachIncludedType,
      });
      if (!out.RandomPassword) throw new SecretsManagerError('GetRandomPassword', 'EmptyResponse', 'returned no password');
      return out.RandomPassword;
    },
  };
}
