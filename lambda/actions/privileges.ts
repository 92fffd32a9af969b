import * as z from 'zod/mini';
import '../schema-messages';
import type { RoleFacts } from '../catalog/catalog';
import { findRoutine, readPrivileges, readRole, readSchemas } from '../catalog/catalog';
import { InvalidInputError, RoleNotFoundError } from '../errors';
import { IdentifierSchema } from '../postgres/identifiers';
import { RoleSchema } from './action-params';
import type { ActionModule, ObserveContext } from './action-module';
import type { Grant } from './grants';
import { compareGrants, GrantSchema, grantStatements, groupGrants, revokeStatements } from './grants';

/** Parameters of revoke-all-privileges. */
export const RevokeAllPrivilegesParamsSchema = z.strictObject({
  role: RoleSchema,
  schema: IdentifierSchema.check(
    z.meta({ description: 'The schema whose privileges are revoked: the schema itself and its tables, columns, sequences, routines and default privileges.' }),
  ),
});
export type RevokeAllPrivilegesParams = z.infer<typeof RevokeAllPrivilegesParamsSchema>;

/** Parameters of grant-privileges and revoke-privileges: exact grants, as revoke-all-privileges records them. */
export const GrantListParamsSchema = z.strictObject({
  role: RoleSchema,
  grants: z.array(GrantSchema).check(z.minLength(1), z.maxLength(1000)),
});
export type GrantListParams = z.infer<typeof GrantListParamsSchema>;

interface HeldState {
  readonly role: RoleFacts | undefined;
  readonly held: readonly Grant[];
}

interface RevokeAllState extends HeldState {
  readonly schemaExists: boolean;
}

/**
 * revoke-all-privileges: every privilege granted directly to the role in one schema (not what it gets through
 * PUBLIC or memberships, not what it holds as an owner) is revoked, each as its grantor, and recorded in
 * `revoked`. The rollback is grant-privileges with exactly that list.
 */
export const revokeAllPrivileges: ActionModule<RevokeAllPrivilegesParams, RevokeAllState> = {
  lockRoles: (params) => [params.role],
  observe: async (ctx, params) => ({
    role: await readRole(ctx.session, params.role),
    schemaExists: (await readSchemas(ctx.session, [params.schema])).length === 1,
    held: groupGrants(await readPrivileges(ctx.session, { schemas: [params.schema], grantees: [params.role], includeOwners: false })),
  }),
  plan: ({ params, state, facts }) => {
    requireRole(state.role, params.role);
    if (!state.schemaExists) throw new InvalidInputError('request.params.schema', `names no schema in database "${facts.database}"`);
    if (state.held.length === 0) {
      return { changed: false, statements: [], rollback: null, report: { revoked: [], notes: [`role "${params.role}" holds no privileges in schema "${params.schema}"`] } };
    }
    return {
      changed: true,
      statements: revokeStatements(params.role, state.held, facts.currentUser),
      rollback: { action: 'grant-privileges', params: { role: params.role, grants: [...state.held] } },
      report: { revoked: [...state.held] },
    };
  },
};

/** grant-privileges: grants exactly the listed privileges the role does not hold yet. The rollback revokes those. */
export const grantPrivileges: ActionModule<GrantListParams, ResolvedState> = {
  lockRoles: (params) => [params.role],
  observe: (ctx, params) => observeHeld(ctx, params),
  plan: ({ params, state, facts }) => {
    requireRole(state.role, params.role);
    const { missing } = compareGrants(params.grants.map((grant, i) => withCatalogArguments(grant, state, i)), state.held);
    if (missing.length === 0) return { changed: false, statements: [], rollback: null, report: { granted: [] } };
    return {
      changed: true,
      statements: grantStatements(params.role, missing, facts.currentUser),
      rollback: { action: 'revoke-privileges', params: { role: params.role, grants: missing } },
      report: { granted: missing },
    };
  },
};

/** revoke-privileges: revokes those of the listed privileges the role holds. The rollback grants them back. */
export const revokePrivileges: ActionModule<GrantListParams, ResolvedState> = {
  lockRoles: (params) => [params.role],
  observe: (ctx, params) => observeHeld(ctx, params),
  plan: ({ params, state, facts }) => {
    requireRole(state.role, params.role);
    const { present } = compareGrants(params.grants.map((grant, i) => withCatalogArguments(grant, state, i)), state.held);
    if (present.length === 0) return { changed: false, statements: [], rollback: null, report: { revoked: [] } };
    return {
      changed: true,
      statements: revokeStatements(params.role, present, facts.currentUser),
      rollback: { action: 'grant-privileges', params: { role: params.role, grants: present } },
      report: { revoked: present },
    };
  },
};

interface ResolvedState extends HeldState {
  /** The catalogue's identity-argument text of each function grant, by index; undefined: no such routine. */
  readonly routines: readonly (string | undefined)[];
}

async function observeHeld(ctx: ObserveContext, params: GrantListParams): Promise<ResolvedState> {
  const schemas = [...new Set(params.grants.map((grant) => grant.schema))];
  const routines: (string | undefined)[] = [];
  for (const grant of params.grants) {
    routines.push(grant.on === 'function' ? await findRoutine(ctx.session, grant.schema, grant.name, grant.arguments) : undefined);
  }
  return {
    role: await readRole(ctx.session, params.role),
    held: groupGrants(await readPrivileges(ctx.session, { schemas, grantees: [params.role], includeOwners: true })),
    routines,
  };
}

/**
 * A function grant's argument text enters SQL, so it must be PostgreSQL's own: the request's text was only
 * compared with pg_get_function_identity_arguments, and the catalogue's equal text is used.
 */
function withCatalogArguments(grant: Grant, state: ResolvedState, index: number): Grant {
  if (grant.on !== 'function') return grant;
  const catalogText = state.routines[index];
  if (catalogText === undefined) {
    throw new InvalidInputError(`request.params.grants.${index}.arguments`, `names no routine "${grant.schema}"."${grant.name}" with these identity arguments`);
  }
  return { ...grant, arguments: catalogText };
}

function requireRole(role: RoleFacts | undefined, name: string): RoleFacts {
  if (role === undefined) throw new RoleNotFoundError(`role "${name}" does not exist in this cluster`);
  return role;
}
