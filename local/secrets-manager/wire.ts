import { epochSeconds } from './protocol';
import { rotationRulesToWire } from './rotation-rules';
import { nextRotation } from './rotation-state';
import type { SecretRecord, SecretValue, SecretVersion } from './secret-record';
import { isDeprecated } from './staging-labels';

/**
 * Records as the API shows them. Optional members are left out rather than sent as null, as AWS does, and the
 * rotation members appear only once rotation was configured (the AWS rotation templates read `RotationEnabled` only
 * "if present").
 */

type Wire = Record<string, unknown>;

function labelledVersions(secret: SecretRecord): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const [versionId, labels] of secret.stages) {
    if (!isDeprecated(labels)) map[versionId] = [...labels];
  }
  return map;
}

/** The members DescribeSecret and a ListSecrets entry share. */
function secretMetadata(secret: SecretRecord): Wire {
  const wire: Wire = { ARN: secret.arn, Name: secret.name };
  if (secret.description !== undefined) wire.Description = secret.description;
  if (secret.kmsKeyId !== undefined) wire.KmsKeyId = secret.kmsKeyId;
  const rotation = secret.rotation;
  if (rotation) {
    wire.RotationEnabled = rotation.enabled;
    wire.RotationLambdaARN = rotation.lambdaArn;
    if (rotation.rules) wire.RotationRules = rotationRulesToWire(rotation.rules);
    if (rotation.lastRotatedAt) wire.LastRotatedDate = epochSeconds(rotation.lastRotatedAt);
    const next = nextRotation(secret);
    if (next) wire.NextRotationDate = epochSeconds(next);
  }
  wire.LastChangedDate = epochSeconds(secret.lastChangedAt);
  if (secret.lastAccessedAt) wire.LastAccessedDate = epochSeconds(secret.lastAccessedAt);
  if (secret.deletionDate) wire.DeletedDate = epochSeconds(secret.deletionDate);
  if (secret.tags.length > 0) wire.Tags = secret.tags.map((t) => ({ Key: t.Key, Value: t.Value }));
  wire.CreatedDate = epochSeconds(secret.createdAt);
  return wire;
}

/** DescribeSecret's answer. */
export function describeSecretOutput(secret: SecretRecord): Wire {
  return { ...secretMetadata(secret), VersionIdsToStages: labelledVersions(secret) };
}

/** One SecretListEntry of ListSecrets. */
export function secretListEntry(secret: SecretRecord): Wire {
  return { ...secretMetadata(secret), SecretVersionsToStages: labelledVersions(secret) };
}

/** SecretString, or SecretBinary as base64 (blobs travel base64-encoded in JSON). */
export function valueMembers(value: SecretValue): Wire {
  return value.kind === 'string' ? { SecretString: value.text } : { SecretBinary: value.bytes.toString('base64') };
}

/** One SecretVersionsListEntry of ListSecretVersionIds. */
export function versionListEntry(version: SecretVersion, versionStages: readonly string[], kmsKeyId?: string): Wire {
  const wire: Wire = { VersionId: version.id, VersionStages: [...versionStages], CreatedDate: epochSeconds(version.createdAt) };
  if (version.lastAccessedAt) wire.LastAccessedDate = epochSeconds(version.lastAccessedAt);
  if (kmsKeyId !== undefined) wire.KmsKeyIds = [kmsKeyId];
  return wire;
}
