import { firstMatch } from '../postgres/role-patterns';
import type { Lineage, LineageRole, Lineages } from './protection-facts';

/**
 * The one definition of a protected role, for both paths that act with an admin's power: the orchestrator's actions
 * (actions/action-guard.ts) and admin-driven rotation (rotation/steps/set-secret.ts). Both read the same catalog
 * query (protection-sql.ts, under the action's locks or on the rotation's admin session) and decide with the same
 * rules; each path says, in its {@link ProtectionContext}, which of the deployment-dependent rules apply to it.
 */

/**
 * Admin roles of managed PostgreSQL services that carry power without a role attribute showing it (those with
 * SUPERUSER, CREATEROLE, BYPASSRLS or REPLICATION are protected by their attributes anyway):
 * - Amazon RDS and Aurora: rds_superuser, rds_password (password changes under rds.restrict_password_commands),
 *   rds_replication, rds_iam and rds_ad (a member logs in by IAM or Kerberos instead of its password), and the
 *   service's own rdsadmin, rdsrepladmin, rdstopmgr; pgtle_admin (pg_tle: installs extensions).
 * - Azure Database for PostgreSQL: azure_pg_admin (the server admin's group), azure_superuser, azuresu.
 * - Google Cloud SQL and AlloyDB: cloudsqlsuperuser, cloudsqladmin, cloudsqlreplica, cloudsqliamuser, …;
 *   alloydbsuperuser, alloydbadmin, alloydbreplica, alloydbiamuser, … (every role of the two prefixes is the service's).
 * - Neon: neon_superuser. Supabase: supabase_admin and the supabase_*_admin service roles.
 * Patterns (role-patterns.ts), so a service's next role of the same family is covered too; a deployer adds others
 * with the permission policy's protectedRoles.
 */
export const MANAGED_SERVICE_ADMIN_ROLES: readonly string[] = [
  'rds_*',
  'rdsadmin',
  'rdsrepladmin',
  'rdstopmgr',
  'pgtle_admin',
  'azure_*',
  'azuresu',
  'cloudsql*',
  'alloydb*',
  'neon_superuser',
  'supabase_*',
];

/**
 * Every rule that makes a role protected, with what it protects. The ids are stable: an action refused by one carries
 * it as `error.rule` and in its audit record (actions/guard-rules.ts adds the policy's own rules).
 */
export const PROTECTION_RULES = {
  'protected.admin-login': 'the admin login the request runs as',
  'protected.admin-membership': 'a role whose privileges the admin login holds, or may SET ROLE to (membership with INHERIT or SET)',
  'protected.superuser': 'a superuser',
  'protected.createrole': 'a role with CREATEROLE',
  'protected.bypassrls': 'a role with BYPASSRLS',
  'protected.replication': 'a role with REPLICATION',
  'protected.predefined': "one of PostgreSQL's predefined roles (pg_*)",
  'protected.managed-service-admin': "a managed service's admin role (rds_superuser, azure_pg_admin, cloudsqlsuperuser, …)",
  'protected.rotated-login': 'a login whose secret this deployment rotates',
  'protected.owner-role': 'the owner role of an alternating-owner rotation this deployment runs',
  'protected.declared': "a role the policy's protectedRoles lists",
  'protected.member-of-protected': 'a member, directly or through other roles, of a protected role',
} as const;

/** One of {@link PROTECTION_RULES}. */
export type ProtectionRule = keyof typeof PROTECTION_RULES;

/** The roles of the secrets a deployment rotates, as its rotation bindings name them (file and tags). */
export interface RotatedRoles {
  /** Each bound login, its alternate (or `<login>_clone`). */
  readonly logins: ReadonlySet<string>;
  /** The owner roles of alternating-owner bindings. */
  readonly ownerRoles: ReadonlySet<string>;
}

/** No rotated roles: a deployment that binds none, or a path (rotation) that must not count its own. */
export const NO_ROTATED_ROLES: RotatedRoles = { logins: new Set(), ownerRoles: new Set() };

/** Which of the rules that depend on the deployment, rather than on the catalog, apply to a path. */
export interface ProtectionContext {
  /** The deployment's rotated logins and owner roles (protected.rotated-login, protected.owner-role). */
  readonly rotated: RotatedRoles;
  /** The permission policy's protectedRoles (patterns; protected.declared). */
  readonly declared: readonly string[];
  /** Whether a role whose privileges the admin login holds is protected (protected.admin-membership). */
  readonly adminHoldings: boolean;
}

/**
 * What protects the roles an orchestrator action names: every rule. An action hands its result to whoever invoked it
 * (a password secret under the prefix, a membership, a temporary user), so a role whose privileges the admin holds is
 * as dangerous to hand out as the admin itself, and a rotated login or owner role must stay as its rotation left it.
 */
