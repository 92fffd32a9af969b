import { randomUUID } from 'node:crypto';
import { ActionRefusedError, SecretsManagerError } from '../errors';
import { AWSCURRENT, rotationInProgress, secretStore, versionWithStage } from '../secrets/secret-store';
import type { SecretsManager } from '../secrets/secrets-manager-client';
import { isServiceError } from '../secrets/secrets-manager-client';

/** A password secret as an action finds it. `currentValue` is held in memory only, never returned or logged. */
export interface SecretState {
  readonly exists: boolean;
  readonly arn?: string;
  readonly currentVersionId?: string;
  /** AWSPENDING on a version apart from AWSCURRENT: a rotation of this secret is in progress. */
  readonly pendingVersionId?: string;
  readonly currentValue?: Readonly<Record<string, unknown>>;
}

/**
 * A change to a password secret. For `create` and `put` the runner adds the generated password to `value`;
 * `put` without VersionStages makes the new version AWSCURRENT and Secrets Manager moves AWSPREVIOUS to the old
 * one (PutSecretValue), so the previous password stays readable.
 */
export type SecretChange =
  | { readonly kind: 'create'; readonly name: string; readonly kmsKeyId?: string; readonly description: string; readonly value: Readonly<Record<string, unknown>> }
  | { readonly kind: 'put'; readonly secretId: string; readonly previousVersionId: string; readonly value: Readonly<Record<string, unknown>> }
  | { readonly kind: 'promote'; readonly secretId: string; readonly toVersionId: string; readonly fromVersionId: string }
  | { readonly kind: 'delete'; readonly secretId: string };

/** What a change did, for the result and for undoing it. */
export interface AppliedSecret {
  readonly arn: string;
  readonly versionId?: string;
}

