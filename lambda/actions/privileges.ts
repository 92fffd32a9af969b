import type { GrantAuthorityRow, PrivilegeRow, RoleFacts } from '../catalog/catalog';
import { findRoutine, readGrantAuthority, readPrivileges, readRole, readSchemas } from '../catalog/catalog';
import { DependentObjectsError, InvalidInputError, RoleNotFoundError } from '../errors';
import type { GrantListParams, RevokeAllPrivilegesParams, RevokePrivilegesParams } from './action-params';
import type { ActionModule, ObserveContext } from './action-module';
import type { Grant } from './grants';
import type { ObjectGrant } from './grant-authority';
import { grantObjectOf, objectIdentity, recordedGrants, recordsAsSessionUser } from './grant-authority';
import { compareGrants, dependentGrants, describeGrantObject, grantStatements, groupGrants, mergeGrants, revokeGrantOptionStatements, revokeStatements } from './grants';

interface HeldState {
  readonly role: RoleFacts | undefined;
  readonly held: readonly Grant[];
  /** What the role granted on to others in the schemas concerned; read only by the actions that revoke. */
  readonly passedOn: readonly PrivilegeRow[];
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
    passedOn: await readPassedOn(ctx, params.role, [params.schema]),
  }),
  plan: ({ params, state, facts }) => {
    requireRole(state.role, params.role);
    if (!state.schemaExists) throw new InvalidInputError('request.params.schema', `names no schema in database "${facts.database}"`);
    if (state.held.length === 0) {
      return { changed: false, statements: [], rollback: null, report: { revoked: [], notes: [`role "${params.role}" holds no privileges in schema "${params.schema}"`] } };
    }
    refuseDependents(params.role, state.held, state.passedOn);
    return {
      changed: true,
      statements: revokeStatements(params.role, state.held, facts.currentUser),
      rollback: { action: 'grant-privileges', params: { role: params.role, grants: [...state.held] } },
      report: { revoked: [...state.held] },
    };
  },
};

/**
 * grant-privileges: grants exactly the listed privileges the role does not hold yet, and the grant option of those
 * it holds without one. Each is reported, and revoked by the rollback, under the grantor PostgreSQL records
 * (grant-authority.ts), which is not always the role that issues the GRANT. A statement runs as the admin itself
 * where that records the same grantor, and otherwise under SET ROLE to the request's grantor.
 */
export const grantPrivileges: ActionModule<GrantListParams, ResolvedState> = {
  lockRoles: (params) => [params.role],
  observe: (ctx, params) => observeHeld(ctx, params.role, params.grants, { passedOn: false }),
  plan: ({ params, state, facts }) => {
    requireRole(state.role, params.role);
    const issued: Grant[] = [];
    const wanted: Grant[] = [];
    const notes: string[] = [];
    params.grants.forEach((grant, i) => {
      const field = `request.params.grants.${i}`;
      const resolved = withCatalogArguments(grant, state.routines[i], field);
      const authority = state.authority[i];
      if (resolved.on === 'default' || authority === undefined) {
        wanted.push(resolved);
        const { missing, optionMissing } = compareGrants([resolved], state.held);
        issued.push(...missing, ...optionMissing);
        return;
      }
      const { grants: recorded, refusal } = recordedGrants(resolved, authority);
      if (refusal) throw new InvalidInputError(`${field}.${refusal.field}`, refusal.problem);
      wanted.push(...recorded);
      const { missing, optionMissing } = compareGrants(recorded, state.held);
      for (const change of [...missing, ...optionMissing] as ObjectGrant[]) {
        const asSession = recordsAsSessionUser(change, state.sessionAuthority[i], facts.currentUser);
        if (!asSession && !authority.actorHasSchemaUsage) {
          throw new InvalidInputError(`${field}.grantor`, `"${resolved.grantor}" has no USAGE on schema "${resolved.schema}", so it cannot name ${describeGrantObject(resolved)}`);
        }
        issued.push({ ...change, grantor: asSession ? facts.currentUser : resolved.grantor });
        if (change.grantor !== resolved.grantor) {
          notes.push(`PostgreSQL records the grant of ${change.privileges.join(', ')} on ${describeGrantObject(change)} as made by "${change.grantor}", not "${resolved.grantor}"`);
        }
      }
    });
    if (issued.length === 0) return { changed: false, statements: [], rollback: null, report: { granted: [] } };
    const { missing, optionMissing } = compareGrants(wanted, state.held);
    for (const grant of optionMissing) {
      const from = 'grantor' in grant ? ` from "${grant.grantor}"` : '';
      notes.push(`"${params.role}" already held ${grant.privileges.join(', ')} on ${describeGrantObject(grant)}${from}: only the grant option was added`);
    }
    return {
      changed: true,
      statements: grantStatements(params.role, issued, facts.currentUser),
      rollback: {
        action: 'revoke-privileges',
        params: { role: params.role, grants: missing, ...(optionMissing.length > 0 ? { grantOptions: optionMissing } : {}) },
      },
      report: { granted: mergeGrants([...missing, ...optionMissing]), ...(notes.length > 0 ? { notes } : {}) },
    };
  },
};

/**
 * revoke-privileges: revokes those of the listed privileges the role holds, and the grant option alone of those
 * listed in grantOptions, each matched by the grantor PostgreSQL recorded. The rollback grants them back. A
 * statement runs as the admin itself where PostgreSQL would pick that grantor for it, and otherwise under SET ROLE
 * to the grantor.
 */
