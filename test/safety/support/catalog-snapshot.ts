/**
 * Everything an input could change in PostgreSQL that pg-rotator touches, read as a superuser: every role with all
 * of its attributes and its password verifier (pg_authid), every membership (pg_auth_members), every per-role
 * setting (pg_db_role_setting), every database with its owner and ACL, and, in the database connected to, every
 * schema and relation with its owner and ACL. Two snapshots compared say exactly what changed.
 */
import type pg from 'pg';

export type CatalogSnapshot = ReadonlyMap<string, string>;

const QUERIES: readonly string[] = [
  `SELECT 'role ' || rolname AS key, row_to_json(a)::text AS value FROM pg_catalog.pg_authid a`,
  `SELECT 'membership ' || m.roleid::regrole || ' > ' || m.member::regrole || ' by ' || m.grantor::regrole AS key,
          (row_to_json(m)::jsonb - 'oid')::text AS value
     FROM pg_catalog.pg_auth_members m`,
  `SELECT 'setting ' || coalesce(s.setrole::regrole::text, '*') || ' in ' || coalesce(d.datname, '*') AS key, s.setconfig::text AS value
     FROM pg_catalog.pg_db_role_setting s LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase`,
  `SELECT 'database ' || datname AS key, concat_ws(' ', datdba::regrole, datacl::text) AS value FROM pg_catalog.pg_database`,
  `SELECT 'schema ' || nspname AS key, concat_ws(' ', nspowner::regrole, nspacl::text) AS value FROM pg_catalog.pg_namespace`,
  `SELECT 'relation ' || c.oid::regclass AS key, concat_ws(' ', c.relowner::regrole, c.relacl::text) AS value
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`,
];

export async function catalogSnapshot(superuser: Pick<pg.Client, 'query'>): Promise<CatalogSnapshot> {
  const rows = new Map<string, string>();
  for (const query of QUERIES) {
    const result = await superuser.query<{ key: string; value: string | null }>(query);
    for (const row of result.rows) rows.set(row.key, row.value ?? '');
  }
  return rows;
}

/** The keys whose rows were added, removed or changed, sorted. */
export function changedKeys(before: CatalogSnapshot, after: CatalogSnapshot): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => before.get(key) !== after.get(key)).sort();
}

/** The attributes of a role's row that differ between two snapshots (e.g. `rolpassword`, `rolcanlogin`). */
export function changedRoleAttributes(before: CatalogSnapshot, after: CatalogSnapshot, role: string): string[] {
  const parse = (snapshot: CatalogSnapshot) => JSON.parse(snapshot.get(`role ${role}`) ?? '{}') as Record<string, unknown>;
  const [a, b] = [parse(before), parse(after)];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).sort();
}
