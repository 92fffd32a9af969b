import { DatabaseError } from '../errors';
import type { Session } from '../postgres/connect';
import { run } from '../postgres/role-changes';
import { catalogSql } from './catalog-sql';

/** Who the admin session is and what the server is, read once per request. */
export interface SessionFacts {
  readonly currentUser: string;
  readonly database: string;
  readonly versionNum: number;
  readonly version: string;
  readonly superuser: boolean;
  /** The server's clock: VALID UNTIL is enforced by it, so expiry decisions use it too. */
  readonly serverNow: Date;
}

/** A role's attributes (pg_roles), with VALID UNTIL as ISO 8601 UTC text. */
export interface RoleFacts {
  readonly name: string;
  /** The role's OID, as text: how pg_stat_activity still names a dropped role's sessions (usesysid). */
  readonly oid: string;
  readonly login: boolean;
  readonly superuser: boolean;
  readonly createrole: boolean;
  readonly createdb: boolean;
  readonly replication: boolean;
  readonly bypassrls: boolean;
  readonly inherit: boolean;
  readonly connectionLimit: number;
  readonly validUntil: string | null;
  readonly comment: string | null;
}

/** One direct membership (pg_auth_members). `inherit` and `set` are null before PostgreSQL 16. */
export interface MembershipRow {
  readonly role: string;
  readonly member: string;
  readonly grantor: string;
  readonly admin: boolean;
  readonly inherit: boolean | null;
  readonly set: boolean | null;
}

/** One privilege of one grantee on one object: a row of the catalog query, and of discovery. */
export interface PrivilegeRow {
  readonly on: 'schema' | 'table' | 'sequence' | 'column' | 'function' | 'default';
  readonly schema: string;
  readonly name: string | null;
  readonly column: string | null;
  readonly arguments: string | null;
  readonly forRole: string | null;
  readonly objects: string | null;
  readonly grantee: string;
  readonly grantor: string;
  readonly privilege: string;
  readonly grantable: boolean;
}

/** One row of pg_shdepend for a role; `object` is null for objects of other databases. */
export interface DependentRow {
  readonly database: string | null;
  readonly here: boolean;
  readonly kind: string;
  readonly object: string | null;
}

/** Reads {@link SessionFacts} on the session an action runs on. */
export async function readSessionFacts(session: Session): Promise<SessionFacts> {
  const { rows } = await run<SessionFacts & Record<string, unknown>>(session, catalogSql.sessionFacts());
  const row = rows[0];
  if (!row) throw new DatabaseError('query', 'could not read current_user and server_version_num');
  return {
    currentUser: row.currentUser,
    database: row.database,
    versionNum: row.versionNum,
    version: row.version,
    superuser: row.superuser,
    serverNow: row.serverNow,
  };
}

/** Attributes of the named roles (null: every role but pg_*), sorted by name. */
export async function readRoles(session: Session, names: readonly string[] | null): Promise<RoleFacts[]> {
  return (await run<RoleFacts & Record<string, unknown>>(session, catalogSql.roles(names))).rows;
}

/** The role's attributes, or undefined when no such role exists. */
export async function readRole(session: Session, name: string): Promise<RoleFacts | undefined> {
  return (await readRoles(session, [name]))[0];
}

/** Direct memberships of the named members (null: all). */
export async function readMemberships(session: Session, members: readonly string[] | null, versionNum: number): Promise<MembershipRow[]> {
  return (await run<MembershipRow & Record<string, unknown>>(session, catalogSql.memberships(members, versionNum))).rows;
}

/** Privilege rows (see catalogSql.privileges), one per privilege. */
export async function readPrivileges(
  session: Session,
  filter: {
    readonly schemas: readonly string[] | null;
    readonly grantees: readonly string[] | null;
    readonly includeOwners: boolean;
    readonly grantors?: readonly string[] | null;
  },
): Promise<PrivilegeRow[]> {
  const sql = catalogSql.privileges(filter.schemas, filter.grantees, filter.includeOwners, filter.grantors ?? null);
  return (await run<PrivilegeRow & Record<string, unknown>>(session, sql)).rows;
}

/** Schemas and their owners (null: every schema but system ones). */
export async function readSchemas(session: Session, names: readonly string[] | null): Promise<{ name: string; owner: string }[]> {
  return (await run<{ name: string; owner: string }>(session, catalogSql.schemas(names))).rows;
}

/** What depends on a role, in every database (pg_shdepend). */
export async function readDependents(session: Session, role: string): Promise<DependentRow[]> {
  return (await run<DependentRow & Record<string, unknown>>(session, catalogSql.dependents(role))).rows;
}

/** What `role` owns here that runs with its owner's privileges (catalogSql.runsAsOwner), each described by PostgreSQL. */
export async function readRunsAsOwner(session: Session, role: string): Promise<string[]> {
  return (await run<{ object: string }>(session, catalogSql.runsAsOwner(role))).rows.map((row) => row.object);
}

/** Whether `member` holds ADMIN OPTION on `role` (catalogSql.hasAdminOption). */
export async function hasAdminOption(session: Session, member: string, role: string): Promise<boolean> {
  const { rows } = await run<{ held: boolean }>(session, catalogSql.hasAdminOption(member, role));
  return rows[0]?.held === true;
}

/** Whether `member` holds the privileges of `role` (pg_has_role … USAGE). */
export async function hasPrivilegesOf(session: Session, member: string, role: string): Promise<boolean> {
  const { rows } = await run<{ held: boolean }>(session, catalogSql.hasPrivilegesOf(member, role));
  return rows[0]?.held === true;
}

/** Who may grant on one object (catalogSql.grantAuthority); `owner` undefined: no such object. */
export interface GrantAuthorityRow {
  readonly owner: string | undefined;
  readonly actorExists: boolean;
  readonly actorIsOwnerOrSuperuser: boolean;
  /** USAGE on the object's schema, without which the actor cannot name the object (always, for a schema). */
  readonly actorHasSchemaUsage: boolean;
  readonly actsAsOwner: boolean;
  /** Grant options held by the actor, or by a role whose privileges it holds, one row per role and privilege. */
  readonly optionHolders: readonly { readonly role: string; readonly privilege: string }[];
}

/** An object a GRANT names, and the role that would issue it. */
export interface GrantObject {
  readonly kind: 'schema' | 'table' | 'sequence' | 'column' | 'function';
  readonly schema: string;
  readonly name: string | null;
  readonly column: string | null;
  readonly arguments: string | null;
  readonly actor: string;
}

/** {@link GrantAuthorityRow} for each object, in the same order. */
export async function readGrantAuthority(session: Session, objects: readonly GrantObject[]): Promise<GrantAuthorityRow[]> {
  if (objects.length === 0) return [];
  const { rows } = await run<{ owner: string | null } & Omit<GrantAuthorityRow, 'owner'>>(
    session,
    catalogSql.grantAuthority({
      kinds: objects.map((o) => o.kind),
      schemas: objects.map((o) => o.schema),
      names: objects.map((o) => o.name),
      columns: objects.map((o) => o.column),
      arguments: objects.map((o) => o.arguments),
      actors: objects.map((o) => o.actor),
    }),
  );
  return rows.map((row) => ({ ...row, owner: row.owner ?? undefined }));
}

/** The catalogue's identity-argument text of a routine, or undefined when none matches. */
export async function findRoutine(session: Session, schema: string, name: string, identityArguments: string): Promise<string | undefined> {
  const { rows } = await run<{ arguments: string }>(session, catalogSql.routine(schema, name, identityArguments));
  return rows[0]?.arguments;
}
