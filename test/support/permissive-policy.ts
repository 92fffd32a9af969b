import { ACTION_NAMES } from '../../lambda/actions/action-names';
import type { PermissionPolicyInput } from '../../lambda/actions/permission-policy';

/** The prefix of the temporary users the suites create under {@link PERMISSIVE_POLICY}. */
export const TEMPORARY_PREFIX = 'temp_';

/**
 * The widest policy a deployer could write: every action, every role, every grant with ADMIN OPTION, every
 * schema, grant options. Suites that test what actions do (not what the policy allows) run under it, so only the
 * always-protected roles stand in their way, as they would in any deployment.
 */
export const PERMISSIVE_POLICY: PermissionPolicyInput = {
  actions: [...ACTION_NAMES],
  roles: { names: ['*'] },
  grants: [{ role: '*', adminOption: true }],
  schemas: ['*'],
  grantOption: true,
  temporaryUsers: { prefix: TEMPORARY_PREFIX, maxValidity: '366d', roles: ['*'] },
};

/** {@link PERMISSIVE_POLICY} as the function's environment sets it. */
export const PERMISSIVE_POLICY_ENV: Readonly<Record<string, string>> = { PERMISSION_POLICY: JSON.stringify(PERMISSIVE_POLICY) };
