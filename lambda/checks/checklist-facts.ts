import { DatabaseError } from '../errors';
import type { Session } from '../postgres/connect';
import { run } from '../postgres/role-changes';
import type { Statement } from '../postgres/role-sql';
import type { ChecklistFacts } from './admin-checklist';

/** Catalogue reads for the checklist, all `$n`-parameterised and readable by any role. */
const checklistSql = {
  me: (): Statement => ({
    text: `SELECT current_user AS admin, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
                  pg_catalog.pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS "signalBackend",
                  current_database() AS database,
                  pg_catalog.has_database_privilege(current_user, current_database(), 'CONNECT WITH GRANT OPTION')
                    OR pg_catalog.pg_has_role(current_user, d.datdba, 'USAGE') AS "canGrantConnect",
                  current_setting('server_version_num')::int AS "versionNum"
             FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
            WHERE r.rolname = current_user AND d.datname = current_database()`,
  }),
  roles: (names: readonly string[]): Statement => ({
    text: `SELECT n.name, r.oid IS NOT NULL AS exists, coalesce(r.rolsuper, false) AS superuser,
                  coalesce(pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER WITH ADMIN OPTION'), false) AS "adminOption"
             FROM unnest($1::text[]) AS n(name) LEFT JOIN pg_catalog.pg_roles r ON r.rolname = n.name
            ORDER BY n.name`,
    values: [names],
  }),
  schemas: (names: readonly string[]): Statement => ({
    text: `SELECT n.name, s.oid IS NOT NULL AS exists,
                  coalesce((SELECT array_agg(DISTINCT pg_catalog.pg_get_userbyid(o.owner)::text ORDER BY pg_catalog.pg_get_userbyid(o.owner)::text)
                              FROM (SELECT s.nspowner AS owner
                                    UNION SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.relnamespace = s.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                                    UNION SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.pronamespace = s.oid) o
                             WHERE NOT pg_catalog.pg_has_role(current_user, o.owner, 'USAGE')), '{}') AS "ownersWithoutPrivileges"
             FROM unnest($1::text[]) AS n(name) LEFT JOIN pg_catalog.pg_namespace s ON s.nspname = n.name
            ORDER BY n.name`,
    values: [names],
  }),
} as const;

/** Reads what {@link adminChecklist} decides from, on the admin's own session. */
export async function readChecklistFacts(session: Session, managedRoles: readonly string[], schemas: readonly string[]): Promise<ChecklistFacts> {
  const me = (await run<{ admin: string; superuser: boolean; createrole: boolean; signalBackend: boolean; database: string; canGrantConnect: boolean; versionNum: number }>(session, checklistSql.me())).rows[0];
  if (!me) throw new DatabaseError('query', 'could not read the current user and database');
  const roles = (await run<{ name: string; exists: boolean; superuser: boolean; adminOption: boolean }>(session, checklistSql.roles([...new Set(managedRoles)]))).rows;
  const found = (await run<{ name: string; exists: boolean; ownersWithoutPrivileges: string[] }>(session, checklistSql.schemas([...new Set(schemas)]))).rows;
  return {
    admin: me.admin,
    versionNum: me.versionNum,
    superuser: me.superuser,
    createrole: me.createrole,
    signalBackend: me.signalBackend,
    database: { name: me.database, canGrantConnect: me.canGrantConnect },
    roles,
    schemas: found,
  };
}
