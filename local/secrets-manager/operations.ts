import { randomUUID } from 'node:crypto';
import { AwsApiError, CANNOT_INVOKE_MESSAGE, invalidParameter, notModelled } from './errors';
import { checkKmsKeyId } from './kms-key-id';
import { listSecrets } from './list-secrets';
import { NOT_MODELLED_OPERATIONS, refuseUnmodelledMembers } from './not-modelled';
import { paginate } from './pagination';
import { epochSeconds } from './protocol';
import { DEFAULT_PASSWORD_OPTIONS, generatePassword } from './random-password';
import type { RotationDriver } from './rotation-driver';
import type { InvokeCheck } from './rotation-outcome';
import { parseRotationRules } from './rotation-rules';
import { beginRotation, cancelRotation, checkRotation } from './rotation-state';
import * as S from './schemas';
import type { SecretValue } from './secret-record';
import { getSecretValue, listVersions, putSecretValue, updateSecretVersionStage } from './secret-versions';
import type { SecretStore } from './store';
import { parseInput } from './validation';
import { describeSecretOutput, secretListEntry, valueMembers, versionListEntry } from './wire';

/**
 * One function per Secrets Manager operation: validate the input with its schema, apply the rule modules to the
 * store, shape the answer. Free of HTTP (the server adds faults and transport) and synchronous, but for RotateSecret,
 * which asks Lambda whether the function can be invoked before it changes anything.
 */

/** An operation: JSON input in, JSON output out; throws (or rejects with) AwsApiError. */
export type Operation = (input: Record<string, unknown>) => unknown;

/** What the operations work on. */
export interface OperationContext {
  readonly store: SecretStore;
  readonly driver: RotationDriver;
  /** Whether Secrets Manager could invoke a rotation function; absent when no Lambda endpoint is known. */
  readonly canInvoke: InvokeCheck | undefined;
}

const MAX_VALUE_BYTES = 65_536;

/** SecretString or SecretBinary (base64 on the wire), never both. */
function valueFrom(secretString: string | undefined, secretBinary: string | undefined): SecretValue | undefined {
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (secretString !== undefined) return { kind: 'string', text: secretString };
  if (secretBinary === undefined) return undefined;
  const bytes = Buffer.from(secretBinary, 'base64');
  if (bytes.length === 0 || bytes.length > MAX_VALUE_BYTES) {
    throw new AwsApiError(
      'ValidationException',
      `1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must have length between 1 and ${MAX_VALUE_BYTES}`,
    );
  }
  return { kind: 'binary', bytes };
}

/**
 * The operation table of one endpoint.
 *
 * @example
 * const ops = createOperations({ store, driver, canInvoke: lambda.canInvoke });
 * ops.DescribeSecret?.({ SecretId: 'app/db' });
 */
