import type { MembershipRow, RoleFacts, SessionFacts } from '../catalog/catalog';
import { readMemberships, readRoles } from '../catalog/catalog';
import { ActionRefusedError, InvalidInputError, RoleNotFoundError } from '../errors';
import type { GrantRoleParams, RevokeRoleParams } from './action-params';
import type { ActionModule } from './action-module';
import { roleStatements } from './role-statements';

interface MembershipState {
  readonly roles: readonly RoleFacts[];
  /** The member's direct memberships in the granted role, one row per grantor (16+ keeps one per grantor). */
  readonly grants: readonly MembershipRow[];
}

const observe = async (ctx: Parameters<ActionModule<unknown, MembershipState>['observe']>[0], params: { role: string; grantedRole: string }) => ({
  roles: await readRoles(ctx.session, [params.role, params.grantedRole]),
  grants: (await readMemberships(ctx.session, [params.role], ctx.facts.versionNum)).filter((row) => row.role === params.grantedRole),
});

function requireRoles(state: MembershipState, names: readonly string[]): void {
  for (const name of names) {
    if (!state.roles.some((role) => role.name === name)) throw new RoleNotFoundError(`role "${name}" does not exist in this cluster`);
  }
}

/**
 * grant-role: `GRANT <grantedRole> TO <role>`. A member already holding the membership is left alone (no change,
 * no rollback). The rollback is revoke-role, which then finds exactly this one grant.
 */
export const grantRole: ActionModule<GrantRoleParams, MembershipState> = {
  lockRoles: (params) => [params.role, params.grantedRole],
  observe,
  plan: ({ params, state, facts }) => {
    requireRoles(state, [params.role, params.grantedRole]);
    if (facts.versionNum < 160000) {
      if (params.inherit !== undefined) throw new InvalidInputError('request.params.inherit', 'needs PostgreSQL 16 or newer');
      if (params.set !== undefined) throw new InvalidInputError('request.params.set', 'needs PostgreSQL 16 or newer');
    }
    if (state.grants.length > 0) {
      const by = state.grants.map((row) => `"${row.grantor}"`).join(', ');
      return { changed: false, statements: [], rollback: null, report: { notes: [`role "${params.role}" is already a member of "${params.grantedRole}" (granted by ${by})`] } };
    }
    const options = { admin: params.adminOption ? true : undefined, inherit: params.inherit, set: params.set };
    const grantedBy = params.grantedBy === facts.currentUser ? undefined : params.grantedBy;
    return {
      changed: true,
      statements: [roleStatements.grantRole(params.grantedRole, params.role, options, facts.versionNum, grantedBy)],
      rollback: { action: 'revoke-role', params: { role: params.role, grantedRole: params.grantedRole } },
    };
  },
};

/**
 * revoke-role: `REVOKE <grantedRole> FROM <role>`. From PostgreSQL 16 a membership may have been granted by several
 * roles, one grant each; with more than one, `grantedBy` must say which (so the rollback re-grants exactly it).
 * The rollback is grant-role with the revoked grant's options and grantor.
 */
export const revokeRole: ActionModule<RevokeRoleParams, MembershipState> = {
  lockRoles: (params) => [params.role, params.grantedRole],
  observe,
  plan: ({ params, state, facts }) => {
    requireRoles(state, [params.role, params.grantedRole]);
    const rows = state.grants.filter((row) => params.grantedBy === undefined || row.grantor === params.grantedBy);
    if (rows.length === 0) {
      return { changed: false, statements: [], rollback: null, report: { notes: [`role "${params.role}" is not a member of "${params.grantedRole}"${params.grantedBy ? ` by grant of "${params.grantedBy}"` : ''}`] } };
    }
    if (rows.length > 1) {
      throw new ActionRefusedError(
        `role "${params.role}" holds "${params.grantedRole}" by grants of ${rows.map((row) => `"${row.grantor}"`).join(', ')}; name one in grantedBy`,
      );
    }
    const row = rows[0] as MembershipRow;
    const rollback = regrant(row, facts);
    const regrantedAs = rollback.grantedBy === undefined && row.grantor !== facts.currentUser ? row.grantor : undefined;
    return {
      changed: true,
      statements: [roleStatements.revokeRole(params.grantedRole, params.role, revokedBy(row, facts))],
      rollback: { action: 'grant-role', params: rollback },
      ...(regrantedAs === undefined
        ? {}
        : { report: { notes: [`the rollback grants it as "${facts.currentUser}", not "${regrantedAs}": ${grantorNote(regrantedAs)}`] } }),
    };
  },
};

/** From 16 on, REVOKE without GRANTED BY revokes only the current user's grant, so name the grantor. */
function revokedBy(row: MembershipRow, facts: SessionFacts): string | undefined {
  return facts.versionNum >= 160000 && row.grantor !== facts.currentUser ? row.grantor : undefined;
}

function regrant(row: MembershipRow, facts: SessionFacts): GrantRoleParams {
  return {
    role: row.member,
    grantedRole: row.role,
    adminOption: row.admin,
    ...(row.inherit === null ? {} : { inherit: row.inherit }),
    ...(row.set === null ? {} : { set: row.set }),
    ...(row.grantor === facts.currentUser || !canNameGrantor(row.grantor, facts) ? {} : { grantedBy: row.grantor }),
  };
}

/** A grantor the rollback can name: one that still exists, and, before 16, only when the admin is a superuser. */
function canNameGrantor(grantor: string, facts: SessionFacts): boolean {
  return !DROPPED_GRANTOR.test(grantor) && (facts.versionNum >= 160000 || facts.superuser);
}

/** How the catalog names a grantor that has since been dropped (pg_get_userbyid). */
const DROPPED_GRANTOR = /^unknown \(OID=\d+\)$/;

function grantorNote(grantor: string): string {
  return DROPPED_GRANTOR.test(grantor)
    ? 'the role that granted it no longer exists'
    : 'before PostgreSQL 16, only a superuser may name another grantor (GRANTED BY)';
}
