import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  GetRandomPasswordRequest,
  GetRandomPasswordResponse,
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretsRequest,
  ListSecretsResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
  RotateSecretRequest,
  RotateSecretResponse,
  UpdateSecretVersionStageRequest,
  UpdateSecretVersionStageResponse,
} from '@aws-sdk/client-secrets-manager';

/**
 * The Secrets Manager operations the function calls, with their input and output shapes. The shapes are the AWS
 * SDK's own types (a type-only import: no SDK code reaches the bundle), so they follow AWS's model as the SDK does.
 */
export interface SecretsManagerOperations {
  CreateSecret: { input: CreateSecretRequest; output: CreateSecretResponse };
  DeleteSecret: { input: DeleteSecretRequest; output: DeleteSecretResponse };
  DescribeSecret: { input: DescribeSecretRequest; output: DescribeSecretResponse };
  GetRandomPassword: { input: GetRandomPasswordRequest; output: GetRandomPasswordResponse };
  GetSecretValue: { input: GetSecretValueRequest; output: GetSecretValueResponse };
  ListSecrets: { input: ListSecretsRequest; output: ListSecretsResponse };
  ListSecretVersionIds: { input: ListSecretVersionIdsRequest; output: ListSecretVersionIdsResponse };
  PutSecretValue: { input: PutSecretValueRequest; output: PutSecretValueResponse };
  RestoreSecret: { input: RestoreSecretRequest; output: RestoreSecretResponse };
  RotateSecret: { input: RotateSecretRequest; output: RotateSecretResponse };
  UpdateSecretVersionStage: { input: UpdateSecretVersionStageRequest; output: UpdateSecretVersionStageResponse };
}

export type SecretsManagerOperation = keyof SecretsManagerOperations;

/**
 * The operations the function calls whose ClientRequestToken is an idempotency token (the model's
 * `idempotencyToken` trait): when the caller leaves it out, the client makes one, as the SDKs do, once per call, so
 * that a retried attempt repeats the same write instead of making a second version.
 */
export const IDEMPOTENT_WRITES: ReadonlySet<string> = new Set<SecretsManagerOperation>(['CreateSecret', 'PutSecretValue', 'RotateSecret']);

/**
 * Every timestamp member of Secrets Manager's outputs. The JSON protocol sends timestamps as epoch seconds; the
 * client turns these members into Dates, as the SDK's types promise. test/unit/secrets-manager-client.test.ts holds
 * this list to the SDK's schemas.
 */
export const TIMESTAMP_MEMBERS: ReadonlySet<string> = new Set([
  'CreatedDate',
  'DeletedDate',
  'DeletionDate',
  'LastAccessedDate',
  'LastChangedDate',
  'LastRotatedDate',
  'NextRotationDate',
]);