export function createOperations({ store, driver, canInvoke }: OperationContext): Record<string, Operation> {
  const ids = (secret: { arn: string; name: string }) => ({ ARN: secret.arn, Name: secret.name });
  const notModelledOperations = Object.fromEntries(
    Object.entries(NOT_MODELLED_OPERATIONS).map(([name, feature]): [string, Operation] => [
      name,
      () => {
        throw notModelled(name, feature);
      },
    ]),
  );

  return {
    ...notModelledOperations,

    CreateSecret: (raw) => {
      const input = parseInput(S.CreateSecretInput, raw);
      refuseUnmodelledMembers('CreateSecret', input);
      checkKmsKeyId(input.KmsKeyId);
      const { secret, versionId } = store.create({
        name: input.Name,
        clientRequestToken: input.ClientRequestToken,
        description: input.Description,
        kmsKeyId: input.KmsKeyId,
        value: valueFrom(input.SecretString, input.SecretBinary),
        tags: input.Tags,
      });
      return { ...ids(secret), ...(versionId ? { VersionId: versionId } : {}) };
    },

    DescribeSecret: (raw) => {
      const input = parseInput(S.SecretIdInput, raw);
      return describeSecretOutput(store.find(input.SecretId, { allowDeleted: true }));
    },

    GetSecretValue: (raw) => {
      const input = parseInput(S.GetSecretValueInput, raw);
      const secret = store.find(input.SecretId);
      const { version, versionStages } = getSecretValue(
        secret,
        { versionId: input.VersionId, versionStage: input.VersionStage },
        store.now(),
      );
      return {
        ...ids(secret),
        VersionId: version.id,
        ...valueMembers(version.value),
        VersionStages: [...versionStages],
        CreatedDate: epochSeconds(version.createdAt),
      };
    },

    ListSecretVersionIds: (raw) => {
      const input = parseInput(S.ListSecretVersionIdsInput, raw);
      const secret = store.find(input.SecretId, { allowDeleted: true });
      const entries = listVersions(secret, input.IncludeDeprecated ?? false);
      const page = paginate(`ListSecretVersionIds:${secret.arn}`, entries, input.MaxResults, input.NextToken);
      return {
        ...ids(secret),
        Versions: page.items.map((e) => versionListEntry(e.version, e.versionStages, secret.kmsKeyId)),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    ListSecrets: (raw) => {
      const input = parseInput(S.ListSecretsInput, raw);
      const shown = listSecrets(store.all(), {
        filters: input.Filters ?? [],
        includePlannedDeletion: input.IncludePlannedDeletion ?? false,
        sortOrder: input.SortOrder ?? 'asc',
      });
      const page = paginate('ListSecrets', shown, input.MaxResults, input.NextToken);
      return { SecretList: page.items.map(secretListEntry), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },

    TagResource: (raw) => {
      const input = parseInput(S.TagResourceInput, raw);
      store.tag(input.SecretId, input.Tags);
      return {};
    },

    UntagResource: (raw) => {
      const input = parseInput(S.UntagResourceInput, raw);
      store.untag(input.SecretId, input.TagKeys);
      return {};
    },

    DeleteSecret: (raw) => {
      const input = parseInput(S.DeleteSecretInput, raw);
      const { identity, deletionDate } = store.delete(input.SecretId, {
        recoveryWindowInDays: input.RecoveryWindowInDays,
        forceDeleteWithoutRecovery: input.ForceDeleteWithoutRecovery,
      });
      return {
        ...(identity.arn !== undefined ? { ARN: identity.arn } : {}),
        ...(identity.name !== undefined ? { Name: identity.name } : {}),
        DeletionDate: epochSeconds(deletionDate),
      };
    },

    RestoreSecret: (raw) => ids(store.restore(parseInput(S.SecretIdInput, raw).SecretId)),

    PutSecretValue: (raw) => {
      const input = parseInput(S.PutSecretValueInput, raw);
      const secret = store.find(input.SecretId);
      if (input.RotationToken !== undefined) driver.noteRotationToken(input.RotationToken);
      const { versionId, versionStages } = putSecretValue(
        secret,
        {
          value: valueFrom(input.SecretString, input.SecretBinary),
          clientRequestToken: input.ClientRequestToken,
          versionStages: input.VersionStages,
        },
        store.now(),
      );
      return { ...ids(secret), VersionId: versionId, VersionStages: [...versionStages] };
    },

    UpdateSecret: (raw) => {
      const input = parseInput(S.UpdateSecretInput, raw);
      refuseUnmodelledMembers('UpdateSecret', input);
      checkKmsKeyId(input.KmsKeyId);
      const secret = store.find(input.SecretId);
      const value = valueFrom(input.SecretString, input.SecretBinary);
      const now = store.now();
      if (input.Description !== undefined) secret.description = input.Description;
      if (input.KmsKeyId !== undefined) secret.kmsKeyId = input.KmsKeyId;
      secret.lastChangedAt = now;
      if (value === undefined) return ids(secret);
      // "If you include SecretString or SecretBinary, then Secrets Manager creates a new version ... AWSCURRENT".
      const { versionId } = putSecretValue(secret, { value, clientRequestToken: input.ClientRequestToken }, now);
      return { ...ids(secret), VersionId: versionId };
    },

    UpdateSecretVersionStage: (raw) => {
      const input = parseInput(S.UpdateSecretVersionStageInput, raw);
      const secret = store.find(input.SecretId);
      updateSecretVersionStage(
        secret,
        { label: input.VersionStage, moveToVersionId: input.MoveToVersionId, removeFromVersionId: input.RemoveFromVersionId },
        store.now(),
      );
      return ids(secret);
    },

    GetRandomPassword: (raw) => {
      const input = parseInput(S.GetRandomPasswordInput, raw);
      const d = DEFAULT_PASSWORD_OPTIONS;
      return {
        RandomPassword: generatePassword({
          passwordLength: input.PasswordLength ?? d.passwordLength,
          excludeCharacters: input.ExcludeCharacters ?? d.excludeCharacters,
          excludeNumbers: input.ExcludeNumbers ?? d.excludeNumbers,
          excludePunctuation: input.ExcludePunctuation ?? d.excludePunctuation,
          excludeUppercase: input.ExcludeUppercase ?? d.excludeUppercase,
          excludeLowercase: input.ExcludeLowercase ?? d.excludeLowercase,
          includeSpace: input.IncludeSpace ?? d.includeSpace,
          requireEachIncludedType: input.RequireEachIncludedType ?? d.requireEachIncludedType,
        }),
      };
    },

    RotateSecret: async (raw) => {
      const input = parseInput(S.RotateSecretInput, raw);
      refuseUnmodelledMembers('RotateSecret', input);
      const rules = input.RotationRules ? parseRotationRules(input.RotationRules) : undefined;
      const request = {
        // The SDK fills a token in; a raw request may not. Drawn once, so the check and the change agree.
        clientRequestToken: input.ClientRequestToken ?? randomUUID(),
        rotationLambdaArn: input.RotationLambdaARN,
        rules,
        testOnly: input.RotateImmediately === false,
      };
      const found = store.find(input.SecretId);
      const { lambdaArn } = checkRotation(found, request, driver.isRunning(found.arn));
      // AWS answers at once, changing nothing, when it cannot invoke the function (it never starts a rotation that
      // would leave the secret stuck with "A previous rotation isn't complete").
      if (!(await canInvoke?.(lambdaArn))) throw new AwsApiError('AccessDeniedException', CANNOT_INVOKE_MESSAGE);
      const secret = store.find(input.SecretId);
      const start = beginRotation(secret, request, driver.isRunning(secret.arn), store.now());
      void driver.start(
        {
          secretArn: secret.arn,
          secretName: secret.name,
          versionId: start.versionId,
          lambdaArn: start.lambdaArn,
          mode: request.testOnly ? 'test-only' : 'rotate',
        },
        'RotateSecret',
      );
      return { ...ids(secret), VersionId: start.versionId };
    },

    CancelRotateSecret: (raw) => {
      const input = parseInput(S.SecretIdInput, raw);
      const secret = store.find(input.SecretId);
      const { incompleteVersionId } = cancelRotation(secret, store.now());
      driver.cancel(secret.arn);
      return { ...ids(secret), ...(incompleteVersionId ? { VersionId: incompleteVersionId } : {}) };
    },
  };
}
