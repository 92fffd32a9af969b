import * as z from 'zod/mini';
import '../schema-messages';
import type { PrivilegeRow } from '../catalog/catalog';
import { IdentifierSchema, quoteIdentifier as q } from '../postgres/identifiers';
import type { PlannedStatement } from './planned-statement';
import { statement } from './planned-statement';
import { roleStatements } from './role-statements';

/** Privilege keywords as aclexplode reports them (PostgreSQL "Privileges", table 5.1; MAINTAIN is 17+). */
export const PRIVILEGES = [
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN',
  'USAGE', 'CREATE', 'EXECUTE',
] as const;
/** A privilege keyword: an enum, so it can enter SQL text as is. */
export const PrivilegeSchema = z.enum(PRIVILEGES).register(z.globalRegistry, { id: 'Privilege' });
export type Privilege = z.infer<typeof PrivilegeSchema>;

/**
 * Object kinds of schema-scoped ALTER DEFAULT PRIVILEGES (pg_default_acl.defaclobjtype r, S, f, T). Global entries
 * (no IN SCHEMA) are outside every action's scope.
 */
export const DEFAULT_OBJECTS = ['tables', 'sequences', 'functions', 'types'] as const;

const privileges = z.array(PrivilegeSchema).check(z.minLength(1), z.maxLength(PRIVILEGES.length));
const common = {
  schema: IdentifierSchema,
  privileges,
  grantable: z.boolean().check(z.meta({ description: 'Held WITH GRANT OPTION.' })),
};
const grantor = IdentifierSchema.check(
  z.meta({
    description:
      "The grantor: the role a grant-privileges request makes the grant as, and the one a result, a rollback or revoke-privileges names as recorded. PostgreSQL records the object's owner for a superuser, and for a role that inherits the owner's privileges without holding the grant option itself; results and rollbacks carry the grantor recorded.",
  }),
);

/**
 * Privileges one role holds on one object, from one grantor: what revoke-all-privileges records and what its
 * rollback (grant-privileges) re-grants. `function.arguments` is PostgreSQL's own
 * pg_get_function_identity_arguments text; a request's value is only ever used to look the function up, and the
 * catalog's text is what enters SQL.
 */
export const GrantSchema = z.discriminatedUnion('on', [
  z.strictObject({ on: z.literal('schema'), ...common, grantor }),
  z.strictObject({ on: z.literal('table'), ...common, name: IdentifierSchema, grantor }),
  z.strictObject({ on: z.literal('sequence'), ...common, name: IdentifierSchema, grantor }),
  z.strictObject({ on: z.literal('column'), ...common, name: IdentifierSchema, column: IdentifierSchema, grantor }),
  z.strictObject({
    on: z.literal('function'),
    ...common,
    name: IdentifierSchema,
    arguments: z.string().check(z.maxLength(4096), z.meta({ description: 'pg_get_function_identity_arguments, e.g. "a integer, b text".' })),
    grantor,
  }),
  z.strictObject({
    on: z.literal('default'),
    ...common,
    forRole: IdentifierSchema.check(z.meta({ description: 'ALTER DEFAULT PRIVILEGES FOR ROLE: objects this role creates get the privilege.' })),
    objects: z.enum(DEFAULT_OBJECTS),
  }),
]).register(z.globalRegistry, { id: 'Grant', description: 'Privileges one role holds on one object, from one grantor.' });
export type Grant = z.infer<typeof GrantSchema>;

const ON_ORDER: readonly Grant['on'][] = ['schema', 'table', 'column', 'sequence', 'function', 'default'];

/**
 * Folds catalog rows (one privilege each) into grants (one object, grantor and grant option each), in a stable
 * order, so the statements built from them do not depend on the order the server returned rows in.
 */
export function groupGrants(rows: readonly PrivilegeRow[]): Grant[] {
  const groups = new Map<string, { row: PrivilegeRow; privileges: Set<Privilege> }>();
  for (const row of rows) {
    const privilege = PrivilegeSchema.parse(row.privilege);
    const key = JSON.stringify([row.on, row.schema, row.name, row.column, row.arguments, row.forRole, row.objects, row.grantor, row.grantable]);
    const group = groups.get(key) ?? { row, privileges: new Set<Privilege>() };
    group.privileges.add(privilege);
    groups.set(key, group);
  }
  return sortGrants([...groups.values()].map(({ row, privileges: held }) => toGrant(row, sortPrivileges([...held]))));
}

function toGrant(row: PrivilegeRow, held: Privilege[]): Grant {
  const base = { schema: row.schema, privileges: held, grantable: row.grantable };
  switch (row.on) {
    case 'schema':
      return { on: 'schema', ...base, grantor: row.grantor };
    case 'table':
    case 'sequence':
      return { on: row.on, ...base, name: row.name ?? '', grantor: row.grantor };
    case 'column':
      return { on: 'column', ...base, name: row.name ?? '', column: row.column ?? '', grantor: row.grantor };
    case 'function':
      return { on: 'function', ...base, name: row.name ?? '', arguments: row.arguments ?? '', grantor: row.grantor };
    case 'default':
      return { on: 'default', ...base, forRole: row.forRole ?? '', objects: z.enum(DEFAULT_OBJECTS).parse(row.objects) };
  }
}