export function actionProtection(rotated: RotatedRoles, declared: readonly string[]): ProtectionContext {
  return { rotated, declared, adminHoldings: true };
}

/**
 * What protects the logins and owner role of an admin-driven rotation: every rule the catalog decides, but none that
 * would refuse the rotation its own logins (protected.rotated-login, protected.owner-role), no policy (the rotation
 * function has none), and not protected.admin-membership: the new password goes only into the secret the deployment
 * bound to that login, never to a caller, so that the admin holds the login's privileges gives nobody more power.
 */
export const ROTATION_PROTECTION: ProtectionContext = { rotated: NO_ROTATED_ROLES, declared: [], adminHoldings: false };

/** Why a role is protected. `message` reads after the role's name: `role "x" <message>`. */
export interface Protection {
  readonly rule: ProtectionRule;
  readonly message: string;
}

type Reason = { readonly rule: ProtectionRule; readonly why: string };

/** Rules a name alone decides: they hold for a role that does not exist yet, such as one an action would create. */
function byName(name: string, ctx: ProtectionContext): Reason | undefined {
  // PostgreSQL reserves the prefix ("Role names beginning with pg_ are reserved"): its predefined roles carry it.
  if (name.startsWith('pg_')) return { rule: 'protected.predefined', why: "is one of PostgreSQL's predefined roles (pg_*)" };
  const service = firstMatch(MANAGED_SERVICE_ADMIN_ROLES, name);
  if (service !== undefined) return { rule: 'protected.managed-service-admin', why: `is a managed service's admin role (${service})` };
  if (ctx.rotated.logins.has(name)) return { rule: 'protected.rotated-login', why: 'is a login whose secret this deployment rotates' };
  if (ctx.rotated.ownerRoles.has(name)) {
    return { rule: 'protected.owner-role', why: 'is the owner role of an alternating-owner rotation this deployment runs (both of its logins act as it)' };
  }
  const declared = firstMatch(ctx.declared, name);
  if (declared !== undefined) return { rule: 'protected.declared', why: `is protected by the policy's protectedRoles (${declared})` };
  return undefined;
}

/** The rules a role's own catalog facts decide, in order of severity. */
function ownReason(role: LineageRole, ctx: ProtectionContext): Reason | undefined {
  if (role.isAdmin) return { rule: 'protected.admin-login', why: 'is the admin login this request runs as' };
  if (role.superuser) return { rule: 'protected.superuser', why: 'is a superuser' };
  if (role.createrole) return { rule: 'protected.createrole', why: 'has CREATEROLE' };
  if (role.bypassrls) return { rule: 'protected.bypassrls', why: 'has BYPASSRLS' };
  if (role.replication) return { rule: 'protected.replication', why: 'has REPLICATION' };
  const named = byName(role.name, ctx);
  if (named) return named;
  if (ctx.adminHoldings && role.adminHolds) {
    return { rule: 'protected.admin-membership', why: 'is a role whose privileges the admin login holds (a membership with INHERIT or SET)' };
  }
  return undefined;
}

/**
 * Whether the role is protected, and by which rule, from its lineage (undefined: no such role, so only its name
 * decides). A role is protected by its own facts, or as a member of a protected role, directly or through other
 * roles: what a protected role may do, its members may do too (or, with ADMIN OPTION, grant themselves).
 *
 * @example
 * protectionOf('alice', lineages.get('alice'), actionProtection(NO_ROTATED_ROLES, []))
 * // { rule: 'protected.member-of-protected', message: 'is a member of "rds_superuser" (through other roles), which is …' }
 */
export function protectionOf(name: string, lineage: Lineage | undefined, ctx: ProtectionContext): Protection | undefined {
  if (lineage === undefined) {
    const named = byName(name, ctx);
    return named && { rule: named.rule, message: named.why };
  }
  const own = ownReason(lineage.self, ctx);
  if (own) return { rule: own.rule, message: own.why };
  // Direct memberships first, so the message names the nearest protected role.
  const ancestors = [...lineage.memberOf].sort((a, b) => Number(b.direct) - Number(a.direct));
  for (const ancestor of ancestors) {
    const reason = ownReason(ancestor, ctx);
    if (reason) {
      const how = ancestor.direct ? '' : ' (through other roles)';
      return { rule: 'protected.member-of-protected', message: `is a member of "${ancestor.name}"${how}, which ${reason.why} (${reason.rule})` };
    }
  }
  return undefined;
}

/** {@link protectionOf} for a name looked up in the lineages read for an action or a rotation. */
export function protectionIn(lineages: Lineages, name: string, ctx: ProtectionContext): Protection | undefined {
  return protectionOf(name, lineages.get(name), ctx);
}
