import type { Lineage, Lineages } from '../catalog/protection-facts';
import { TEMPORARY_USER_MARKER } from './action-params';
import type { ActionName } from './action-names';
import type { ActionSubjects, Subject } from './action-subjects';
import type { GuardRule, Refusal } from './guard-rules';
import type { PermissionPolicy } from './permission-policy';
import type { ProtectionContext } from '../catalog/protected-roles';
import { NO_ROTATED_ROLES, protectionIn, protectionOf } from '../catalog/protected-roles';
import { firstMatch } from '../postgres/role-patterns';
import { durationMs } from './validity-duration';

/**
 * The guard's decisions, pure: from the policy, the request's subjects and what the catalog said under the
 * action's locks, whether the action may go on, or the first rule that refuses it. Protection comes first (it
 * holds whatever the policy says), then the policy, subject by subject in the order of ActionSubjects.
 */

/** How a deployer declares a policy; the message of `policy.not-configured`. */
export const HOW_TO_DECLARE =
  "declare one for this function's profile in the deployment (orchestration.policy, or orchestration.profiles.<name>.policy, in the config or the PgRotator construct's props), which the function reads from PERMISSION_POLICY; see docs/policy.md";

const refuse = (rule: GuardRule, message: string): Refusal => ({ rule, message });

/**
 * What can be decided before connecting: whether any policy allows role-changing actions, and this one. A dry
 * run without a policy goes on (dry runs still work, so a deployer can try actions before declaring a policy):
 * it is checked against the protected roles only, and its result says a real run would be refused.
 */
export function admitAction(policy: PermissionPolicy | undefined, action: ActionName, dryRun: boolean): Refusal | undefined {
  if (policy === undefined) {
    return dryRun ? undefined : refuse('policy.not-configured', `no permission policy is configured, so ${action} is refused; ${HOW_TO_DECLARE}`);
  }
  if (!policy.actions.includes(action)) {
    return refuse('policy.action-disabled', `${action} is not among the actions the permission policy enables (${policy.actions.join(', ')})`);
  }
  return undefined;
}

/** Everything {@link decideSubjects} decides from. */
export interface SubjectsInput {
  /** Undefined only in a dry run without a policy: then only protection applies. */
  readonly policy: PermissionPolicy | undefined;
  readonly subjects: ActionSubjects;
  readonly lineages: Lineages;
  readonly protection: ProtectionContext;
  /** The admin login: a recipient of a dropped role's objects it may always be. */
  readonly adminLogin: string;
  /** The server's clock, which enforces VALID UNTIL. */
  readonly now: Date;
}

/**
 * The first refusal among the request's subjects, or undefined when every one is allowed.
 *
 * @example
 * decideSubjects({ policy, subjects: subjectsOf(call), lineages, protection, adminLogin: 'rotator_admin', now })
 * // { rule: 'protected.superuser', message: 'request.params.role: role "dba" is a superuser; …' }
 */