function sortPrivileges(held: Privilege[]): Privilege[] {
  return held.sort((a, b) => PRIVILEGES.indexOf(a) - PRIVILEGES.indexOf(b));
}

/** Stable order: by object kind, then object, then grantor. */
export function sortGrants(grants: readonly Grant[]): Grant[] {
  const key = (g: Grant) =>
    JSON.stringify([
      ON_ORDER.indexOf(g.on),
      g.schema,
      'name' in g ? g.name : '',
      'column' in g ? g.column : '',
      'arguments' in g ? g.arguments : '',
      'forRole' in g ? g.forRole : '',
      'objects' in g ? g.objects : '',
      'grantor' in g ? g.grantor : '',
      g.grantable,
    ]);
  return [...grants].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * GRANT statements that give `role` exactly these grants. A grant made by a role other than the session's runs
 * under `SET ROLE <grantor>`: PostgreSQL records as grantor the role that issues a GRANT (a superuser or a member
 * of the owner acts as the owner), so this is how a rollback restores the original grantor too.
 */
export function grantStatements(role: string, grants: readonly Grant[], sessionUser: string): PlannedStatement[] {
  return underGrantors(grants, sessionUser, (grant) => grantOne(role, grant));
}

/** REVOKE statements that take exactly these grants from `role`; each runs as its grantor, as above. */
export function revokeStatements(role: string, grants: readonly Grant[], sessionUser: string): PlannedStatement[] {
  return underGrantors(grants, sessionUser, (grant) => revokeOne(role, grant, ''));
}

/** REVOKE GRANT OPTION FOR statements: `role` keeps these privileges, without the right to grant them on. */
export function revokeGrantOptionStatements(role: string, grants: readonly Grant[], sessionUser: string): PlannedStatement[] {
  return underGrantors(grants, sessionUser, (grant) => revokeOne(role, grant, 'GRANT OPTION FOR '));
}

function underGrantors(grants: readonly Grant[], sessionUser: string, build: (grant: Grant) => PlannedStatement): PlannedStatement[] {
  const actingAs = (g: Grant) => (g.on === 'default' || g.grantor === sessionUser ? sessionUser : g.grantor);
  const byGrantor = new Map<string, Grant[]>();
  for (const grant of sortGrants(grants)) {
    const as = actingAs(grant);
    byGrantor.set(as, [...(byGrantor.get(as) ?? []), grant]);
  }
  const order = [...byGrantor.keys()].sort((a, b) => (a === sessionUser ? -1 : b === sessionUser ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const out: PlannedStatement[] = [];
  for (const as of order) {
    const group = byGrantor.get(as) ?? [];
    if (as !== sessionUser) out.push(roleStatements.setRole(as));
    out.push(...group.map(build));
    if (as !== sessionUser) out.push(roleStatements.resetRole());
  }
  return out;
}

function grantOne(role: string, grant: Grant): PlannedStatement {
  const option = grant.grantable ? ' WITH GRANT OPTION' : '';
  if (grant.on === 'default') {
    return statement(`${defaultPrefix(grant)} GRANT ${grant.privileges.join(', ')} ON ${grant.objects.toUpperCase()} TO ${q(role)}${option}`);
  }
  return statement(`GRANT ${privilegeList(grant)} ON ${objectOf(grant)} TO ${q(role)}${option}`);
}

function revokeOne(role: string, grant: Grant, only: '' | 'GRANT OPTION FOR '): PlannedStatement {
  if (grant.on === 'default') {
    return statement(`${defaultPrefix(grant)} REVOKE ${only}${grant.privileges.join(', ')} ON ${grant.objects.toUpperCase()} FROM ${q(role)}`);
  }
  return statement(`REVOKE ${only}${privilegeList(grant)} ON ${objectOf(grant)} FROM ${q(role)}`);
}

function defaultPrefix(grant: Extract<Grant, { on: 'default' }>): string {
  return `ALTER DEFAULT PRIVILEGES FOR ROLE ${q(grant.forRole)} IN SCHEMA ${q(grant.schema)}`;
}

function privilegeList(grant: Exclude<Grant, { on: 'default' }>): string {
  if (grant.on === 'column') return grant.privileges.map((p) => `${p} (${q(grant.column)})`).join(', ');
  return grant.privileges.join(', ');
}

function objectOf(grant: Exclude<Grant, { on: 'default' }>): string {
  switch (grant.on) {
    case 'schema':
      return `SCHEMA ${q(grant.schema)}`;
    case 'table':
    case 'column':
      return `TABLE ${q(grant.schema)}.${q(grant.name)}`;
    case 'sequence':
      return `SEQUENCE ${q(grant.schema)}.${q(grant.name)}`;
    case 'function':
      // ROUTINE covers functions, procedures and aggregates (PostgreSQL 11+). The argument list is the
      // catalog's own text (see GrantSchema), the only SQL fragment here that is not built by quoting.
      return `ROUTINE ${q(grant.schema)}.${q(grant.name)}(${grant.arguments})`;
  }
}

/**
 * What of `revoking` the role has granted on to others (`passedOn`: rows whose grantor is the role). PostgreSQL refuses
 * such a REVOKE without CASCADE ("dependent privileges exist"), and CASCADE would take the others' grants too. A
 * REVOKE on a table takes the privilege on its columns as well, so grants passed on for a column count for the
 * table. Default privileges are not grants of the role's: nothing depends on them.
 *
 * @returns each dependent grant, as "SELECT on table "app"."t" to "x""
 */
export function dependentGrants(revoking: readonly Grant[], passedOn: readonly PrivilegeRow[]): string[] {
  const covers = (grant: Grant, row: PrivilegeRow): boolean => {
    if (grant.on === 'default' || row.on === 'default' || grant.schema !== row.schema) return false;
    if (!grant.privileges.some((privilege) => privilege === row.privilege)) return false;
    switch (grant.on) {
      case 'schema':
        return row.on === 'schema';
      case 'table':
        return (row.on === 'table' || row.on === 'column') && row.name === grant.name;
      case 'column':
        return row.on === 'column' && row.name === grant.name && row.column === grant.column;
      case 'sequence':
        return row.on === 'sequence' && row.name === grant.name;
      case 'function':
        return row.on === 'function' && row.name === grant.name && row.arguments === grant.arguments;
    }
  };
  return passedOn
    .filter((row) => revoking.some((grant) => covers(grant, row)))
    .map((row) => `${row.privilege} on ${describeGrantObject(toGrant(row, [PrivilegeSchema.parse(row.privilege)]))} to "${row.grantee}"`);
}

/** How PostgreSQL's messages name an object, for refusals and notes. */
export function describeGrantObject(grant: Grant): string {
  const qualified = 'name' in grant ? `"${grant.schema}"."${grant.name}"` : '';
  switch (grant.on) {
    case 'schema':
      return `schema "${grant.schema}"`;
    case 'table':
    case 'sequence':
      return `${grant.on} ${qualified}`;
    case 'column':
      return `column "${grant.column}" of table ${qualified}`;
    case 'function':
      return `routine ${qualified}(${grant.arguments})`;
    case 'default':
      return `${grant.objects} created by "${grant.forRole}" in schema "${grant.schema}"`;
  }
}

/** One privilege of a grant: the unit two sets of grants are compared in. */
interface GrantUnit {
  readonly grant: Grant;
  readonly privilege: Privilege;
}

const objectKey = (g: Grant) =>
  JSON.stringify([g.on, g.schema, 'name' in g ? g.name : null, 'column' in g ? g.column : null, 'arguments' in g ? g.arguments : null,
    'forRole' in g ? g.forRole : null, 'objects' in g ? g.objects : null, 'grantor' in g ? g.grantor : null]);

function units(grants: readonly Grant[]): GrantUnit[] {
  return grants.flatMap((grant) => grant.privileges.map((privilege) => ({ grant, privilege })));
}

/** The same grants with those on one object, from one grantor and with the same grant option, made one. */
export function mergeGrants(grants: readonly Grant[]): Grant[] {
  return regroup(units(grants));
}

function regroup(list: readonly GrantUnit[]): Grant[] {
  const groups = new Map<string, { grant: Grant; privileges: Privilege[] }>();
  for (const { grant, privilege } of list) {
    const key = `${objectKey(grant)}|${grant.grantable}`;
    const group = groups.get(key) ?? { grant, privileges: [] };
    if (!group.privileges.includes(privilege)) group.privileges.push(privilege);
    groups.set(key, group);
  }
  return sortGrants([...groups.values()].map(({ grant, privileges: held }) => ({ ...grant, privileges: sortPrivileges(held) })));
}

/** How wanted grants stand against held ones, each a list of grants. */
export interface GrantComparison {
  /** Wanted privileges not held at all (same object, grantor and privilege). */
  readonly missing: Grant[];
  /** Wanted privileges held, as held: with the grant option they have, which is what a REVOKE removes. */
  readonly present: Grant[];
  /** Wanted with the grant option and held without it: what a GRANT … WITH GRANT OPTION would add. */
  readonly optionMissing: Grant[];
  /** Wanted privileges held with the grant option, as held: what a REVOKE GRANT OPTION FOR removes. */
  readonly optionPresent: Grant[];
}

export function compareGrants(wanted: readonly Grant[], held: readonly Grant[]): GrantComparison {
  const heldUnits = units(held);
  const find = (unit: GrantUnit) => heldUnits.find((h) => h.privilege === unit.privilege && objectKey(h.grant) === objectKey(unit.grant));
  const missing: GrantUnit[] = [];
  const present: GrantUnit[] = [];
  const optionMissing: GrantUnit[] = [];
  for (const unit of units(wanted)) {
    const match = find(unit);
    if (match === undefined) missing.push(unit);
    else present.push(match);
    if (match !== undefined && unit.grant.grantable && !match.grant.grantable) optionMissing.push(unit);
  }
  return {
    missing: regroup(missing),
    present: regroup(present),
    optionMissing: regroup(optionMissing),
    optionPresent: regroup(present.filter((unit) => unit.grant.grantable)),
  };
}
