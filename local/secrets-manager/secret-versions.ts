import { randomUUID } from 'node:crypto';
import { AwsApiError, MARKED_FOR_DELETION_MESSAGE, invalidParameter, invalidRequest } from './errors';
import type { SecretRecord, SecretValue, SecretVersion } from './secret-record';
import { accessDay, sameValue } from './secret-record';
import type { VersionStageUpdate } from './staging-labels';
import { AWSCURRENT, attachLabels, isDeprecated, updateVersionStage, versionWithLabel } from './staging-labels';

/**
 * The version-level operations on one secret: PutSecretValue, GetSecretValue, UpdateSecretVersionStage and the
 * listing behind ListSecretVersionIds. Each function takes the secret and the time and changes only the secret.
 */

/** AWS keeps at most 100 versions; older deprecated ones are removed, but none younger than a day. */
const MAX_VERSIONS = 100;
const DAY_MS = 86_400_000;

/**
 * The ClientRequestToken rule every operation shares.
 *
 * @throws AwsApiError InvalidParameterException unless 32-64 characters long.
 */
export function checkClientRequestToken(token: string): void {
  if (token.length < 32 || token.length > 64) {
    throw invalidParameter('ClientRequestToken must be 32-64 characters long.');
  }
}

function assertNotDeleted(secret: SecretRecord): void {
  if (secret.deletionDate) throw invalidRequest(MARKED_FOR_DELETION_MESSAGE);
}

/** What PutSecretValue asks for, after its schema. */
export interface PutValueRequest {
  readonly value?: SecretValue | undefined;
  readonly clientRequestToken?: string | undefined;
  readonly versionStages?: readonly string[] | undefined;
}

/**
 * PutSecretValue, as the API reference documents it:
 * - the token is the new VersionId; a retry with the same token and the same value changes nothing and answers with
 *   the existing version; the same token with another value is ResourceExistsException;
 * - except the empty version RotateSecret created for that token, which this call fills (that is how a rotation
 *   function's createSecret stores the pending value);
 * - `VersionStages` omitted means AWSCURRENT; the first version always gets AWSCURRENT; moving AWSCURRENT moves
 *   AWSPREVIOUS (see `staging-labels.ts`).
 * A manual update of AWSCURRENT counts as a rotation for the schedule ("Manually updating the secret value by
 * calling PutSecretValue ... is considered a valid rotation").
 */
export function putSecretValue(
  secret: SecretRecord,
  request: PutValueRequest,
  now: Date,
): { versionId: string; versionStages: readonly string[] } {
  assertNotDeleted(secret);
  if (request.value === undefined) throw invalidRequest('You must provide either SecretString or SecretBinary.');
  const versionId = request.clientRequestToken ?? randomUUID();
  checkClientRequestToken(versionId);

  const existing = secret.versions.get(versionId);
  if (existing?.value !== undefined) {
    if (sameValue(existing.value, request.value)) {
      return { versionId, versionStages: secret.stages.get(versionId) ?? [] };
    }
    throw new AwsApiError(
      'ResourceExistsException',
      `You can't use ClientRequestToken ${versionId} because that value is already in use for a version of secret ${secret.arn}.`,
    );
  }
  if (existing) {
    existing.value = request.value;
  } else {
    secret.versions.set(versionId, { id: versionId, value: request.value, createdAt: now, createdByRotation: false });
  }
  const labels = request.versionStages ?? [AWSCURRENT];
  secret.stages = attachLabels(secret.stages, versionId, labels);
  secret.lastChangedAt = now;
  if (secret.rotation && labels.includes(AWSCURRENT)) secret.rotation.scheduleBase = now;
  pruneDeprecated(secret, now);
  return { versionId, versionStages: secret.stages.get(versionId) ?? [] };
}

/** Drops the oldest deprecated versions beyond AWS's 100, sparing any younger than 24 hours. */
function pruneDeprecated(secret: SecretRecord, now: Date): void {
  const excess = secret.versions.size - MAX_VERSIONS;
  if (excess <= 0) return;
  const removable = [...secret.versions.values()]
    .filter((v) => isDeprecated(secret.stages.get(v.id)) && now.getTime() - v.createdAt.getTime() >= DAY_MS)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .slice(0, excess);
  for (const version of removable) removeVersion(secret, version.id);
}

/** Forgets a version and its labels entirely. */
export function removeVersion(secret: SecretRecord, versionId: string): void {
  secret.versions.delete(versionId);
  const stages = new Map(secret.stages);
  stages.delete(versionId);
  secret.stages = stages;
}

/** What GetSecretValue asks for, after its schema. */
export interface GetValueRequest {
  readonly versionId?: string | undefined;
  readonly versionStage?: string | undefined;
}

/**
 * GetSecretValue: by VersionId and/or VersionStage (default AWSCURRENT). Both given must agree; a version without a
 * value (the pending version before createSecret ran) is ResourceNotFoundException with AWS's text, which the
 * rotation templates' createSecret relies on to decide it must generate a password.
 */
export function getSecretValue(
  secret: SecretRecord,
  request: GetValueRequest,
  now: Date,
): { version: SecretVersion & { value: SecretValue }; versionStages: readonly string[] } {
  assertNotDeleted(secret);
  const { versionId, versionStage } = request;
  const notFound = (what: string) =>
    new AwsApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${what}`);

  let id: string | undefined;
  if (versionId !== undefined) {
    if (!secret.versions.has(versionId)) throw notFound(`VersionId: ${versionId}`);
    if (versionStage !== undefined && !(secret.stages.get(versionId) ?? []).includes(versionStage)) {
      throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
    }
    id = versionId;
  } else {
    id = versionWithLabel(secret.stages, versionStage ?? AWSCURRENT);
  }
  const version = id === undefined ? undefined : secret.versions.get(id);
  const what = versionId !== undefined && versionStage === undefined ? `VersionId: ${versionId}` : `staging label: ${versionStage ?? AWSCURRENT}`;
  if (version?.value === undefined) throw notFound(what);

  version.lastAccessedAt = accessDay(now);
  secret.lastAccessedAt = version.lastAccessedAt;
  return { version: { ...version, value: version.value }, versionStages: secret.stages.get(version.id) ?? [] };
}

/** UpdateSecretVersionStage on one secret; the label rules are in `staging-labels.ts`. */
export function updateSecretVersionStage(secret: SecretRecord, update: VersionStageUpdate, now: Date): void {
  assertNotDeleted(secret);
  secret.stages = updateVersionStage(secret.stages, update);
  secret.lastChangedAt = now;
}

/**
 * The versions ListSecretVersionIds shows: those with labels, plus the deprecated ones when asked ("Versions without
 * staging labels are considered deprecated and are not included in the list" unless IncludeDeprecated).
 */
export function listVersions(
  secret: SecretRecord,
  includeDeprecated: boolean,
): { version: SecretVersion; versionStages: readonly string[] }[] {
  return [...secret.versions.values()]
    .map((version) => ({ version, versionStages: secret.stages.get(version.id) ?? [] }))
    .filter((entry) => includeDeprecated || !isDeprecated(entry.versionStages));
}
