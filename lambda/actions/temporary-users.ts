import type { RoleFacts } from '../catalog/catalog';
import { hasAdminOption, readRole, readRoles } from '../catalog/catalog';
import { ActionRefusedError, InvalidInputError, PgRotatorError, RoleExistsError } from '../errors';
import type { CreateTemporaryUserParams, ExpireTemporaryUsersParams } from './action-params';
import { TEMPORARY_USER_MARKER } from './action-params';
import { RoleLockedError } from './advisory-lock';
import type { ActionModule } from './action-module';
import type { SecretState } from './action-secrets';
import type { DropFacts } from './drop-user';
import type { Refusal } from './guard-rules';
import { dropStatements, readDropFacts } from './drop-user';
import type { PlannedStatement } from './planned-statement';
import { passwordSecretPlan } from './password-secret';
import { roleStatements } from './role-statements';

interface CreateTemporaryState {
  readonly role: RoleFacts | undefined;
  readonly granted: readonly RoleFacts[];
  readonly secret: SecretState;
}

/**
 * create-temporary-user, temporary access as Vault's dynamic roles and Apono give it: a LOGIN role whose password
 * is VALID UNTIL a given time, granted the listed roles, marked with a comment so that expire-temporary-users
 * finds it (and only it), its credentials in a secret. VALID UNTIL stops new logins only, hence the expire action.
 * The rollback revokes the access at once: it drops the user and ends its sessions.
 */
export const createTemporaryUser: ActionModule<CreateTemporaryUserParams, CreateTemporaryState> = {
  newPasswordFor: (params) => params.role,
  lockRoles: (params) => [params.role],
  observe: async (ctx, params) => ({
    role: await readRole(ctx.session, params.role),
    granted: await readRoles(ctx.session, params.memberOf),
    secret: await ctx.inspectSecret(params.secretName),
  }),
  plan: ({ params, state, facts, now, verifier, secretBase }) => {
    if (state.role !== undefined) throw new RoleExistsError(`role "${params.role}" already exists; choose another name`);
    params.memberOf.forEach((name, i) => {
      if (!state.granted.some((role) => role.name === name)) throw new InvalidInputError(`request.params.memberOf.${i}`, 'names no role in this cluster');
    });
    const until = new Date(params.validUntil);
    if (until.getTime() <= now.getTime()) throw new InvalidInputError('request.params.validUntil', 'must be in the future');
    // UTC, millisecond precision: the form PostgreSQL parses and the catalogue query prints back.
    const validUntil = until.toISOString();
    const secret = passwordSecretPlan({
      secretName: params.secretName,
      state: state.secret,
      role: params.role,
      base: secretBase,
      extra: { validUntil },
      kmsKeyId: params.kmsKeyId,
      description: `pg-rotator: temporary login "${params.role}" valid until ${validUntil}`,
    });
    const limit = params.connectionLimit === undefined ? {} : { connectionLimit: params.connectionLimit };
    return {
      changed: true,
      statements: [
        roleStatements.createLogin(params.role, verifier(params.role), { ...limit, validUntil }),
        roleStatements.comment(params.role, TEMPORARY_USER_MARKER),
        ...[...new Set(params.memberOf)].map((granted) => roleStatements.grantRole(granted, params.role, {}, facts.versionNum)),
      ],
      secret: secret.change,
      rollback: {
        action: 'drop-user',
        params: { role: params.role, reassignOwnedTo: facts.currentUser, terminateSessions: true, ...(secret.creates ? { deleteSecretName: params.secretName } : {}) },
      },
    };
  },
};

interface ExpireState {
  readonly candidates: readonly (DropFacts & { readonly role: RoleFacts })[];
  /** Users due whose advisory lock another session holds (named in `holder`): skipped this time. */
  readonly busy: readonly { readonly role: string; readonly holder: string }[];
  /** Users due that this admin may not drop (PostgreSQL 16+: another admin made them): left to that admin's run. */
  readonly foreign: readonly string[];
  /** Marked users the guard keeps from being expired: protected, or without the policy's prefix. */
  readonly refused: ReadonlyMap<string, Refusal>;
}

/**
 * expire-temporary-users: drops every login marked by create-temporary-user and named with the policy's
 * temporary-user prefix whose VALID UNTIL has passed (by the server's clock, which is the one that enforces VALID
 * UNTIL) and, after COMMIT, ends the sessions of every expired one: sessions opened before the expiry outlive it
 * otherwise. A protected role is never dropped, marker or not: it is skipped and reported with its rule. A user
 * that owns objects or holds privileges is dropped only with reassignOwnedTo, and is otherwise skipped and
 * reported, as are users with objects in other databases. No rollback: expired access does not come back.
 */
