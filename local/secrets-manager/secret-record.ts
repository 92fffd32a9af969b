import type { RotationRules } from './rotation-rules';
import type { StageMap } from './staging-labels';

/**
 * The in-memory model of one secret. Plain data: the rules that change it live in `store.ts`, `secret-versions.ts`
 * and `rotation-state.ts`; labels are kept apart from versions so `staging-labels.ts` can work on them alone.
 */

/** A stored value: Secrets Manager keeps either a string or bytes, never both. */
export type SecretValue =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'binary'; readonly bytes: Buffer };

/** One version of a secret. */
export interface SecretVersion {
  readonly id: string;
  /** Absent on the version RotateSecret creates, until the rotation function's createSecret fills it. */
  value?: SecretValue;
  readonly createdAt: Date;
  lastAccessedAt?: Date;
  /** Made by RotateSecret (keyed by its ClientRequestToken), not by CreateSecret or PutSecretValue. */
  readonly createdByRotation: boolean;
}

/** A tag as the API carries it. */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** Rotation configuration; present only once RotateSecret was called, so DescribeSecret can omit it before. */
export interface RotationState {
  lambdaArn: string;
  rules?: RotationRules;
  enabled: boolean;
  lastRotatedAt?: Date;
  /** What the next rotation date counts from: the last rotation, or the last manual change of AWSCURRENT. */
  scheduleBase: Date;
}

/** One secret. */
export interface SecretRecord {
  readonly arn: string;
  readonly name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  versions: Map<string, SecretVersion>;
  /** VersionId -> labels, for every version in `versions` (an empty list marks a deprecated version). */
  stages: StageMap;
  readonly createdAt: Date;
  lastChangedAt: Date;
  lastAccessedAt?: Date;
  /** Set while the secret is scheduled for deletion: when it will be gone for good. */
  deletionDate?: Date;
  rotation?: RotationState;
}

/** True when two values are the same kind and the same content (PutSecretValue's idempotency test). */
export function sameValue(a: SecretValue | undefined, b: SecretValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'string' && b.kind === 'string') return a.text === b.text;
  if (a.kind === 'binary' && b.kind === 'binary') return a.bytes.equals(b.bytes);
  return false;
}

/** AWS rounds LastAccessedDate down to the day ("the date is rounded to the nearest day"). */
export function accessDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
