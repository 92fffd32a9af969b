import type { Statement } from '../postgres/role-sql';

/**
 * Catalogue queries for the orchestrator API (actions, discovery, test requests). Every query reads only
 * catalogues and functions PUBLIC may read (pg_roles, pg_auth_members, pg_namespace, pg_class, pg_attribute,
 * pg_proc, pg_default_acl, pg_shdepend, pg_database, pg_rewrite, pg_index, pg_statistic_ext, aclexplode), so discovery works for a role holding no more
 * than pg_monitor and pg_read_all_data. Values are `$n` parameters; no name is ever spliced into the text.
 */

/** A role's validity as ISO 8601 UTC text (or 'infinity'), so results do not depend on the session's TimeZone. */
const VALID_UNTIL = `CASE WHEN r.rolvaliduntil IS NULL THEN NULL
            WHEN NOT pg_catalog.isfinite(r.rolvaliduntil) THEN r.rolvaliduntil::text
            ELSE pg_catalog.to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END`;

export const catalogSql = {
  /** Who the session is and what the server is. */
  sessionFacts: (): Statement => ({
    text: `SELECT current_user AS "currentUser",
                  current_database() AS database,
                  current_setting('server_version_num')::int AS "versionNum",
                  current_setting('server_version') AS version,
                  coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) AS superuser,
                  clock_timestamp() AS "serverNow"`,
  }),

  /** Role attributes; `names` null means every role but the predefined `pg_*` ones. */
  roles: (names: readonly string[] | null): Statement => ({
    text: `SELECT r.rolname AS name, r.oid::text AS oid, r.rolcanlogin AS login, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
                  r.rolcreatedb AS createdb, r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
                  r.rolinherit AS inherit, r.rolconnlimit AS "connectionLimit", ${VALID_UNTIL} AS "validUntil",
                  pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment
             FROM pg_catalog.pg_roles r
            WHERE CASE WHEN $1::text[] IS NULL THEN r.rolname !~ '^pg_' ELSE r.rolname = ANY($1::text[]) END
            ORDER BY r.rolname`,
    values: [names],
  }),

  /**
   * Direct memberships whose member is one of `members` (null: all). INHERIT and SET are per membership from
   * PostgreSQL 16 on (pg_auth_members.inherit_option, set_option); before, they are reported as null.
   */
  memberships: (members: readonly string[] | null, versionNum: number): Statement => ({
    text: `SELECT g.rolname AS role, m.rolname AS member, pg_catalog.pg_get_userbyid(am.grantor) AS grantor,
                  am.admin_option AS admin,
                  ${versionNum >= 160000 ? 'am.inherit_option' : 'NULL::boolean'} AS inherit,
                  ${versionNum >= 160000 ? 'am.set_option' : 'NULL::boolean'} AS set
             FROM pg_catalog.pg_auth_members am
             JOIN pg_catalog.pg_roles g ON g.oid = am.roleid
             JOIN pg_catalog.pg_roles m ON m.oid = am.member
            WHERE $1::text[] IS NULL OR m.rolname = ANY($1::text[])
            ORDER BY m.rolname, g.rolname, 3`,
    values: [members],
  }),

  /** Schemas and their owners; `names` null means every schema but pg_* and information_schema. */
  schemas: (names: readonly string[] | null): Statement => ({
    text: `SELECT n.nspname AS name, pg_catalog.pg_get_userbyid(n.nspowner) AS owner
             FROM pg_catalog.pg_namespace n
            WHERE CASE WHEN $1::text[] IS NULL THEN n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
                       ELSE n.nspname = ANY($1::text[]) END
            ORDER BY 1`,
    values: [names],
  }),

  /**
   * Every privilege on schemas, tables (and views, materialized views, foreign and partitioned tables),
   * columns, sequences, routines and schema-scoped default privileges, one row per privilege, from the ACLs
   * themselves (aclexplode; a NULL ACL is the owner's default, acldefault). `schemas` / `grantees` null: all
   * (grantee 'PUBLIC' is PUBLIC). `includeOwners` false leaves out what owners hold on their own objects. `grantors`
   * null: all; else only what these roles granted.
   */
  privileges: (schemas: readonly string[] | null, grantees: readonly string[] | null, includeOwners: boolean, grantors: readonly string[] | null = null): Statement => ({
    text: `WITH ns AS (
             SELECT n.oid, n.nspname, n.nspowner, n.nspacl FROM pg_catalog.pg_namespace n
              WHERE CASE WHEN $1::text[] IS NULL THEN n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
                         ELSE n.nspname = ANY($1::text[]) END
           ), acl AS (
             SELECT 'schema' AS kind, ns.nspname AS schema, NULL::name AS name, NULL::name AS col, NULL::text AS args,
                    NULL::oid AS for_role, NULL::text AS objects, ns.nspowner AS owner, a.grantor, a.grantee, a.privilege_type, a.is_grantable
               FROM ns CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(ns.nspacl, pg_catalog.acldefault('n', ns.nspowner))) a
             UNION ALL
             SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END, ns.nspname, c.relname, NULL, NULL, NULL, NULL,
                    c.relowner, a.grantor, a.grantee, a.privilege_type, a.is_grantable
               FROM ns JOIN pg_catalog.pg_class c ON c.relnamespace = ns.oid
              CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(c.relacl,
                    pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner))) a
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
             UNION ALL
             SELECT 'column', ns.nspname, c.relname, at.attname, NULL, NULL, NULL, c.relowner, a.grantor, a.grantee, a.privilege_type, a.is_grantable
               FROM ns JOIN pg_catalog.pg_class c ON c.relnamespace = ns.oid
               JOIN pg_catalog.pg_attribute at ON at.attrelid = c.oid AND at.attnum > 0 AND NOT at.attisdropped AND at.attacl IS NOT NULL
              CROSS JOIN LATERAL pg_catalog.aclexplode(at.attacl) a
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
             UNION ALL
             SELECT 'function', ns.nspname, p.proname, NULL, pg_catalog.pg_get_function_identity_arguments(p.oid), NULL, NULL,
                    p.proowner, a.grantor, a.grantee, a.privilege_type, a.is_grantable
               FROM ns JOIN pg_catalog.pg_proc p ON p.pronamespace = ns.oid
              CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
             UNION ALL
             SELECT 'default', ns.nspname, NULL, NULL, NULL, d.defaclrole,
                    CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' END,
                    d.defaclrole, a.grantor, a.grantee, a.privilege_type, a.is_grantable
               FROM ns JOIN pg_catalog.pg_default_acl d ON d.defaclnamespace = ns.oid
              CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a
           ), named AS (
             SELECT acl.*, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(acl.grantee)::text END AS grantee_name
               FROM acl
           )
           SELECT kind AS "on", schema::text AS schema, name::text AS name, col::text AS "column", args AS "arguments",
                  pg_catalog.pg_get_userbyid(for_role)::text AS "forRole", objects, grantee_name AS grantee,
                  pg_catalog.pg_get_userbyid(grantor)::text AS grantor, privilege_type AS privilege, is_grantable AS grantable
             FROM named
            WHERE ($2::text[] IS NULL OR grantee_name = ANY($2::text[]))
              AND ($3::boolean OR grantee <> owner)
              AND ($4::text[] IS NULL OR pg_catalog.pg_get_userbyid(grantor)::text = ANY($4::text[]))
            ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
    values: [schemas, grantees, includeOwners, grantors],
  }),

  /**
   * What depends on a role (pg_shdepend): objects it owns ('o') and privileges granted to it ('a', and policies,
   * 'r'), in every database. PostgreSQL can describe only objects of the current database and shared ones; for
   * other databases the row names the database, which is what the caller needs to act on it.
   */
  dependents: (role: string): Statement => ({
    text: `SELECT CASE WHEN d.dbid = 0 THEN NULL ELSE db.datname::text END AS database,
                  d.dbid = 0 OR db.datname = current_database() AS here,
                  d.deptype::text AS kind,
                  CASE WHEN d.dbid = 0 OR db.datname = current_database()
                       THEN pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END AS object
             FROM pg_catalog.pg_shdepend d
             LEFT JOIN pg_catalog.pg_database db ON db.oid = d.dbid
            WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass
              AND d.refobjid = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = $1)
            ORDER BY 1 NULLS FIRST, 4`,
    values: [role],
  }),

  /**
   * What `role` owns in the current database that runs with its owner's privileges, whoever sets it off: SECURITY
   * DEFINER routines; views without security_invoker, whose tables are read as the owner; materialized views, which
   * REFRESH computes as the owner; rules, whose actions run as the table's owner; and expression or partial indexes
   * and expression statistics, which ANALYZE, VACUUM and REINDEX evaluate as the table's owner. REASSIGN OWNED would
   * make each run as the role that receives it.
   */
  runsAsOwner: (role: string): Statement => ({
    text: `WITH owner AS (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = $1)
           SELECT pg_catalog.pg_describe_object('pg_catalog.pg_proc'::regclass, p.oid, 0) || ' (SECURITY DEFINER)' AS object
             FROM pg_catalog.pg_proc p
            WHERE p.proowner = (SELECT oid FROM owner) AND p.prosecdef
           UNION ALL
           SELECT pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, c.oid, 0)
             FROM pg_catalog.pg_class c
            WHERE c.relowner = (SELECT oid FROM owner)
              AND (c.relkind = 'm'
                   OR (c.relkind = 'v' AND NOT EXISTS (
                         SELECT 1 FROM pg_catalog.pg_options_to_table(c.reloptions) o
                          WHERE o.option_name = 'security_invoker' AND lower(o.option_value) IN ('true', 'on', 'yes', '1', 't', 'y'))))
           UNION ALL
           SELECT pg_catalog.pg_describe_object('pg_catalog.pg_rewrite'::regclass, w.oid, 0)
             FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class
            WHERE c.relowner = (SELECT oid FROM owner) AND w.rulename <> '_RETURN'
           UNION ALL
           SELECT pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, i.indexrelid, 0) || ' (on expressions or partial)'
             FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
            WHERE c.relowner = (SELECT oid FROM owner) AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
           UNION ALL
           SELECT pg_catalog.pg_describe_object('pg_catalog.pg_statistic_ext'::regclass, x.oid, 0) || ' (on expressions)'
             FROM pg_catalog.pg_statistic_ext x JOIN pg_catalog.pg_class c ON c.oid = x.stxrelid
            WHERE c.relowner = (SELECT oid FROM owner) AND x.stxexprs IS NOT NULL
            ORDER BY 1`,
    values: [role],
  }),

  /** Whether `member` holds the privileges of `role` (inherits them), as REASSIGN OWNED and DROP OWNED require. */
  hasPrivilegesOf: (member: string, role: string): Statement => ({
    text: `SELECT pg_catalog.pg_has_role($1, $2, 'USAGE') AS held`,
    values: [member, role],
  }),

  /** Whether `member` holds ADMIN OPTION on `role`, which a CREATEROLE login needs from PostgreSQL 16 on to drop it. */
  hasAdminOption: (member: string, role: string): Statement => ({
    text: `SELECT pg_catalog.pg_has_role($1, $2, 'MEMBER WITH ADMIN OPTION') AS held`,
    values: [member, role],
  }),

  /**
   * Who may grant on each object, for predicting whom a GRANT run as `actor` records as its grantor (PostgreSQL's
   * select_best_grantor): the object's owner (null: no such object of that kind), whether the actor exists, is the owner
   * or a superuser, may look the object up (USAGE on its schema), holds the owner's privileges, and the grant options
   * held directly by the actor or by any role whose privileges it holds. A column's grant options include its
   * table's, as PostgreSQL merges the two ACLs.
   * The arrays are index-aligned, one element per object; `arguments` is the catalogue's identity-argument text.
   */
  grantAuthority: (objects: {
    readonly kinds: readonly string[];
    readonly schemas: readonly string[];
    readonly names: readonly (string | null)[];
    readonly columns: readonly (string | null)[];
    readonly arguments: readonly (string | null)[];
    readonly actors: readonly string[];
  }): Statement => ({
    text: `SELECT w.i::int AS "index",
                  pg_catalog.pg_get_userbyid(o.owner)::text AS owner,
                  r.oid IS NOT NULL AS "actorExists",
                  coalesce(o.owner = r.oid OR r.rolsuper, false) AS "actorIsOwnerOrSuperuser",
                  coalesce(w.kind = 'schema' OR pg_catalog.has_schema_privilege(r.oid, o.nsp, 'USAGE'), false) AS "actorHasSchemaUsage",
                  coalesce(pg_catalog.pg_has_role(r.oid, o.owner, 'USAGE'), false) AS "actsAsOwner",
                  coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('role', pg_catalog.pg_get_userbyid(a.grantee)::text, 'privilege', a.privilege_type))
                              FROM pg_catalog.aclexplode(o.acl) a
                             WHERE a.is_grantable AND a.grantee <> 0 AND a.grantee <> o.owner
                               AND pg_catalog.pg_has_role(r.oid, a.grantee, 'USAGE')), '[]'::jsonb) AS "optionHolders"
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS w(kind, schema, name, col, args, actor, i)
             LEFT JOIN pg_catalog.pg_roles r ON r.rolname = w.actor
             LEFT JOIN LATERAL (
               SELECT n.nspowner AS owner, coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner)) AS acl, n.oid AS nsp
                 FROM pg_catalog.pg_namespace n
                WHERE w.kind = 'schema' AND n.nspname = w.schema
               UNION ALL
               -- A sequence is only a sequence here, and a table (view, materialized, foreign or partitioned table) only
               -- a table: GRANT … ON TABLE names either, but a sequence takes only its own privileges through it.
               SELECT c.relowner,
                      coalesce(c.relacl, pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner))
                        || coalesce(at.attacl, '{}'::aclitem[]),
                      n.oid
                 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_catalog.pg_attribute at
                        ON w.kind = 'column' AND at.attrelid = c.oid AND at.attname = w.col AND at.attnum > 0 AND NOT at.attisdropped
                WHERE w.kind IN ('table', 'sequence', 'column') AND n.nspname = w.schema AND c.relname = w.name
                  AND CASE WHEN w.kind = 'sequence' THEN c.relkind = 'S' ELSE c.relkind IN ('r', 'p', 'v', 'm', 'f') END
                  AND (w.kind <> 'column' OR at.attrelid IS NOT NULL)
               UNION ALL
               SELECT p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)), n.oid
                 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE w.kind = 'function' AND n.nspname = w.schema AND p.proname = w.name
                  AND pg_catalog.pg_get_function_identity_arguments(p.oid) = w.args
             ) o ON true
            ORDER BY w.i`,
    values: [objects.kinds, objects.schemas, objects.names, objects.columns, objects.arguments, objects.actors],
  }),

  /** A routine by schema, name and identity arguments, so a request's argument text is only ever compared. */
  routine: (schema: string, name: string, identityArguments: string): Statement => ({
    text: `SELECT pg_catalog.pg_get_function_identity_arguments(p.oid) AS "arguments"
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = $1 AND p.proname = $2 AND pg_catalog.pg_get_function_identity_arguments(p.oid) = $3`,
    values: [schema, name, identityArguments],
  }),

} as const;