export const revokePrivileges: ActionModule<RevokePrivilegesParams, ResolvedState> = {
  lockRoles: (params) => [params.role],
  observe: (ctx, params) => observeHeld(ctx, params.role, [...params.grants, ...(params.grantOptions ?? [])], { passedOn: true }),
  plan: ({ params, state, facts }) => {
    requireRole(state.role, params.role);
    const sessionAuthority = new Map<string, GrantAuthorityRow>();
    // observeHeld read grants and grantOptions as one list, in that order.
    const listed = (list: readonly Grant[], key: 'grants' | 'grantOptions', offset: number) =>
      list.flatMap((grant, i) => {
        const resolved = withCatalogArguments(grant, state.routines[offset + i], `request.params.${key}.${i}`);
        const authority = state.authority[offset + i];
        const session = state.sessionAuthority[offset + i];
        if (resolved.on === 'default' || authority === undefined) return [resolved];
        if (session !== undefined) sessionAuthority.set(objectIdentity(resolved), session);
        // A privilege listed under a grantor PostgreSQL would not pick stays so, and matches only what it recorded.
        return recordedGrants(resolved, authority).grants;
      });
    const { present } = compareGrants(listed(params.grants, 'grants', 0), state.held);
    const { optionPresent } = compareGrants(listed(params.grantOptions ?? [], 'grantOptions', params.grants.length), state.held);
    // A privilege revoked whole loses its grant option with it.
    const optionsOnly = compareGrants(optionPresent, present).missing;
    if (present.length + optionsOnly.length === 0) return { changed: false, statements: [], rollback: null, report: { revoked: [] } };
    refuseDependents(params.role, [...present, ...optionsOnly], state.passedOn);
    const issuing = (grant: Grant): Grant =>
      grant.on !== 'default' && recordsAsSessionUser(grant, sessionAuthority.get(objectIdentity(grant)), facts.currentUser) ? { ...grant, grantor: facts.currentUser } : grant;
    return {
      changed: true,
      statements: [
        ...revokeStatements(params.role, present.map(issuing), facts.currentUser),
        ...revokeGrantOptionStatements(params.role, optionsOnly.map(issuing), facts.currentUser),
      ],
      rollback: { action: 'grant-privileges', params: { role: params.role, grants: mergeGrants([...present, ...optionsOnly]) } },
      report: { revoked: present, ...(optionsOnly.length > 0 ? { revokedGrantOptions: optionsOnly } : {}) },
    };
  },
};

interface ResolvedState extends HeldState {
  /** The catalogue's identity-argument text of each function grant, by index; undefined: no such routine. */
  readonly routines: readonly (string | undefined)[];
  /**
   * Who may grant on each listed object, by index: as the grant's grantor, and as the admin's own login. Undefined for
   * default privileges, which have no grantor.
   */
  readonly authority: readonly (GrantAuthorityRow | undefined)[];
  readonly sessionAuthority: readonly (GrantAuthorityRow | undefined)[];
}

async function observeHeld(ctx: ObserveContext, role: string, grants: readonly Grant[], read: { readonly passedOn: boolean }): Promise<ResolvedState> {
  const schemas = [...new Set(grants.map((grant) => grant.schema))];
  const routines: (string | undefined)[] = [];
  for (const grant of grants) {
    routines.push(grant.on === 'function' ? await findRoutine(ctx.session, grant.schema, grant.name, grant.arguments) : undefined);
  }
  const objects = grants.flatMap((grant) => (grant.on === 'default' ? [] : [grantObjectOf(grant)]));
  const rows = await readGrantAuthority(ctx.session, [...objects, ...objects.map((object) => ({ ...object, actor: ctx.facts.currentUser }))]);
  const byIndex = (offset: number) => {
    let next = offset;
    return grants.map((grant) => (grant.on === 'default' ? undefined : rows[next++]));
  };
  return {
    role: await readRole(ctx.session, role),
    held: groupGrants(await readPrivileges(ctx.session, { schemas, grantees: [role], includeOwners: true })),
    passedOn: read.passedOn ? await readPassedOn(ctx, role, schemas) : [],
    routines,
    authority: byIndex(0),
    sessionAuthority: byIndex(objects.length),
  };
}

/**
 * A function grant's argument text enters SQL, so it must be PostgreSQL's own: the request's text was only
 * compared with pg_get_function_identity_arguments, and the catalogue's equal text is used.
 */
function withCatalogArguments(grant: Grant, catalogText: string | undefined, field: string): Grant {
  if (grant.on !== 'function') return grant;
  if (catalogText === undefined) {
    throw new InvalidInputError(`${field}.arguments`, `names no routine "${grant.schema}"."${grant.name}" with these identity arguments`);
  }
  return { ...grant, arguments: catalogText };
}

async function readPassedOn(ctx: ObserveContext, role: string, schemas: readonly string[]): Promise<PrivilegeRow[]> {
  const rows = await readPrivileges(ctx.session, { schemas, grantees: null, includeOwners: true, grantors: [role] });
  return rows.filter((row) => row.grantee !== role);
}

/** A REVOKE PostgreSQL would refuse, for privileges the role passed on, is refused first, naming them. */
function refuseDependents(role: string, revoking: readonly Grant[], passedOn: readonly PrivilegeRow[]): void {
  const dependents = dependentGrants(revoking, passedOn);
  if (dependents.length === 0) return;
  throw new DependentObjectsError(
    `role "${role}" granted on what it would lose: ${dependents.join('; ')}. PostgreSQL refuses that REVOKE without CASCADE, which would take those grants too: revoke them first`,
    dependents,
  );
}

function requireRole(role: RoleFacts | undefined, name: string): RoleFacts {
  if (role === undefined) throw new RoleNotFoundError(`role "${name}" does not exist in this cluster`);
  return role;
}
