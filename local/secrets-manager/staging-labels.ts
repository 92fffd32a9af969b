import { invalidParameter } from './errors';

/**
 * Staging-label rules of Secrets Manager, as pure functions over a map from VersionId to its labels. Nothing here
 * knows about secrets, values or HTTP; every function returns a new map and leaves its input alone.
 *
 * The rules, from the API reference (PutSecretValue, UpdateSecretVersionStage) and the rotation guide:
 * - a label is attached to at most one version of a secret;
 * - whenever AWSCURRENT moves, AWSPREVIOUS moves to the version AWSCURRENT was removed from;
 * - AWSCURRENT can only be moved, never removed;
 * - a version with no label is "deprecated" (hidden by default, and Secrets Manager may delete it).
 */

/** VersionId -> the labels attached to it. A version with an empty list is deprecated. */
export type StageMap = ReadonlyMap<string, readonly string[]>;

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

const CURRENT_CANNOT_BE_REMOVED =
  "You can only move staging label AWSCURRENT to a different secret version. It can't be completely detached.";

/**
 * The version carrying `label`, if any.
 *
 * @example
 * versionWithLabel(new Map([['v1', ['AWSCURRENT']]]), 'AWSCURRENT'); // 'v1'
 */
export function versionWithLabel(stages: StageMap, label: string): string | undefined {
  for (const [versionId, labels] of stages) {
    if (labels.includes(label)) return versionId;
  }
  return undefined;
}

/** True when the version has no label left (AWS calls it deprecated). */
export function isDeprecated(labels: readonly string[] | undefined): boolean {
  return labels === undefined || labels.length === 0;
}

function copy(stages: StageMap): Map<string, string[]> {
  return new Map([...stages].map(([versionId, labels]) => [versionId, [...labels]]));
}

function without(labels: readonly string[] | undefined, label: string): string[] {
  return (labels ?? []).filter((l) => l !== label);
}

function withLabel(labels: readonly string[] | undefined, label: string): string[] {
  const list = [...(labels ?? [])];
  if (!list.includes(label)) list.push(label);
  return list;
}

/**
 * Moves one label onto `toVersionId`, taking it off whichever version held it. Moving AWSCURRENT also moves
 * AWSPREVIOUS to the version that lost AWSCURRENT (and so off the new current, if it had it).
 *
 * @example
 * moveLabel(new Map([['v1', ['AWSCURRENT', 'AWSPENDING']], ['v2', []]]), 'AWSPENDING', 'v2');
 * // Map { 'v1' => ['AWSCURRENT'], 'v2' => ['AWSPENDING'] }
 */
export function moveLabel(stages: StageMap, label: string, toVersionId: string): Map<string, string[]> {
  const next = copy(stages);
  moveInPlace(next, label, toVersionId);
  return next;
}

function moveInPlace(stages: Map<string, string[]>, label: string, toVersionId: string): void {
  const holder = versionWithLabel(stages, label);
  if (holder === toVersionId) return;
  if (holder !== undefined) stages.set(holder, without(stages.get(holder), label));
  stages.set(toVersionId, withLabel(stages.get(toVersionId), label));
  if (label === AWSCURRENT && holder !== undefined) {
    for (const [versionId, labels] of stages) stages.set(versionId, without(labels, AWSPREVIOUS));
    stages.set(holder, withLabel(stages.get(holder), AWSPREVIOUS));
  }
}

/**
 * PutSecretValue / CreateSecret semantics: attach each requested label to `versionId`, removing it from any other
 * version ("If you specify a staging label that's already associated with a different version of the same secret,
 * then Secrets Manager removes the label from the other version"). When no version carries AWSCURRENT yet, the new
 * version gets it too ("If this operation creates the first version for the secret then Secrets Manager
 * automatically attaches the staging label AWSCURRENT"). Labels the version already has are kept.
 *
 * Unlike moto, the version that loses AWSCURRENT keeps its other labels: AWS documents only the AWSPREVIOUS move.
 *
 * The order of `labels` does not matter: VersionStages is a set of labels the version ends up with. AWSCURRENT goes
 * first, so its automatic AWSPREVIOUS move happens before the labels asked for explicitly and never undoes one of
 * them ([AWSPREVIOUS, AWSCURRENT] is [AWSCURRENT, AWSPREVIOUS]).
 *
 * @example
 * attachLabels(new Map([['v1', ['AWSCURRENT']]]), 'v2', ['AWSCURRENT']);
 * // Map { 'v1' => ['AWSPREVIOUS'], 'v2' => ['AWSCURRENT'] }
 */
