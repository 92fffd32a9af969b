import type { PermissionPolicyInput } from '../lambda/actions/permission-policy';

/**
 * The permission policy the demo deploys (docs/policy.md): locking and unlocking the demo's application users, and
 * nothing else. Whatever it says, a role with CREATEROLE (such as a DBA's login) stays out of reach.
 */
export const DEMO_POLICY: PermissionPolicyInput = {
  actions: ['lock-user', 'unlock-user'],
  roles: { names: ['demo_app_*'] },
};
