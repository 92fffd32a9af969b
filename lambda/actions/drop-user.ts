import type { DependentRow, RoleFacts, SessionFacts } from '../catalog/catalog';
import { hasPrivilegesOf, readDependents, readRole, readRunsAsOwner } from '../catalog/catalog';
import { ActionRefusedError, DependentObjectsError, RoleNotFoundError } from '../errors';
import { quoteIdentifier as q } from '../postgres/identifiers';
import type { DropUserParams } from './action-params';
import type { ActionModule, ObserveContext } from './action-module';
import type { SecretState } from './action-secrets';
import type { GuardRule } from './guard-rules';
import type { PlannedStatement } from './planned-statement';
import { requireManageable } from './lock-user';
import { roleStatements } from './role-statements';

/** What dropping one role involves, read under its advisory lock. */
export interface DropFacts {
  readonly role: RoleFacts | undefined;
  readonly dependents: readonly DependentRow[];
  /** What the role owns here that runs with its owner's privileges, which REASSIGN OWNED would hand over armed. */
  readonly runsAsOwner: readonly string[];
  /** Whether the admin already holds the role's privileges (REASSIGN/DROP OWNED need them). */
  readonly adminHasPrivileges: boolean;
}

interface DropState extends DropFacts {
  readonly reassignTarget: RoleFacts | undefined;
  readonly adminHasTargetPrivileges: boolean;
  readonly secret: SecretState | undefined;
}

/** Reads what {@link dropStatements} decides from. */
export async function readDropFacts(ctx: Pick<ObserveContext, 'session' | 'facts'>, role: string): Promise<DropFacts> {
  const facts = await readRole(ctx.session, role);
  if (facts === undefined) return { role: undefined, dependents: [], runsAsOwner: [], adminHasPrivileges: false };
  return {
    role: facts,
    dependents: await readDependents(ctx.session, role),
    runsAsOwner: await readRunsAsOwner(ctx.session, role),
    adminHasPrivileges: await hasPrivilegesOf(ctx.session, ctx.facts.currentUser, role),
  };
}

/**
 * drop-user: `DROP ROLE`, refused with the list of what depends on the role (objects it owns, privileges granted
 * to it) unless `reassignOwnedTo` names who takes them over: then `REASSIGN OWNED BY … TO …; DROP OWNED BY …;
 * DROP ROLE …`. Objects in other databases are always refused: REASSIGN and DROP OWNED act on the current
 * database only, so run drop-user against each database PostgreSQL names. So are objects that run with their owner's
 * privileges (SECURITY DEFINER routines, views, rules…): handed over, they would run as the role that receives them,
 * which is how a login that may create objects would borrow the admin's privileges. A missing role is a no-op. No
 * rollback.
 */
