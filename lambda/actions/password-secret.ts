import { ActionRefusedError } from '../errors';
import type { SecretChange, SecretState } from './action-secrets';

/** Where a new password goes, decided from the secret's current state. */
export interface PasswordSecretPlan {
  readonly change: SecretChange;
  /** True when the action creates the secret (so its rollback may delete it). */
  readonly creates: boolean;
  /** The AWSCURRENT version before the change, when it held this role's credentials (so they can be restored). */
  readonly restorableVersionId: string | undefined;
}

/**
 * The secret change that stores a new password for `role`. An absent secret is created from the server's
 * connection facts; an existing one gets a new AWSCURRENT version that keeps its other keys, as rotation's
 * createSecret does. A secret naming another role is refused: writing there would hand one role's password to
 * whoever reads another's secret.
 */
export function passwordSecretPlan(input: {
  readonly secretName: string;
  readonly state: SecretState;
  readonly role: string;
  readonly base: Readonly<Record<string, unknown>>;
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly kmsKeyId?: string;
  readonly description: string;
}): PasswordSecretPlan {
  const { state, role } = input;
  if (!state.exists) {
    return {
      change: {
        kind: 'create',
        name: input.secretName,
        ...(input.kmsKeyId === undefined ? {} : { kmsKeyId: input.kmsKeyId }),
        description: input.description,
        value: { ...input.base, username: role, ...input.extra },
      },
      creates: true,
      restorableVersionId: undefined,
    };
  }
  refuseWhileRotating(state, input.secretName);
  const current = state.currentValue ?? {};
  if ('username' in current && current.username !== role) {
    throw new ActionRefusedError(`secret ${state.arn ?? input.secretName} holds the credentials of another role; name a secret for role "${role}"`);
  }
  const { password: _old, ...kept } = current;
  const restorable = state.currentVersionId !== undefined && current.username === role && typeof current.password === 'string';
  return {
    change: {
      kind: 'put',
      secretId: state.arn ?? input.secretName,
      previousVersionId: state.currentVersionId ?? '',
      value: { ...input.base, ...kept, username: role, ...input.extra },
    },
    creates: false,
    restorableVersionId: restorable ? state.currentVersionId : undefined,
  };
}

/**
 * Refuses to write AWSCURRENT while a rotation of the secret is in progress: its finishSecret would then move
 * AWSCURRENT to the rotation's password, which the database no longer holds. No race remains: from RotateSecret
 * on, AWSPENDING is set, and the action's uncommitted ALTER ROLE holds the role's row lock, so a rotation cannot
 * pass setSecret between this check and the action's commit.
 */
export function refuseWhileRotating(state: SecretState, secretName: string): void {
  if (state.pendingVersionId === undefined) return;
  throw new ActionRefusedError(
    `secret ${state.arn ?? secretName} is being rotated (AWSPENDING on version ${state.pendingVersionId}); retry when the rotation has finished`,
  );
}
