import type { Session } from '../postgres/connect';
import { run } from '../postgres/role-changes';
import type { Statement } from '../postgres/role-sql';

/**
 * Roles whose power an admin-driven rotation must never be steered into: what a login that joins them, or takes their
 * password, could do is the admin's own power or more. The managed services' admin roles by name (AWS RDS and
 * Aurora, Azure, Google Cloud SQL and AlloyDB); the rest by what the catalog says at the moment of the rotation.
 * Issue 12's guardrails keep their own definition for actions; this one is rotation's, and the two should merge.
 */
export const MANAGED_SERVICE_ADMIN_ROLES = [
  'rds_superuser',
  'rds_replication',
  'rds_password',
  'rdsadmin',
  'rdsrepladmin',
  'azure_pg_admin',
  'azure_superuser',
  'cloudsqlsuperuser',
  'cloudsqladmin',
  'cloudsqlreplica',
  'alloydbsuperuser',
  'alloydbadmin',
  'alloydbreplica',
] as const;

/** Why a role is protected: itself, or a role it reaches through memberships (`via`). */
export interface ProtectedRole {
  readonly role: string;
  readonly via: string;
  /** What makes `via` protected, as a predicate: `is a superuser`, `has CREATEROLE`, … */
  readonly reason: string;
}

/** A protected role in words, for a refusal: `it has CREATEROLE`, or `it is a member of "rds_superuser", which is …`. */
export function describeProtection(found: ProtectedRole): string {
  return found.via === found.role ? `it ${found.reason}` : `it is a member of "${found.via}", which ${found.reason}`;
}

/**
 * For each named role that exists, every protected role it is or reaches through memberships, directly or
 * transitively (pg_auth_members, readable by any role): a superuser; a role with CREATEROLE, BYPASSRLS or REPLICATION;
 * a predefined `pg_*` role; a managed service's admin role; the session's own login. One row per (role, via).
 */
export function protectedRolesSql(roles: readonly string[]): Statement {
  return {
    text: `WITH RECURSIVE named AS (
             SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($1::text[])
           ), reach(member, roleid) AS (
             SELECT n.oid, n.oid FROM named n
             UNION
             SELECT reach.member, m.roleid FROM reach JOIN pg_catalog.pg_auth_members m ON m.member = reach.roleid
           )
           SELECT n.rolname AS role, g.rolname AS via,
                  CASE WHEN g.rolsuper THEN 'is a superuser'
                       WHEN g.rolname = current_user THEN 'is the admin login itself'
                       WHEN g.rolcreaterole THEN 'has CREATEROLE'
                       WHEN g.rolbypassrls THEN 'has BYPASSRLS'
                       WHEN g.rolreplication THEN 'has REPLICATION'
                       WHEN g.rolname ~ '^pg_' THEN 'is a predefined role'
                       ELSE 'is a managed service''s admin role' END AS reason
             FROM reach
             JOIN named n ON n.oid = reach.member
             JOIN pg_catalog.pg_roles g ON g.oid = reach.roleid
            WHERE g.rolsuper OR g.rolcreaterole OR g.rolbypassrls OR g.rolreplication OR g.rolname ~ '^pg_'
               OR g.rolname = current_user OR g.rolname = ANY($2::text[])
            ORDER BY 1, 2`,
    values: [roles, MANAGED_SERVICE_ADMIN_ROLES],
  };
}

/** The protected roles the named roles are or reach, read on the admin's session. */
export async function readProtectedRoles(session: Session, roles: readonly string[]): Promise<ProtectedRole[]> {
  return (await run<ProtectedRole & Record<string, unknown>>(session, protectedRolesSql(roles))).rows;
}
