import * as z from 'zod/mini';
import '../schema-messages';
import { ENV, environmentError } from '../config/environment';
import { InvalidInputError } from '../errors';
import { IdentifierSchema } from '../postgres/identifiers';
import type { ActionName } from './action-names';
import { ACTION_NAMES } from './action-names';
import { RolePatternSchema } from '../postgres/role-patterns';
import { ValidityDurationSchema } from './validity-duration';

/** Actions that make or remove temporary users; they need `temporaryUsers`. */
export const TEMPORARY_USER_ACTIONS: readonly ActionName[] = ['create-temporary-user', 'expire-temporary-users'];
/** Actions that grant or revoke role memberships; they need `grants`. */
export const MEMBERSHIP_ACTIONS: readonly ActionName[] = ['grant-role', 'revoke-role'];
/** Actions that grant or revoke privileges on a schema's objects; they need `schemas`. */
export const SCHEMA_ACTIONS: readonly ActionName[] = ['create-read-only-user', 'revoke-all-privileges', 'grant-privileges', 'revoke-privileges'];

const Patterns = z.array(RolePatternSchema).check(z.maxLength(100));

const GrantableRoleSchema = z.strictObject({
  role: RolePatternSchema.check(z.meta({ description: 'The role (or pattern) grant-role may grant and revoke-role may revoke.' })),
  adminOption: z
    ._default(z.boolean(), false)
    .check(z.meta({ description: 'Whether the grant may carry ADMIN OPTION (the member could then grant the role on).' })),
});

const TemporaryUsersSchema = z.strictObject({
  prefix: IdentifierSchema.check(
    z.refine((prefix) => Buffer.byteLength(prefix, 'utf8') < 63, 'must leave room for a name after it'),
    z.meta({ description: 'Every temporary user name starts with it; expire-temporary-users touches no role without it.' }),
  ),
  maxValidity: ValidityDurationSchema.check(z.meta({ description: "The longest validUntil may lie ahead of the server's clock, as Vault's max_ttl (8h, 7d)." })),
  roles: Patterns.check(z.minLength(1), z.meta({ description: 'Roles (or patterns) a temporary user may be made a member of (memberOf).' })),
});

/**
 * What orchestrator actions may do, declared by the deployer and read from PERMISSION_POLICY when the container
 * starts. Callers choose within it, as with Vault's roles and Apono's or Infisical's access policies; whatever it
 * says, the always-protected roles stay out of reach (catalog/protected-roles.ts). The reference: docs/policy.md.
 *
 * @example
 * PermissionPolicySchema.parse({
 *   actions: ['lock-user', 'unlock-user', 'create-temporary-user', 'expire-temporary-users'],
 *   roles: { memberOf: 'rotator_managed' },
 *   temporaryUsers: { prefix: 'tmp_', maxValidity: '8h', roles: ['app_readonly'] },
 * });
 */
export const PermissionPolicySchema = z
  .strictObject({
    actions: z
      .array(z.enum(ACTION_NAMES))
      .check(
        z.minLength(1, 'must enable at least one action'),
        z.refine((actions) => new Set(actions).size === actions.length, 'must not repeat an action'),
        z.meta({ description: 'The actions that may run at all; any other is refused (policy.action-disabled).' }),
      ),
    roles: z
      .prefault(
        z.strictObject({
          names: z._default(Patterns, []).check(z.meta({ description: 'Roles (or patterns) actions may act on.' })),
          memberOf: z
            .optional(IdentifierSchema.check(z.refine((name) => !name.startsWith('pg_'), 'must not start with pg_: PostgreSQL reserves those names for its predefined roles')))
            .check(
              z.meta({
                description: "A marker role (NOLOGIN, no privileges, e.g. rotator_managed): its members, directly or through other roles, are roles actions may act on, as the catalog says when the action runs.",
              }),
            ),
        }),
        {},
      )
      .check(z.meta({ description: 'Which roles actions may act on (their `role`, and `reassignOwnedTo`).' })),
    grants: z
      ._default(z.array(GrantableRoleSchema).check(z.maxLength(100)), [])
      .check(z.meta({ description: 'Which roles grant-role may grant (and revoke-role revoke), and with which options.' })),
    schemas: z._default(Patterns, []).check(z.meta({ description: 'Schemas (or patterns) whose privileges actions may grant or revoke (create-read-only-user, *-privileges).' })),
    grantOption: z
      ._default(z.boolean(), false)
      .check(
        z.meta({
          description:
            'Whether grant-privileges may give a privilege WITH GRANT OPTION: the grantee could then grant it on to any role, beyond this policy. Off by default, as grants[].adminOption.',
        }),
      ),
    temporaryUsers: z.optional(TemporaryUsersSchema).check(z.meta({ description: 'Temporary users: their name prefix, maximum validity and the roles they may receive.' })),
    protectedRoles: z._default(Patterns, []).check(z.meta({ description: 'More roles (or patterns) no action may touch or grant, on top of those always protected.' })),
  })
  .check(
    z.superRefine((policy, ctx) => {
      const enabled = (actions: readonly ActionName[]) => actions.filter((action) => policy.actions.includes(action));
      const need = (path: (string | number)[], missing: boolean, actions: readonly ActionName[], what: string) => {
        if (missing && actions.length > 0) ctx.addIssue({ code: 'custom', path, message: `must ${what}: ${actions.join(', ')} ${actions.length > 1 ? 'are' : 'is'} enabled` });
      };
      const onRoles = enabled(ACTION_NAMES.filter((action) => !TEMPORARY_USER_ACTIONS.includes(action)));
      need(['roles'], policy.roles.names.length === 0 && policy.roles.memberOf === undefined, onRoles, 'name roles (names or memberOf)');
      // A role that does not exist yet cannot be a member of the marker: only a name can allow creating it.
      need(['roles', 'names'], policy.roles.names.length === 0, enabled(['create-read-only-user']), 'list the names it may create');
      need(['grants'], policy.grants.length === 0, enabled(MEMBERSHIP_ACTIONS), 'list at least one role');
      need(['schemas'], policy.schemas.length === 0, enabled(SCHEMA_ACTIONS), 'list at least one schema');
      need(['temporaryUsers'], policy.temporaryUsers === undefined, enabled(TEMPORARY_USER_ACTIONS), 'be declared');
    }),
  )
  .register(z.globalRegistry, { id: 'PermissionPolicy', title: 'pg-rotator permission policy' });

/** A validated policy, defaults applied. */
export type PermissionPolicy = z.infer<typeof PermissionPolicySchema>;
/** A policy as a deployer writes it (defaults optional). */
export type PermissionPolicyInput = z.input<typeof PermissionPolicySchema>;

/**
 * Reads PERMISSION_POLICY once per container (the orchestrator's dependencies are made on its first request). No
 * policy, or an empty variable, is undefined: every role-changing action is then refused. A bad one fails loudly with
 * the field's path (`environment.PERMISSION_POLICY.temporaryUsers.maxValidity: …`), never its value.
 */
export function readPermissionPolicy(text: string | undefined): PermissionPolicy | undefined {
  if (text === undefined || text === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`environment.${ENV.permissionPolicy}`, 'must be JSON (a permission policy)');
  }
  const parsed = PermissionPolicySchema.safeParse(json);
  if (!parsed.success) throw environmentError(parsed.error, ENV.permissionPolicy);
  return parsed.data;
}