export function decideSubjects(input: SubjectsInput): Refusal | undefined {
  const { policy, subjects, lineages } = input;
  const guarded = (subject: Subject, consequence = '', protectionContext = input.protection): Refusal | undefined => {
    const protection = protectionIn(lineages, subject.name, protectionContext);
    return protection && refuse(protection.rule, `${subject.field}: role "${subject.name}" ${protection.message}${consequence}; it is protected whatever the policy says`);
  };

  for (const target of subjects.targets) {
    const refusal = guarded(target) ?? (policy && unmanaged(target, lineages.get(target.name), policy));
    if (refusal) return refusal;
  }
  if (subjects.creates) {
    const created = subjects.creates;
    const refusal = guarded(created) ?? (policy && (created.temporary ? unprefixed(created, policy) : unnamed(created, policy)));
    if (refusal) return refusal;
  }
  const member = subjects.targets[0]?.name ?? subjects.creates?.name;
  for (const granted of subjects.memberships) {
    const consequence = granted.revoke || member === undefined ? '' : `, and granting it would make "${member}" a member of a protected role`;
    const refusal = guarded(granted, consequence) ?? (policy && ungrantable(granted, lineages.get(granted.name), policy));
    if (refusal) return refusal;
  }
  for (const granted of subjects.temporaryRoles) {
    const consequence = member === undefined ? '' : `, and granting it would make "${member}" a member of a protected role`;
    const refusal = guarded(granted, consequence) ?? (policy && notForTemporaryUsers(granted, lineages.get(granted.name), policy));
    if (refusal) return refusal;
  }
  for (const recipient of subjects.recipients) {
    const refusal = recipient.name === input.adminLogin ? undefined : guarded(recipient, ", so it may not receive the dropped role's objects", recipientProtection(input.protection));
    if (refusal) return refusal;
  }
  if (policy === undefined) return undefined;
  if (subjects.validUntil) {
    const refusal = tooLong(subjects.validUntil, policy, input.now);
    if (refusal) return refusal;
  }
  for (const recipient of subjects.recipients) {
    if (recipient.name === input.adminLogin || isManaged(recipient.name, lineages.get(recipient.name), policy)) continue;
    return refuse('policy.reassign-not-allowed', `${recipient.field}: role "${recipient.name}" may not receive a dropped role's objects: it is neither the admin login nor a role the permission policy covers`);
  }
  for (const schema of subjects.schemas) {
    if (firstMatch(policy.schemas, schema.name) !== undefined) continue;
    return refuse('policy.schema-not-allowed', `${schema.field}: schema "${schema.name}" is not among the schemas the permission policy lists (${policy.schemas.join(', ')})`);
  }
  const withOption = subjects.grantOptions[0];
  if (withOption !== undefined && !policy.grantOption) {
    return refuse(
      'policy.grant-option-not-allowed',
      `${withOption.field}: the permission policy does not let actions grant privileges WITH GRANT OPTION (grantOption), as asked on ${withOption.name}: the grantee could grant it on to any role`,
    );
  }
  return undefined;
}

/**
 * What protects a role that would receive a dropped role's objects (reassignOwnedTo). It gains objects, not access:
 * what of them would run as it is refused in the plan (reassign.runs-as-owner), whoever receives them. So the admin
 * login may (it is the actor), as may a role whose privileges it holds (REASSIGN OWNED requires them) and a rotation's
 * logins and owner role (where a departing login's tables belong); a role that is privileged in itself, or a member of
 * one, or that the policy declares protected, may not.
 */
function recipientProtection(protection: ProtectionContext): ProtectionContext {
  return { ...protection, rotated: NO_ROTATED_ROLES, adminHoldings: false };
}

/**
 * Whether the policy covers a role: its name matches `roles.names`; or the catalog shows it a member of the marker
 * role `roles.memberOf`, directly or through other roles; or it is a temporary user, named with the prefix and marked
 * by create-temporary-user (a role that does not exist yet needs only the prefix: there is nothing to protect).
 */
export function isManaged(name: string, lineage: Lineage | undefined, policy: PermissionPolicy): boolean {
  if (firstMatch(policy.roles.names, name) !== undefined) return true;
  const marker = policy.roles.memberOf;
  if (marker !== undefined && lineage?.memberOf.some((role) => role.name === marker)) return true;
  const prefix = policy.temporaryUsers?.prefix;
  return prefix !== undefined && name.startsWith(prefix) && (lineage === undefined || lineage.self.comment === TEMPORARY_USER_MARKER);
}

function unmanaged(subject: Subject, lineage: Lineage | undefined, policy: PermissionPolicy): Refusal | undefined {
  if (isManaged(subject.name, lineage, policy)) return undefined;
  const ways = [
    policy.roles.names.length > 0 ? `matches none of roles.names (${policy.roles.names.join(', ')})` : undefined,
    policy.roles.memberOf === undefined ? undefined : `is not a member of "${policy.roles.memberOf}"`,
  ].filter((way) => way !== undefined);
  return refuse('policy.target-not-managed', `${subject.field}: role "${subject.name}" is not a role the permission policy lets actions act on: it ${ways.join(' and ') || 'is not covered by roles'}`);
}

/** A role create-read-only-user would make: only `roles.names` can allow a name (not the marker, not the temporary prefix). */
function unnamed(subject: Subject, policy: PermissionPolicy): Refusal | undefined {
  if (firstMatch(policy.roles.names, subject.name) !== undefined) return undefined;
  return refuse('policy.target-not-managed', `${subject.field}: role "${subject.name}" matches none of the names the permission policy lets actions create (roles.names: ${policy.roles.names.join(', ')})`);
}

