import { z } from 'zod';

/**
 * Request schemas of every operation, with the length and range constraints of the Secrets Manager API model (a
 * violation becomes ValidationException, as AWS's front end answers; see `validation.ts`). Rules that AWS checks in
 * the service itself, with InvalidParameterException and its own text (ClientRequestToken length, RecoveryWindowInDays,
 * RotationRules, secret names, password feasibility), are checked by the operations, not here.
 */

const secretId = z.string().min(1).max(2048);
const token = z.string().optional();
const versionId = z.string().min(32).max(64);
const stage = z.string().min(1).max(256);
const secretString = z.string().max(65_536);
// SecretBinary travels as base64 in JSON; the decoded size limit is checked where it is decoded.
const secretBinary = z.string().min(1);
const tag = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) });
const tags = z.array(tag).max(50);
const maxResults = z.number().int().min(1).max(100).optional();
const nextToken = z.string().min(1).max(4096).optional();

/**
 * Members of the API model the endpoint does not model. They are declared so they reach the operation (zod would
 * drop an undeclared member silently), which refuses them (`not-modelled.ts`).
 */
const replicaRegions = z.array(z.object({ Region: z.string().optional(), KmsKeyId: z.string().optional() }));
const externalSecretType = z.string().min(1).max(256);

/** CreateSecret request members. */
export const CreateSecretInput = z.object({
  Name: z.string().min(1).max(512),
  ClientRequestToken: token,
  Description: z.string().max(2048).optional(),
  KmsKeyId: z.string().max(2048).optional(),
  SecretString: secretString.optional(),
  SecretBinary: secretBinary.optional(),
  Tags: tags.optional(),
  AddReplicaRegions: replicaRegions.optional(),
  ForceOverwriteReplicaSecret: z.boolean().optional(),
  Type: externalSecretType.optional(),
});

/** Requests that carry only SecretId: DescribeSecret, RestoreSecret, CancelRotateSecret. */
export const SecretIdInput = z.object({ SecretId: secretId });

/** GetSecretValue request members. */
export const GetSecretValueInput = z.object({
  SecretId: secretId,
  VersionId: versionId.optional(),
  VersionStage: stage.optional(),
});

/** ListSecretVersionIds request members. */
export const ListSecretVersionIdsInput = z.object({
  SecretId: secretId,
  MaxResults: maxResults,
  NextToken: nextToken,
  IncludeDeprecated: z.boolean().optional(),
});

/** ListSecrets request members; filter keys as the API model lists them. */
export const ListSecretsInput = z.object({
  MaxResults: maxResults,
  NextToken: nextToken,
  IncludePlannedDeletion: z.boolean().optional(),
  SortOrder: z.enum(['asc', 'desc']).optional(),
  Filters: z
    .array(
      z.object({
        Key: z.enum(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']),
        Values: z.array(z.string().min(1).max(512)).min(1).max(10),
      }),
    )
    .max(10)
    .optional(),
});

/** TagResource request members. */
export const TagResourceInput = z.object({ SecretId: secretId, Tags: tags });

/** UntagResource request members. */
export const UntagResourceInput = z.object({ SecretId: secretId, TagKeys: z.array(z.string().min(1).max(128)) });

/** DeleteSecret request members; the 7-30 day window is a service rule, checked in the store. */
export const DeleteSecretInput = z.object({
  SecretId: secretId,
  RecoveryWindowInDays: z.number().int().optional(),
  ForceDeleteWithoutRecovery: z.boolean().optional(),
});

/** PutSecretValue request members. */
export const PutSecretValueInput = z.object({
  SecretId: secretId,
  ClientRequestToken: token,
  SecretString: secretString.optional(),
  SecretBinary: secretBinary.optional(),
  VersionStages: z.array(stage).min(1).max(20).optional(),
  // Sensitive: accepted, never logged or echoed (PutSecretValueRequest.RotationToken).
  RotationToken: z.string().min(1).max(256).optional(),
});

/** UpdateSecret request members. */
export const UpdateSecretInput = z.object({
  SecretId: secretId,
  ClientRequestToken: token,
  Description: z.string().max(2048).optional(),
  KmsKeyId: z.string().max(2048).optional(),
  SecretString: secretString.optional(),
  SecretBinary: secretBinary.optional(),
  Type: externalSecretType.optional(),
});

/** UpdateSecretVersionStage request members. */
export const UpdateSecretVersionStageInput = z.object({
  SecretId: secretId,
  VersionStage: stage,
  RemoveFromVersionId: versionId.optional(),
  MoveToVersionId: versionId.optional(),
});

/** GetRandomPassword request members (PasswordLength 1-4096 per the model). */
export const GetRandomPasswordInput = z.object({
  PasswordLength: z.number().int().min(1).max(4096).optional(),
  ExcludeCharacters: z.string().max(4096).optional(),
  ExcludeNumbers: z.boolean().optional(),
  ExcludePunctuation: z.boolean().optional(),
  ExcludeUppercase: z.boolean().optional(),
  ExcludeLowercase: z.boolean().optional(),
  IncludeSpace: z.boolean().optional(),
  RequireEachIncludedType: z.boolean().optional(),
});

/** RotateSecret request members. */
export const RotateSecretInput = z.object({
  SecretId: secretId,
  ClientRequestToken: token,
  RotationLambdaARN: z.string().max(2048).optional(),
  RotationRules: z
    .object({
      // The 1-1000 range is checked with the other rules, as InvalidParameterException.
      AutomaticallyAfterDays: z.number().int().optional(),
      ScheduleExpression: z.string().min(1).max(256).optional(),
      Duration: z.string().min(2).max(3).regex(/^[0-9h]+$/).optional(),
    })
    .optional(),
  RotateImmediately: z.boolean().optional(),
  ExternalSecretRotationMetadata: z.array(z.object({ Key: z.string().optional(), Value: z.string().optional() })).optional(),
  ExternalSecretRotationRoleArn: z.string().optional(),
});
