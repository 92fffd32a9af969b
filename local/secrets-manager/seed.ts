import { randomUUID } from 'node:crypto';
import type { RotationRulesInput } from './rotation-rules';
import { parseRotationRules } from './rotation-rules';
import type { Tag } from './secret-record';
import { AWSPENDING, moveLabel } from './staging-labels';
import type { SecretStore } from './store';

/**
 * Not an API: a test's stand-in for history. Loads secrets as CreateSecret and the rotations described would have
 * left them, without running those rotations, so a fleet-size suite (10,000 secrets) need not make 40,000 Lambda
 * invocations to get there. Every rule still applies: names and tags through the store's CreateSecret, rotation rules
 * through RotateSecret's validation; the secret is then what DescribeSecret, ListSecrets and ListSecretVersionIds
 * show, as for any other. A secret is created at the store's clock: set it first.
 */
export interface SeedSecret {
  readonly name: string;
  readonly secretString: string;
  readonly tags?: readonly Tag[];
  readonly rotation?: {
    readonly lambdaArn: string;
    readonly rules?: RotationRulesInput;
    /** The last successful rotation; absent: never rotated. */
    readonly lastRotatedAt?: Date;
    /** @default true */
    readonly enabled?: boolean;
    /** A rotation begun then that never finished: an empty version labelled AWSPENDING, as RotateSecret leaves it. */
    readonly pendingSince?: Date;
  };
}

/** Loads `secrets` into `store`; throws as the operations would for a name, tag or rule they refuse. */
export function seedSecrets(store: SecretStore, secrets: readonly SeedSecret[]): void {
  for (const seed of secrets) {
    const { secret } = store.create({ name: seed.name, value: { kind: 'string', text: seed.secretString }, tags: seed.tags });
    const rotation = seed.rotation;
    if (rotation === undefined) continue;
    const rules = rotation.rules === undefined ? undefined : parseRotationRules(rotation.rules);
    secret.rotation = {
      lambdaArn: rotation.lambdaArn,
      enabled: rotation.enabled ?? true,
      scheduleBase: rotation.lastRotatedAt ?? secret.createdAt,
      ...(rules ? { rules } : {}),
      ...(rotation.lastRotatedAt ? { lastRotatedAt: rotation.lastRotatedAt } : {}),
    };
    if (rotation.pendingSince !== undefined) {
      const versionId = randomUUID();
      secret.versions.set(versionId, { id: versionId, createdAt: rotation.pendingSince, createdByRotation: true });
      secret.stages = moveLabel(secret.stages, AWSPENDING, versionId);
    }
  }
}
