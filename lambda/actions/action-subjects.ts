import type { ActionCall } from './action-request';
import type { Grant } from './grants';
import { describeGrantObject } from './grants';

/** A name in a request, and the request field that carries it (for refusals that name the field). */
export interface Subject {
  readonly name: string;
  readonly field: string;
}

/**
 * Every role and schema an action request names, by what the action does with it: what the guard checks before
 * the action reads or plans anything. Pure: taken from the validated request alone.
 */
export interface ActionSubjects {
  /** Roles the action changes: their password, LOGIN, memberships, privileges, existence. */
  readonly targets: readonly Subject[];
  /** A role the action creates; `temporary` for create-temporary-user. */
  readonly creates?: Subject & { readonly temporary: boolean };
  /** Roles grant-role grants (`revoke: false`, with its ADMIN OPTION) or revoke-role revokes. */
  readonly memberships: readonly (Subject & { readonly adminOption: boolean; readonly revoke: boolean })[];
  /** Roles a new temporary user is made a member of. */
  readonly temporaryRoles: readonly Subject[];
  /** Roles that receive what a dropped role owns (reassignOwnedTo). */
  readonly recipients: readonly Subject[];
  /** Schemas whose privileges the action grants or revokes. */
  readonly schemas: readonly Subject[];
  /** Privileges the action grants WITH GRANT OPTION: the object, and the request's `grantable` field. */
  readonly grantOptions: readonly Subject[];
  /** A temporary user's expiry (create-temporary-user). */
  readonly validUntil?: Subject;
}

const NONE: Omit<ActionSubjects, 'targets'> = { memberships: [], temporaryRoles: [], recipients: [], schemas: [], grantOptions: [] };
const role = (name: string, field = 'role'): Subject => ({ name, field: `request.params.${field}` });
const recipients = (to: string | undefined): Subject[] => (to === undefined ? [] : [role(to, 'reassignOwnedTo')]);

/**
 * The subjects of one request.
 *
 * @example
 * subjectsOf({ action: 'grant-role', params: { role: 'alice', grantedRole: 'app_readonly', adminOption: false } })
 * // targets: alice; memberships: app_readonly
 */
export function subjectsOf(request: ActionCall): ActionSubjects {
  switch (request.action) {
    case 'rotate-password':
    case 'restore-password':
    case 'lock-user':
    case 'unlock-user':
      return { ...NONE, targets: [role(request.params.role)] };
    case 'drop-user':
      return { ...NONE, targets: [role(request.params.role)], recipients: recipients(request.params.reassignOwnedTo) };
    case 'create-read-only-user':
      return {
        ...NONE,
        targets: [],
        creates: { ...role(request.params.role), temporary: false },
        schemas: request.params.schemas.map((name, i) => ({ name, field: `request.params.schemas.${i}` })),
      };
    case 'create-temporary-user':
      return {
        ...NONE,
        targets: [],
        creates: { ...role(request.params.role), temporary: true },
        temporaryRoles: request.params.memberOf.map((name, i) => role(name, `memberOf.${i}`)),
        validUntil: { name: request.params.validUntil, field: 'request.params.validUntil' },
      };
    case 'expire-temporary-users':
      // Its targets are the expired users it finds under its locks; the guard checks each there (ObserveContext).
      return { ...NONE, targets: [], recipients: recipients(request.params.reassignOwnedTo) };
    case 'grant-role':
      return {
        ...NONE,
        targets: [role(request.params.role)],
        memberships: [{ ...role(request.params.grantedRole, 'grantedRole'), adminOption: request.params.adminOption, revoke: false }],
      };
    case 'revoke-role':
      return { ...NONE, targets: [role(request.params.role)], memberships: [{ ...role(request.params.grantedRole, 'grantedRole'), adminOption: false, revoke: true }] };
    case 'revoke-all-privileges':
      return { ...NONE, targets: [role(request.params.role)], schemas: [{ name: request.params.schema, field: 'request.params.schema' }] };
    case 'grant-privileges':
      return {
        ...NONE,
        targets: [role(request.params.role)],
        schemas: grantSchemas(request.params.grants, 'grants'),
        grantOptions: request.params.grants.flatMap((grant, i) =>
          grant.grantable ? [{ name: describeGrantObject(grant), field: `request.params.grants.${i}.grantable` }] : [],
        ),
      };
    case 'revoke-privileges':
      return {
        ...NONE,
        targets: [role(request.params.role)],
        schemas: [...grantSchemas(request.params.grants, 'grants'), ...grantSchemas(request.params.grantOptions ?? [], 'grantOptions')],
      };
  }
}

function grantSchemas(grants: readonly Grant[], key: 'grants' | 'grantOptions'): ActionSubjects['schemas'] {
  return grants.map((grant, i) => ({ name: grant.schema, field: `request.params.${key}.${i}.schema` }));
}

/** Every role name the subjects name: what the guard's one catalog read looks up. */
export function roleNamesOf(subjects: ActionSubjects): string[] {
  return [
    ...subjects.targets,
    ...(subjects.creates ? [subjects.creates] : []),
    ...subjects.memberships,
    ...subjects.temporaryRoles,
    ...subjects.recipients,
  ].map((subject) => subject.name);
}
