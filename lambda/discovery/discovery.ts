import * as z from 'zod/mini';
import '../schema-messages';
import { readMemberships, readPrivileges, readRoles, readSchemas, readSessionFacts } from '../catalog/catalog';
import type { Session } from '../postgres/connect';
import { IdentifierSchema } from '../postgres/identifiers';
import { DEFAULT_OBJECTS, PrivilegeSchema } from '../actions/grants';
import { CallerSchema } from '../requests/caller';
import { TargetSchema } from '../requests/request-target';

/** A `discover` request: what exists, read-only. */
export const DiscoverRequestSchema = z
  .strictObject({
    kind: z.literal('discover'),
    target: TargetSchema,
    roles: z
      .optional(z.array(IdentifierSchema).check(z.maxLength(1000)))
      .check(z.meta({ description: 'Only these roles, and only privileges granted to them (default: every role but pg_*, and every grantee).' })),
    schemas: z
      .optional(z.array(IdentifierSchema).check(z.maxLength(1000)))
      .check(z.meta({ description: 'Only privileges in these schemas (default: all but pg_* and information_schema).' })),
    caller: z.optional(CallerSchema),
  })
  .check(z.meta({ title: 'discover' }));
export type DiscoverRequest = z.infer<typeof DiscoverRequestSchema>;

const MembershipSchema = z.object({
  role: z.string(),
  grantor: z.string(),
  admin: z.boolean(),
  inherit: z.nullable(z.boolean()).check(z.meta({ description: 'PostgreSQL 16+; null before.' })),
  set: z.nullable(z.boolean()).check(z.meta({ description: 'PostgreSQL 16+; null before.' })),
});

const RoleInfoSchema = z.object({
  name: z.string(),
  login: z.boolean(),
  superuser: z.boolean(),
  createrole: z.boolean(),
  createdb: z.boolean(),
  replication: z.boolean(),
  bypassrls: z.boolean(),
  inherit: z.boolean(),
  connectionLimit: z.int(),
  validUntil: z.nullable(z.string()).check(z.meta({ description: 'ISO 8601 UTC, "infinity", or null.' })),
  comment: z.nullable(z.string()),
  memberOf: z.array(MembershipSchema),
});

/** One privilege of one grantee on one object. */
export const PrivilegeEntrySchema = z.object({
  on: z.enum(['schema', 'table', 'column', 'sequence', 'function', 'default']),
  schema: z.string(),
  name: z.nullable(z.string()),
  column: z.nullable(z.string()),
  arguments: z.nullable(z.string()),
  forRole: z.nullable(z.string()),
  objects: z.nullable(z.enum(DEFAULT_OBJECTS)),
  grantee: z.string().check(z.meta({ description: 'A role name, or PUBLIC.' })),
  grantor: z.string(),
  privilege: PrivilegeSchema,
  grantable: z.boolean(),
}).register(z.globalRegistry, { id: 'PrivilegeEntry' });

/** What discovery reports. Equal results before an action and after its rollback mean the database is as it was. */
export const DiscoveryResultSchema = z.object({
  database: z.string(),
  serverVersion: z.string(),
  serverVersionNum: z.int(),
  roles: z.array(RoleInfoSchema),
  schemas: z.array(z.object({ name: z.string(), owner: z.string() })),
  privileges: z.array(PrivilegeEntrySchema),
}).register(z.globalRegistry, { id: 'DiscoveryResult' });
export type DiscoveryResult = z.infer<typeof DiscoveryResultSchema>;

/**
 * Roles with their attributes and memberships, schemas with owners, and every privilege on schemas, tables,
 * columns, sequences, routines and default privileges, in a stable order. Reads only what PUBLIC may read, so a
 * login with pg_monitor and pg_read_all_data (or less) is enough.
 */
export async function discover(session: Session, request: Pick<DiscoverRequest, 'roles' | 'schemas'>): Promise<DiscoveryResult> {
  const facts = await readSessionFacts(session);
  const roles = request.roles ?? null;
  const roleFacts = await readRoles(session, roles);
  const memberships = await readMemberships(session, roleFacts.map((role) => role.name), facts.versionNum);
  const privileges = await readPrivileges(session, { schemas: request.schemas ?? null, grantees: roles, includeOwners: true });
  return DiscoveryResultSchema.parse({
    database: facts.database,
    serverVersion: facts.version,
    serverVersionNum: facts.versionNum,
    roles: roleFacts.map((role) => ({
      ...role,
      memberOf: memberships
        .filter((m) => m.member === role.name)
        .map((m) => ({ role: m.role, grantor: m.grantor, admin: m.admin, inherit: m.inherit, set: m.set })),
    })),
    schemas: await readSchemas(session, request.schemas ?? null),
    privileges,
  });
}