function unprefixed(subject: Subject, policy: PermissionPolicy): Refusal | undefined {
  const prefix = policy.temporaryUsers?.prefix ?? '';
  if (policy.temporaryUsers !== undefined && subject.name.startsWith(prefix)) return undefined;
  return refuse('policy.temporary-user-name', `${subject.field}: a temporary user's name must start with "${prefix}" (temporaryUsers.prefix)`);
}

/**
 * The marker role, or a role that is a member of it: granting either would bring the grantee's members under the
 * policy (isManaged follows membership through other roles), and revoking it would take them out.
 */
function markerRefusal(subject: Subject, lineage: Lineage | undefined, policy: PermissionPolicy): Refusal | undefined {
  const marker = policy.roles.memberOf;
  if (marker === undefined) return undefined;
  if (subject.name === marker) {
    return refuse('policy.grant-not-allowed', `${subject.field}: role "${subject.name}" is the policy's marker role (roles.memberOf): membership in it decides what actions may act on, so no action grants or revokes it`);
  }
  if (!lineage?.memberOf.some((role) => role.name === marker)) return undefined;
  return refuse(
    'policy.grant-not-allowed',
    `${subject.field}: role "${subject.name}" is a member of the policy's marker role "${marker}" (roles.memberOf): granting or revoking it would decide what else actions may act on, as the marker itself would`,
  );
}

function ungrantable(subject: Subject & { readonly adminOption: boolean; readonly revoke: boolean }, lineage: Lineage | undefined, policy: PermissionPolicy): Refusal | undefined {
  const marker = markerRefusal(subject, lineage, policy);
  if (marker) return marker;
  const entries = policy.grants.filter((entry) => firstMatch([entry.role], subject.name) !== undefined);
  if (entries.length === 0) {
    const verb = subject.revoke ? 'revoke' : 'grant';
    return refuse('policy.grant-not-allowed', `${subject.field}: role "${subject.name}" is not among the roles the permission policy lets actions ${verb} (grants)`);
  }
  if (subject.adminOption && !entries.some((entry) => entry.adminOption)) {
    return refuse('policy.admin-option-not-allowed', `request.params.adminOption: the permission policy allows "${subject.name}" without ADMIN OPTION only (grants[].adminOption)`);
  }
  return undefined;
}

function notForTemporaryUsers(subject: Subject, lineage: Lineage | undefined, policy: PermissionPolicy): Refusal | undefined {
  const marker = markerRefusal(subject, lineage, policy);
  if (marker) return marker;
  const allowed = policy.temporaryUsers?.roles ?? [];
  if (firstMatch(allowed, subject.name) !== undefined) return undefined;
  return refuse('policy.temporary-user-role', `${subject.field}: role "${subject.name}" is not among the roles a temporary user may receive (temporaryUsers.roles: ${allowed.join(', ')})`);
}

function tooLong(validUntil: Subject, policy: PermissionPolicy, now: Date): Refusal | undefined {
  const max = policy.temporaryUsers === undefined ? undefined : durationMs(policy.temporaryUsers.maxValidity);
  if (max === undefined) return undefined;
  if (new Date(validUntil.name).getTime() - now.getTime() <= max) return undefined;
  return refuse(
    'policy.temporary-user-validity',
    `${validUntil.field}: lies more than ${policy.temporaryUsers?.maxValidity} ahead of the server's clock (temporaryUsers.maxValidity); ask for an earlier time`,
  );
}

/**
 * Why expire-temporary-users must leave one of the marked users it found alone, or undefined to expire it: it is
 * protected, or (with a policy) lacks the temporary-user prefix. The caller found `name` by its marker comment.
 */
export function decideExpiry(name: string, lineage: Lineage | undefined, policy: PermissionPolicy | undefined, protection: ProtectionContext): Refusal | undefined {
  const protectedBy = protectionOf(name, lineage, protection);
  if (protectedBy) return refuse(protectedBy.rule, `role "${name}" ${protectedBy.message}; it is protected whatever the policy says`);
  if (policy === undefined) return undefined;
  const prefix = policy.temporaryUsers?.prefix;
  if (prefix !== undefined && name.startsWith(prefix)) return undefined;
  return refuse('policy.temporary-user-name', `role "${name}" carries the temporary-user marker but not the prefix "${prefix ?? ''}" (temporaryUsers.prefix)`);
}