export const expireTemporaryUsers: ActionModule<ExpireTemporaryUsersParams, ExpireState> = {
  lockRoles: (params) => (params.reassignOwnedTo === undefined ? [] : [params.reassignOwnedTo]),
  observe: async (ctx) => {
    const prefix = ctx.temporaryUserPrefix ?? '';
    // Only the users already due, each locked on its own: a user may take its own role's advisory lock (no privilege
    // guards them), and would otherwise keep every expiry from running, its own and everyone else's.
    const due = (await readRoles(ctx.session, null)).filter(
      (role) => role.comment === TEMPORARY_USER_MARKER && role.name.startsWith(prefix) && isExpired(role.validUntil, ctx.facts.serverNow),
    );
    const candidates: (DropFacts & { role: RoleFacts })[] = [];
    const busy: { role: string; holder: string }[] = [];
    const foreign: string[] = [];
    // From 16 on, a CREATEROLE admin drops only roles it holds ADMIN OPTION on: another admin's users (one cluster,
    // several deployments or profiles with one prefix) are that admin's to expire, and would fail this whole run.
    const mayDrop = async (name: string) => ctx.facts.superuser || ctx.facts.versionNum < 160000 || (await hasAdminOption(ctx.session, ctx.facts.currentUser, name));
    for (const role of due) {
      try {
        await ctx.lock([role.name]);
      } catch (error) {
        if (!(error instanceof RoleLockedError)) throw error;
        busy.push({ role: role.name, holder: error.holder });
        continue;
      }
      // Read again under the lock: a concurrent action may have dropped or changed it meanwhile.
      const facts = await readDropFacts(ctx, role.name);
      if (facts.role?.comment !== TEMPORARY_USER_MARKER) continue;
      candidates.push({ ...facts, role: facts.role });
      if (!(await mayDrop(role.name))) foreign.push(role.name);
    }
    // The comment alone does not make a role temporary: whoever may COMMENT ON ROLE could mark any role.
    return { candidates, busy, foreign, refused: await ctx.guardExpiry(candidates.map((c) => c.role.name)) };
  },
  plan: ({ params, state, facts, now }) => {
    const due = state.candidates.filter((c) => isExpired(c.role.validUntil, now) && c.role.name !== facts.currentUser);
    const expired = due.filter((c) => !state.refused.has(c.role.name) && !state.foreign.includes(c.role.name));
    const statements: PlannedStatement[] = [];
    const dropped: string[] = [];
    const skipped: { role: string; reason: string; rule?: string }[] = [
      ...state.busy.map(({ role, holder }) => ({
        role,
        reason: `another session holds its advisory lock for pg-rotator's actions: ${holder}; the next run drops it once that session ends (SELECT pg_terminate_backend(<pid>), if it is not another pg-rotator action)`,
      })),
      ...due.flatMap((c) => {
        const refusal = state.refused.get(c.role.name);
        if (refusal) return [{ role: c.role.name, reason: refusal.message, rule: refusal.rule }];
        if (!state.foreign.includes(c.role.name)) return [];
        return [{ role: c.role.name, reason: `this admin ("${facts.currentUser}") holds no ADMIN OPTION on it, which PostgreSQL 16 needs to drop a role: the admin that made it expires it` }];
      }),
    ];
    for (const candidate of expired) {
      try {
        statements.push(...dropStatements(candidate, candidate.role.name, params.reassignOwnedTo, facts));
        dropped.push(candidate.role.name);
      } catch (error) {
        if (!(error instanceof PgRotatorError)) throw error;
        const rule = error instanceof ActionRefusedError ? error.rule : undefined;
        skipped.push({ role: candidate.role.name, reason: error.message, ...(rule === undefined ? {} : { rule }) });
      }
    }
    return {
      changed: dropped.length > 0,
      statements,
      afterCommit: params.terminateSessions ? expired.map((c) => roleStatements.terminateSessions(c.role.oid)) : [],
      rollback: null,
      report: { dropped, skipped, notes: due.length === 0 && state.busy.length === 0 && state.foreign.length === 0 ? ['no temporary user has expired'] : [] },
    };
  },
};

function isExpired(validUntil: string | null, now: Date): boolean {
  if (validUntil === null || validUntil === 'infinity') return false;
  if (validUntil === '-infinity') return true;
  return new Date(validUntil).getTime() <= now.getTime();
}
