import type { RoleFacts, SessionFacts } from '../catalog/catalog';
import { readRole } from '../catalog/catalog';
import { ActionRefusedError, RoleNotFoundError } from '../errors';
import type { LockUserParams, UnlockUserParams } from './action-params';
import type { ActionModule, ActionPlan } from './action-module';
import { roleStatements } from './role-statements';

interface LoginState {
  readonly role: RoleFacts | undefined;
}

const observe = async (ctx: { session: Parameters<typeof readRole>[0] }, params: { role: string }): Promise<LoginState> => ({
  role: await readRole(ctx.session, params.role),
});

/**
 * lock-user: `ALTER ROLE … NOLOGIN`, optionally ending open sessions (NOLOGIN only refuses new ones). Locking a
 * locked role succeeds with `changed: false` and no rollback; otherwise the rollback is unlock-user.
 */
export const lockUser: ActionModule<LockUserParams, LoginState> = {
  lockRoles: (params) => [params.role],
  observe,
  plan: ({ params, state, facts }) => {
    const role = requireManageable(state.role, params.role, facts);
    const afterCommit = params.terminateSessions ? [roleStatements.terminateSessions(role.oid)] : [];
    if (!role.login) {
      return { changed: false, statements: [], afterCommit, rollback: null, report: { notes: [`role "${role.name}" is already NOLOGIN`] } };
    }
    return {
      changed: true,
      statements: [roleStatements.setLogin(role.name, false)],
      afterCommit,
      rollback: { action: 'unlock-user', params: { role: role.name } },
    };
  },
};

/** unlock-user: `ALTER ROLE … LOGIN`; an unlocked role is left alone. The rollback is lock-user. */
export const unlockUser: ActionModule<UnlockUserParams, LoginState> = {
  lockRoles: (params) => [params.role],
  observe,
  plan: ({ params, state, facts }): ActionPlan => {
    const role = requireManageable(state.role, params.role, facts);
    if (role.login) {
      return { changed: false, statements: [], rollback: null, report: { notes: [`role "${role.name}" can already log in`] } };
    }
    return {
      changed: true,
      statements: [roleStatements.setLogin(role.name, true)],
      rollback: { action: 'lock-user', params: { role: role.name, terminateSessions: false } },
    };
  },
};

/**
 * The role exists and is not the admin's own login: an action that locks, drops or re-passwords the login it
 * runs as would cut off the function (and the admin secret) mid-way; that login belongs to Secrets Manager
 * rotation of its own secret.
 */
export function requireManageable(role: RoleFacts | undefined, name: string, facts: SessionFacts): RoleFacts {
  if (role === undefined) throw new RoleNotFoundError(`role "${name}" does not exist in this cluster`);
  if (role.name === facts.currentUser) {
    throw new ActionRefusedError(`role "${name}" is the admin login this request runs as; rotate the admin secret with Secrets Manager instead`);
  }
  return role;
}
