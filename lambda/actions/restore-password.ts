import type { RoleFacts } from '../catalog/catalog';
import { readRole } from '../catalog/catalog';
import { ActionRefusedError, InvalidInputError } from '../errors';
import type { RestorePasswordParams } from './action-params';
import type { ActionModule } from './action-module';
import type { SecretState } from './action-secrets';
import { requireManageable } from './lock-user';
import { roleStatements } from './role-statements';
import { refuseWhileRotating } from './password-secret';

interface RestoreState {
  readonly role: RoleFacts | undefined;
  readonly secret: SecretState;
  /** Held in memory for the verifier only; never returned. */
  readonly version: Readonly<Record<string, unknown>> | undefined;
}

/**
 * restore-password, the rollback of rotate-password: the role gets back the password stored in an earlier version
 * of its secret (read by the function, never sent in the payload), and that version becomes AWSCURRENT again. Its
 * own rollback restores the version that was AWSCURRENT before.
 */
export const restorePassword: ActionModule<RestorePasswordParams, RestoreState> = {
  lockRoles: (params) => [params.role],
  observe: async (ctx, params) => {
    const secret = await ctx.inspectSecret(params.secretName);
    return {
      role: await readRole(ctx.session, params.role),
      secret,
      version: secret.exists ? await ctx.readSecretVersion(secret.arn ?? params.secretName, params.versionId) : undefined,
    };
  },
  plan: ({ params, state, facts, verifier }) => {
    const role = requireManageable(state.role, params.role, facts);
    if (!state.secret.exists) throw new InvalidInputError('request.params.secretName', 'names no secret');
    refuseWhileRotating(state.secret, params.secretName);
    const secretId = state.secret.arn ?? params.secretName;
    const password = state.version?.password;
    if (state.version === undefined) throw new InvalidInputError('request.params.versionId', `names no version of secret ${secretId}`);
    if (state.version.username !== role.name || typeof password !== 'string' || password.length === 0) {
      throw new ActionRefusedError(`version ${params.versionId} of secret ${secretId} does not hold a password of role "${role.name}"`);
    }
    const current = state.secret.currentVersionId;
    const moves = current !== undefined && current !== params.versionId;
    return {
      changed: true,
      statements: [roleStatements.setPassword(role.name, verifier(role.name, password))],
      ...(moves ? { secret: { kind: 'promote' as const, secretId, toVersionId: params.versionId, fromVersionId: current } } : {}),
      rollback: moves ? { action: 'restore-password', params: { role: role.name, secretName: secretId, versionId: current } } : null,
    };
  },
};