export const dropUser: ActionModule<DropUserParams, DropState> = {
  lockRoles: (params) => [params.role, ...(params.reassignOwnedTo === undefined ? [] : [params.reassignOwnedTo])],
  observe: async (ctx, params) => {
    const target = params.reassignOwnedTo === undefined ? undefined : await readRole(ctx.session, params.reassignOwnedTo);
    return {
      ...(await readDropFacts(ctx, params.role)),
      reassignTarget: target,
      adminHasTargetPrivileges: target === undefined ? false : await hasPrivilegesOf(ctx.session, ctx.facts.currentUser, target.name),
      secret: params.deleteSecretName === undefined ? undefined : await ctx.inspectSecret(params.deleteSecretName),
    };
  },
  plan: ({ params, state, facts }) => {
    if (state.role === undefined) {
      return { changed: false, statements: [], rollback: null, report: { notes: [`role "${params.role}" does not exist`] } };
    }
    requireManageable(state.role, params.role, facts);
    if (params.reassignOwnedTo !== undefined) {
      if (state.reassignTarget === undefined) throw new RoleNotFoundError(`role "${params.reassignOwnedTo}" (reassignOwnedTo) does not exist`);
      if (params.reassignOwnedTo === params.role) throw new ActionRefusedError('reassignOwnedTo must name another role');
      if (!facts.superuser && !state.adminHasTargetPrivileges) {
        throw new ActionRefusedError(
          `REASSIGN OWNED needs the admin to hold the privileges of role "${params.reassignOwnedTo}": GRANT ${q(params.reassignOwnedTo)} TO ${q(facts.currentUser)}`,
        );
      }
    }
    const secret = state.secret?.exists ? state.secret : undefined;
    // The prefix bounds which secrets actions write; this bounds which one a drop deletes: the dropped role's own.
    if (secret !== undefined && secret.currentValue?.username !== params.role) {
      throw new ActionRefusedError(
        `deleteSecretName: secret ${secret.arn ?? params.deleteSecretName ?? ''} holds no password of role "${params.role}" (its AWSCURRENT names another login, or none); drop-user deletes only the dropped role's own password secret`,
      );
    }
    return {
      changed: true,
      statements: dropStatements(state, params.role, params.reassignOwnedTo, facts),
      afterCommit: params.terminateSessions ? [roleStatements.terminateSessions(state.role.oid)] : [],
      ...(secret ? { secret: { kind: 'delete' as const, secretId: secret.arn ?? params.deleteSecretName ?? '' } } : {}),
      rollback: null,
      report: { dropped: [params.role], notes: ['drop-user has no rollback'] },
    };
  },
};

/**
 * The statements that drop one role, or a {@link DependentObjectsError} saying why it cannot be dropped as asked.
 * When the admin does not yet hold the role's privileges (a CREATEROLE admin on PostgreSQL 16+ holds only ADMIN
 * OPTION on roles it created), it first grants itself the role: REASSIGN OWNED and DROP OWNED require "the
 * privileges of" the role, and DROP ROLE removes that membership again.
 */
export function dropStatements(state: DropFacts, role: string, reassignTo: string | undefined, facts: SessionFacts): PlannedStatement[] {
  const elsewhere = state.dependents.filter((d) => !d.here);
  const here = state.dependents.filter((d) => d.here);
  if (elsewhere.length > 0) {
    const databases = [...new Set(elsewhere.map((d) => d.database ?? '?'))];
    throw new DependentObjectsError(
      `role "${role}" owns objects or holds privileges in database(s) ${databases.map((d) => `"${d}"`).join(', ')}; run drop-user with reassignOwnedTo against each of them first`,
      [...databases.map((d) => `objects or privileges in database "${d}"`), ...here.map(describeDependent)],
    );
  }
  if (here.length === 0) return [roleStatements.dropRole(role)];
  if (reassignTo === undefined) {
    const list = here.map(describeDependent);
    throw new DependentObjectsError(`role "${role}" cannot be dropped: ${list.join('; ')}. Give reassignOwnedTo to hand these over`, list);
  }
  if (state.runsAsOwner.length > 0) {
    throw new ActionRefusedError(
      `role "${role}" owns what runs with its owner's privileges: ${state.runsAsOwner.join('; ')}. reassignOwnedTo would make it run as "${reassignTo}", whoever sets it off; drop it, or make it run as its caller (ALTER FUNCTION … SECURITY INVOKER, ALTER VIEW … SET (security_invoker = true)), and drop the role again`,
      { rule: 'reassign.runs-as-owner' satisfies GuardRule },
    );
  }
  const becomeMember = facts.superuser || state.adminHasPrivileges ? [] : [roleStatements.grantRole(role, facts.currentUser, { inherit: true }, facts.versionNum)];
  return [...becomeMember, roleStatements.reassignOwned(role, reassignTo), roleStatements.dropOwned(role), roleStatements.dropRole(role)];
}

function describeDependent(row: DependentRow): string {
  const what = row.object ?? 'an object';
  return row.kind === 'o' ? `owns ${what}` : row.kind === 'r' ? `is named in ${what}` : `holds privileges on ${what}`;
}
