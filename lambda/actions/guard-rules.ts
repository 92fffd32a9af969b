import { PROTECTION_RULES } from '../catalog/protected-roles';

/**
 * Every rule an action can be refused by, with what it protects. The ids are stable: a refusal carries one as
 * `error.rule` (ACTION_REFUSED) and the audit record as `rule`, so alarms and callers can match on them.
 * `protected.*` rules hold whatever the policy says (catalog/protected-roles.ts, shared with admin-driven rotation);
 * `policy.*` rules come from the deployer's policy; `reassign.runs-as-owner` holds whatever the policy says, as
 * protection does, for objects rather than roles.
 */
export const GUARD_RULES = {
  ...PROTECTION_RULES,
  'policy.not-configured': 'no permission policy is configured, so no role-changing action runs',
  'policy.action-disabled': "an action the policy's actions do not list",
  'policy.target-not-managed': "a role the policy's roles do not cover (names, memberOf)",
  'policy.grant-not-allowed': "a role the policy's grants do not list, or the marker role itself",
  'policy.admin-option-not-allowed': "ADMIN OPTION on a role whose grants entry does not allow it",
  'policy.temporary-user-name': "a temporary user whose name lacks the policy's temporaryUsers.prefix",
  'policy.temporary-user-validity': "a validUntil further ahead than the policy's temporaryUsers.maxValidity",
  'policy.temporary-user-role': "a role the policy's temporaryUsers.roles do not list",
  'policy.reassign-not-allowed': 'a reassignOwnedTo that is neither the admin login nor a role the policy covers',
  'policy.schema-not-allowed': "a schema the policy's schemas do not list",
  'policy.grant-option-not-allowed': "a privilege WITH GRANT OPTION, which the policy's grantOption does not allow",
  'reassign.runs-as-owner': "a dropped role's objects that run with their owner's privileges (SECURITY DEFINER routines, views, materialized views, rules, expression indexes and statistics), which reassignOwnedTo would hand over",
} as const;

/** One of {@link GUARD_RULES}. */
export type GuardRule = keyof typeof GUARD_RULES;

/** Why an action is refused: the rule, and a message naming the role or field (never a value that could be a secret). */
export interface Refusal {
  readonly rule: GuardRule;
  readonly message: string;
}
