import type { Lineage, LineageRole, Lineages } from '../catalog/protection-facts';
import type { GuardRule } from './guard-rules';
import { firstMatch } from './role-patterns';

/**
 * Admin roles of managed PostgreSQL services that carry power without a role attribute showing it (those with
 * SUPERUSER, CREATEROLE, BYPASSRLS or REPLICATION are protected by their attributes anyway):
 * - Amazon RDS and Aurora: rds_superuser, rds_password (password changes under rds.restrict_password_commands),
 *   rds_replication, rds_iam and rds_ad (a member logs in by IAM or Kerberos instead of its password), and the
 *   service's own rdsadmin, rdsrepladmin, rdstopmgr; pgtle_admin (pg_tle: installs extensions).
 * - Azure Database for PostgreSQL: azure_pg_admin (the server admin's group), azure_superuser, azuresu.
 * - Google Cloud SQL and AlloyDB: cloudsqlsuperuser, cloudsqladmin, cloudsqliamuser, …; alloydbsuperuser,
 *   alloydbadmin, alloydbiamuser, … (every role of the two prefixes is the service's).
 * - Neon: neon_superuser. Supabase: supabase_admin and the supabase_*_admin service roles.
 * Patterns, so a service's next role of the same family is covered too; a deployer adds others with the
 * policy's protectedRoles.
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

/** What, besides the catalog, decides protection: the deployment's rotated logins and the policy's additions. */
export interface ProtectionContext {
  /** Logins of the secrets this deployment rotates: acting on them would break their rotation. */
  readonly rotatedLogins: ReadonlySet<string>;
  /** The policy's protectedRoles (patterns). */
  readonly declared: readonly string[];
}

/** Why a role is protected. `message` reads after the role's name: `role "x" <message>`. */
export interface Protection {
  readonly rule: GuardRule;
  readonly message: string;
}

type Reason = { readonly rule: GuardRule; readonly why: string };

/** Rules a name alone decides: they hold for a role that does not exist yet, such as one an action would create. */
function byName(name: string, ctx: ProtectionContext): Reason | undefined {
  // PostgreSQL reserves the prefix ("Role names beginning with pg_ are reserved"): its predefined roles carry it.
  if (name.startsWith('pg_')) return { rule: 'protected.predefined', why: "is one of PostgreSQL's predefined roles (pg_*)" };
  const service = firstMatch(MANAGED_SERVICE_ADMIN_ROLES, name);
  if (service !== undefined) return { rule: 'protected.managed-service-admin', why: `is a managed service's admin role (${service})` };
  if (ctx.rotatedLogins.has(name)) return { rule: 'protected.rotated-login', why: 'is a login whose secret this deployment rotates' };
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
  if (role.adminHolds) return { rule: 'protected.admin-membership', why: 'is a role whose privileges the admin login holds (a membership with INHERIT or SET)' };
  return undefined;
}

/**
 * Whether the role is protected, and by which rule, from its lineage (undefined: no such role, so only its name
 * decides). A role is protected by its own facts, or as a member of a protected role, directly or through other
 * roles: what a protected role may do, its members may do too (or, with ADMIN OPTION, grant themselves).
 *
 * @example
 * protectionOf('alice', lineages, { rotatedLogins: new Set(), declared: [] })
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

/** {@link protectionOf} for a name looked up in the lineages read for an action. */
export function protectionIn(lineages: Lineages, name: string, ctx: ProtectionContext): Protection | undefined {
  return protectionOf(name, lineages.get(name), ctx);
}