/** The Secrets Manager calls the actions make, beyond the rotation's SecretStore. */
export interface ActionSecrets {
  inspect(secretId: string): Promise<SecretState>;
  readVersion(secretId: string, versionId: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  /**
   * Makes the change. A failure whose outcome is unknown (a 5xx, a lost answer: the write may have landed) is undone
   * before it is thrown, since the runner then rolls the database back: a password the database never received must
   * not stay AWSCURRENT.
   */
  apply(change: SecretChange, password: string | undefined): Promise<AppliedSecret>;
  /** Best effort reversal of `apply`, for a COMMIT that failed after the secret was written. */
  undo(change: SecretChange, applied: AppliedSecret): Promise<void>;
}

/**
 * Secrets Manager calls for password secrets. Failures are SecretsManagerErrors naming AWS's error code; AWS's
 * messages name secrets and versions, never values.
 *
 * @example
 * const secrets = actionSecrets(secretsManagerClient({ endpoint, region }));
 * const state = await secrets.inspect('app/readonly');
 */
export function actionSecrets(client: SecretsManager): ActionSecrets {
  const store = secretStore(client);
  const secrets: ActionSecrets = {
    async inspect(secretId) {
      let described;
      try {
        described = await client.call('DescribeSecret', { SecretId: secretId });
      } catch (error) {
        if (isServiceError(error, 'ResourceNotFoundException')) return { exists: false };
        throw error;
      }
      if (described.DeletedDate !== undefined) {
        throw new ActionRefusedError(`secret ${described.ARN ?? secretId} is scheduled for deletion; restore it (RestoreSecret) or name another secret`);
      }
      const current = versionWithStage(described.VersionIdsToStages ?? {}, AWSCURRENT);
      const pending = rotationInProgress(described.VersionIdsToStages ?? {});
      const rotating = pending === undefined ? {} : { pendingVersionId: pending };
      if (current === undefined) return { exists: true, arn: described.ARN ?? secretId, ...rotating };
      const value = await readObject(client, secretId, current);
      return { exists: true, arn: described.ARN ?? secretId, currentVersionId: current, ...rotating, ...(value === undefined ? {} : { currentValue: value }) };
    },

    readVersion: (secretId, versionId) => readObject(client, secretId, versionId),

    async apply(change, password) {
      // Our own token: the version a lost answer may have made is then known, and can be undone.
      const token = randomUUID();
      const planned: AppliedSecret = { arn: change.kind === 'create' ? change.name : change.secretId, versionId: change.kind === 'promote' ? change.toVersionId : token };
      const landedOrUndone = async <T>(call: () => Promise<T>): Promise<T> => {
        try {
          return await call();
        } catch (error) {
          if (!rejectedByService(error)) await secrets.undo(change, planned).catch(() => undefined);
          throw error;
        }
      };
      switch (change.kind) {
        case 'create': {
          const secretString = JSON.stringify({ ...change.value, password: required(password) });
          const out = await landedOrUndone(() =>
            client.call('CreateSecret', { Name: change.name, Description: change.description, KmsKeyId: change.kmsKeyId, SecretString: secretString, ClientRequestToken: token }),
          );
          return { arn: out.ARN ?? change.name, versionId: out.VersionId };
        }
        case 'put': {
          const secretString = JSON.stringify({ ...change.value, password: required(password) });
          const out = await landedOrUndone(() => client.call('PutSecretValue', { SecretId: change.secretId, SecretString: secretString, ClientRequestToken: token }));
          return { arn: out.ARN ?? change.secretId, versionId: out.VersionId };
        }
        case 'promote':
          await landedOrUndone(() => store.promote(change.secretId, change.toVersionId, change.fromVersionId));
          return { arn: change.secretId, versionId: change.toVersionId };
        case 'delete': {
          // The default 30-day recovery window: a rollback that deletes a secret can itself be undone (RestoreSecret).
          const out = await landedOrUndone(() => client.call('DeleteSecret', { SecretId: change.secretId }));
          return { arn: out.ARN ?? change.secretId };
        }
      }
    },

    async undo(change, applied) {
      switch (change.kind) {
        case 'create': {
          // Only the secret this action made (it carries the action's version): a name someone else took is left alone.
          const described = await client.call('DescribeSecret', { SecretId: applied.arn });
          if (applied.versionId === undefined || described.VersionIdsToStages?.[applied.versionId] === undefined) return;
          await client.call('DeleteSecret', { SecretId: described.ARN ?? applied.arn, ForceDeleteWithoutRecovery: true });
          return;
        }
        case 'put':
          if (applied.versionId !== undefined && change.previousVersionId !== '') {
            await store.promote(change.secretId, change.previousVersionId, applied.versionId);
          }
          return;
        case 'promote':
          await store.promote(change.secretId, change.fromVersionId, change.toVersionId);
          return;
        case 'delete':
          await client.call('RestoreSecret', { SecretId: change.secretId });
          return;
      }
    },
  };
  return secrets;
}

/** Secrets Manager answered and refused (4xx): nothing was applied. Anything else (a 5xx, no answer) may have landed. */
function rejectedByService(error: unknown): boolean {
  const status = error instanceof SecretsManagerError ? error.httpStatus : undefined;
  return status !== undefined && status >= 400 && status < 500;
}

async function readObject(client: SecretsManager, secretId: string, versionId: string): Promise<Readonly<Record<string, unknown>> | undefined> {
  let text: string | undefined;
  try {
    text = (await client.call('GetSecretValue', { SecretId: secretId, VersionId: versionId })).SecretString;
  } catch (error) {
    if (isServiceError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message can quote the value; say only what is wrong.
    throw new ActionRefusedError(`secret ${secretId} does not hold a JSON object; pg-rotator will not overwrite it`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ActionRefusedError(`secret ${secretId} does not hold a JSON object; pg-rotator will not overwrite it`);
  }
  return parsed as Record<string, unknown>;
}

function required(password: string | undefined): string {
  // The runner generates a password for every action whose plan creates or updates a password secret.
  if (password === undefined) throw new ActionRefusedError('no password was generated for a secret that needs one');
  return password;
}
