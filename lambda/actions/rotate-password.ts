import type { RoleFacts } from '../catalog/catalog';
import { readRole } from '../catalog/catalog';
import type { RotatePasswordParams } from './action-params';
import type { ActionModule } from './action-module';
import type { SecretState } from './action-secrets';
import { requireManageable } from './lock-user';
import { passwordSecretPlan } from './password-secret';
import { roleStatements } from './role-statements';

interface RotateState {
  readonly role: RoleFacts | undefined;
  readonly secret: SecretState;
}

/**
 * rotate-password: a generated password, sent as a SCRAM (or md5) verifier in `ALTER ROLE … PASSWORD`, stored in
 * the named secret before COMMIT. The rollback is restore-password back to the secret's previous AWSCURRENT
 * version, when that version held this role's password; a password nobody stored cannot be restored.
 */
export const rotatePassword: ActionModule<RotatePasswordParams, RotateState> = {
  newPasswordFor: (params) => params.role,
  lockRoles: (params) => [params.role],
  observe: async (ctx, params) => ({
    role: await readRole(ctx.session, params.role),
    secret: await ctx.inspectSecret(params.secretName),
  }),
  plan: ({ params, state, facts, verifier, secretBase }) => {
    const role = requireManageable(state.role, params.role, facts);
    const secret = passwordSecretPlan({
      secretName: params.secretName,
      state: state.secret,
      role: role.name,
      base: secretBase,
      kmsKeyId: params.kmsKeyId,
      description: `pg-rotator: password of PostgreSQL role "${role.name}"`,
    });
    return {
      changed: true,
      statements: [roleStatements.setPassword(role.name, verifier(role.name))],
      secret: secret.change,
      rollback:
        secret.restorableVersionId === undefined
          ? null
          : { action: 'restore-password', params: { role: role.name, secretName: state.secret.arn ?? params.secretName, versionId: secret.restorableVersionId } },
      report: secret.restorableVersionId === undefined ? { notes: ['no rollback: the previous password was not stored in this secret'] } : {},
    };
  },
};