export function attachLabels(stages: StageMap, versionId: string, labels: readonly string[]): Map<string, string[]> {
  const next = copy(stages);
  if (!next.has(versionId)) next.set(versionId, []);
  const wanted = labels.includes(AWSCURRENT) ? [AWSCURRENT, ...labels.filter((label) => label !== AWSCURRENT)] : [...labels];
  // The first version: no AWSCURRENT holder, so no AWSPREVIOUS moves and the order is immaterial.
  if (versionWithLabel(next, AWSCURRENT) === undefined && !wanted.includes(AWSCURRENT)) wanted.push(AWSCURRENT);
  for (const label of wanted) moveInPlace(next, label, versionId);
  return next;
}

/**
 * Takes a label off one version without putting it anywhere (the RotateImmediately=false clean-up, or removing a
 * stale AWSPENDING). Refuses AWSCURRENT, which can only be moved.
 */
export function detachLabel(stages: StageMap, versionId: string, label: string): Map<string, string[]> {
  if (label === AWSCURRENT) throw invalidParameter(CURRENT_CANNOT_BE_REMOVED);
  const next = copy(stages);
  const labels = next.get(versionId);
  if (labels !== undefined) next.set(versionId, without(labels, label));
  return next;
}

/** The request of UpdateSecretVersionStage, already validated for shape. */
export interface VersionStageUpdate {
  readonly label: string;
  readonly moveToVersionId?: string | undefined;
  readonly removeFromVersionId?: string | undefined;
}

/**
 * UpdateSecretVersionStage semantics, following the API reference:
 * - `RemoveFromVersionId`, when given, must exist and must carry the label;
 * - if the label already sits on a version other than `MoveToVersionId`, `RemoveFromVersionId` must name exactly that
 *   version ("If the label is attached and you either do not specify this parameter, or the version ID does not
 *   match, then the operation fails"); moto skips this check for labels other than AWSCURRENT;
 * - without `MoveToVersionId` the label is only removed, which AWSCURRENT never may be;
 * - moving AWSCURRENT moves AWSPREVIOUS to the version AWSCURRENT left. AWSPENDING is not touched: after finishSecret
 *   it may stay on the new current version, which the RotateSecret docs allow.
 *
 * @throws AwsApiError InvalidParameterException naming the rule that was broken.
 */
export function updateVersionStage(stages: StageMap, update: VersionStageUpdate): Map<string, string[]> {
  const { label, moveToVersionId, removeFromVersionId } = update;
  if (moveToVersionId !== undefined && !stages.has(moveToVersionId)) {
    throw invalidParameter(`Secrets Manager can't find the specified secret version: ${moveToVersionId}.`);
  }
  if (removeFromVersionId !== undefined) {
    if (!stages.has(removeFromVersionId)) {
      throw invalidParameter(`Secrets Manager can't find the specified secret version: ${removeFromVersionId}.`);
    }
    if (!(stages.get(removeFromVersionId) ?? []).includes(label)) {
      throw invalidParameter(
        `The staging label ${label} is not attached to version ${removeFromVersionId}, so it can't be removed from it.`,
      );
    }
  }
  const holder = versionWithLabel(stages, label);

  if (moveToVersionId === undefined) {
    if (removeFromVersionId === undefined) {
      throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
    }
    return detachLabel(stages, removeFromVersionId, label);
  }

  if (holder !== undefined && holder !== moveToVersionId && removeFromVersionId !== holder) {
    throw invalidParameter(
      removeFromVersionId === undefined
        ? `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`
        : `Staging label ${label} is currently attached to version ${holder}, not to version ${removeFromVersionId} named in RemoveFromVersionId.`,
    );
  }
  return moveLabel(stages, label, moveToVersionId);
}

/**
 * AWS's gate for a new rotation: refused only when AWSPENDING sits on a version *different* from AWSCURRENT's. After
 * a successful rotation AWSPENDING may stay on the current version, which is normal (moto gets this backwards).
 */
export function pendingBlocksRotation(stages: StageMap): boolean {
  const pending = versionWithLabel(stages, AWSPENDING);
  return pending !== undefined && pending !== versionWithLabel(stages, AWSCURRENT);
}
