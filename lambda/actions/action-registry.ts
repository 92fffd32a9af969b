import type { ActionModule } from './action-module';
import type { ActionName } from './action-names';
import type { ActionRequest } from './action-request';
import { createReadOnlyUser } from './create-read-only-user';
import { dropUser } from './drop-user';
import { lockUser, unlockUser } from './lock-user';
import { grantPrivileges, revokeAllPrivileges, revokePrivileges } from './privileges';
import { restorePassword } from './restore-password';
import { grantRole, revokeRole } from './role-membership';
import { rotatePassword } from './rotate-password';
import { createTemporaryUser, expireTemporaryUsers } from './temporary-users';

type ParamsOf<A extends ActionName> = Extract<ActionRequest, { action: A }>['params'];

/**
 * A module with its state type forgotten: the runner only passes what `observe` returned to the same module's
 * `plan`, so the state never crosses modules.
 */
function erase<P, S>(module: ActionModule<P, S>): ActionModule<P, unknown> {
  return module as unknown as ActionModule<P, unknown>;
}

/** Every action's module, by name. */
export const ACTION_MODULES: { readonly [A in ActionName]: ActionModule<ParamsOf<A>, unknown> } = {
  'rotate-password': erase(rotatePassword),
  'restore-password': erase(restorePassword),
  'create-read-only-user': erase(createReadOnlyUser),
  'create-temporary-user': erase(createTemporaryUser),
  'expire-temporary-users': erase(expireTemporaryUsers),
  'lock-user': erase(lockUser),
  'unlock-user': erase(unlockUser),
  'drop-user': erase(dropUser),
  'grant-role': erase(grantRole),
  'revoke-role': erase(revokeRole),
  'revoke-all-privileges': erase(revokeAllPrivileges),
  'grant-privileges': erase(grantPrivileges),
  'revoke-privileges': erase(revokePrivileges),
};
