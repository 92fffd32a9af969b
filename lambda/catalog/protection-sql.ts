import type { Statement } from '../postgres/role-sql';

/**
 * The one catalogue query an action's guard makes, after its advisory locks: for each named role that exists,
 * the role itself and every role it is a member of, directly or through other roles, with what decides whether
 * it is protected. Recursion follows pg_auth_members upward; UNION (not UNION ALL) stops at roles already seen,
 * so a role reached by two paths is one row. PUBLIC may read everything it touches (pg_roles, pg_auth_members,
 * shobj_description), so an admin with no more than CREATEROLE can run it.
 *
 * `adminHolds` is whether the session's user (the admin login) holds the role's privileges or may SET ROLE to it,
 * through memberships it reaches by edges that carry INHERIT or SET. From PostgreSQL 16 on a membership may carry
 * neither: the ADMIN OPTION a CREATEROLE admin receives on the roles it creates (createrole_self_grant unset), or
 * `GRANT … WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`, lets it manage the role without holding it, and does not
 * count. Before 16 every membership allows SET ROLE, so every edge counts. Memberships are followed explicitly
 * rather than through pg_has_role(), which answers true for every role when the admin is a superuser.
 *
 * Any membership counts for `up`, ADMIN OPTION alone included: with ADMIN OPTION on a role, a login can grant
 * that role to itself.
 *
 * @example
 * protectionSql.lineage(['alice', 'app_readonly'], 170000)
 */
export const protectionSql = {
  lineage: (names: readonly string[], versionNum: number): Statement => ({
    text: `WITH RECURSIVE named AS (
             SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($1::text[])
           ), up(named_oid, oid) AS (
             SELECT n.oid, n.oid FROM named n
             UNION
             SELECT up.named_oid, am.roleid FROM up JOIN pg_catalog.pg_auth_members am ON am.member = up.oid
           ), held(oid) AS (
             SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
             UNION
             SELECT am.roleid FROM held JOIN pg_catalog.pg_auth_members am ON am.member = held.oid
              WHERE ${versionNum >= 160000 ? 'am.inherit_option OR am.set_option' : 'true'}
           )
           SELECT n.rolname::text AS role, r.rolname::text AS name,
                  up.oid = up.named_oid AS self,
                  EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members d WHERE d.member = up.named_oid AND d.roleid = up.oid) AS direct,
                  r.rolcanlogin AS login, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
                  r.rolbypassrls AS bypassrls, r.rolreplication AS replication,
                  r.rolname = current_user AS "isAdmin",
                  EXISTS (SELECT 1 FROM held h WHERE h.oid = r.oid) AS "adminHolds",
                  CASE WHEN up.oid = up.named_oid THEN pg_catalog.shobj_description(r.oid, 'pg_authid') END AS comment
             FROM up
             JOIN named n ON n.oid = up.named_oid
             JOIN pg_catalog.pg_roles r ON r.oid = up.oid
            ORDER BY 1, 3 DESC, 2`,
    values: [names],
  }),
} as const;
