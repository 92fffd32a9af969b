import { readSessionFacts } from '../catalog/catalog';
import type { RotatedRoles } from '../catalog/protected-roles';
import { PgRotatorError } from '../errors';
import type { Session } from '../postgres/connect';
import { scramSha256Verifier } from '../postgres/password-verifier';
import { run } from '../postgres/role-changes';
import { withSession } from '../postgres/connect';
import type { ConnectionDeps, ResolvedConnection } from '../requests/request-target';
import { resolveConnection } from '../requests/request-target';
import { actionGuard, refusedError } from './action-guard';
import { subjectsOf } from './action-subjects';
import { takeRoleLocks } from './advisory-lock';
import type { ActionModule, ActionPlan, ObserveContext } from './action-module';
import { ACTION_MODULES } from './action-registry';
import type { ActionRequest } from './action-request';
import { ActionRequestSchema } from './action-request';
import type { ActionResult } from './action-result';
import type { ActionSecrets, AppliedSecret } from './action-secrets';
import { REDACTED } from './planned-statement';
import type { PermissionPolicy } from './permission-policy';
import { admitAction, HOW_TO_DECLARE } from './policy-decisions';
import { assertSecretNamesAllowed } from './secret-name-policy';

/** What running an action needs: narrow dependencies, made once per container. */
export interface ActionDeps extends ConnectionDeps {
  readonly secrets: ActionSecrets;
  readonly generatePassword: () => Promise<string>;
  /** Where password secrets may live (PASSWORD_SECRET_PREFIX); undefined: no action writes any secret. */
  readonly passwordSecretPrefix: string | undefined;
  /** The deployer's permission policy (PERMISSION_POLICY); undefined: role-changing actions run only as dry runs. */
  readonly permissionPolicy: PermissionPolicy | undefined;
  /**
   * The logins and owner roles of the secrets this deployment rotates: protected (protected.rotated-login,
   * protected.owner-role), since an action on one would break its rotation. Asked once per action, while it connects.
   */
  readonly rotatedRoles: () => Promise<RotatedRoles>;
}

/** The note a dry run carries when no policy is configured: it ran, but a real run would not. */
export const NO_POLICY_DRY_RUN_NOTE = `no permission policy is configured: this dry run was checked against the protected roles only, and a real run would be refused (policy.not-configured); ${HOW_TO_DECLARE}`;

/** An action's result and the request that undoes it. */
export interface ActionOutcome {
  readonly result: ActionResult;
  readonly rollback: ActionRequest | null;
}

/**
 * Runs one action request: refuses it at once when the permission policy has no place for it; resolves the admin
 * login from its secret; then in one transaction takes the advisory locks, checks every role the request names
 * against the policy and the protected roles (action-guard.ts), observes, plans, and either stops there (dry run:
 * ROLLBACK) or executes the plan's statements, writes its secret and commits. Statements that cannot be rolled
 * back (ending sessions) run after COMMIT. A refused dry run is refused exactly as the real run would be.
 */
export async function runAction(request: ActionRequest, deps: ActionDeps): Promise<ActionOutcome> {
  const refusal = admitAction(deps.permissionPolicy, request.action, request.dryRun);
  if (refusal) throw refusedError(refusal);
  assertSecretNamesAllowed(request.params, deps.passwordSecretPrefix);
  const [connection, rotated] = await Promise.all([
    resolveConnection(
      { secretId: request.target.adminSecretArn, connectionSecretId: request.target.connectionSecretArn, database: request.target.database, asAdmin: true },
      deps,
      { secret: 'request.target.adminSecretArn', connectionSecret: 'request.target.connectionSecretArn' },
    ),
    deps.rotatedRoles(),
  ]);
  const module = ACTION_MODULES[request.action] as ActionModule<ActionRequest['params'], unknown>;
  return withSession(connection.target, connection.credentials, `running ${request.action}`, (session) =>
    execute(session, module, request, connection, deps, rotated),
  );
}

async function execute(
  session: Session,
  module: ActionModule<ActionRequest['params'], unknown>,
  request: ActionRequest,
  connection: ResolvedConnection,
  deps: ActionDeps,
  rotated: RotatedRoles,
): Promise<ActionOutcome> {
  const params = request.params;
  let committed = false;
  await session.query('BEGIN');
  try {
    const facts = await readSessionFacts(session);
    const lock = (roles: readonly string[]) => takeRoleLocks(session, roles);
    await lock(module.lockRoles(params));
    // Under the locks, so the roles checked are the roles then acted on; before observe, so a refused action
    // reads no secret and plans nothing.
    const guard = actionGuard({ session, facts, policy: deps.permissionPolicy, rotated });
    await guard.check(subjectsOf(request));
    const ctx: ObserveContext = {
      session,
      facts,
      inspectSecret: (secretId) => deps.secrets.inspect(secretId),
      readSecretVersion: (secretId, versionId) => deps.secrets.readVersion(secretId, versionId),
      lock,
      temporaryUserPrefix: deps.permissionPolicy?.temporaryUsers?.prefix,
      guardExpiry: (roles) => guard.expiryRefusals(roles),
    };
    const state = await module.observe(ctx, params);
    const passwordRole = module.newPasswordFor?.(params);
    const password = !request.dryRun && passwordRole !== undefined ? await deps.generatePassword() : undefined;
    const { plan, rollback } = checkedRollback(
      module.plan({ params, state, facts, now: facts.serverNow, secretBase: connection.secretBase, verifier: verifierFor(request.dryRun, password) }),
      request,
    );
    guard.assertSecretFor(plan.secret);

    if (request.dryRun) {
      await session.query('ROLLBACK');
      committed = true;
      const shown = [...plan.statements, ...(plan.afterCommit ?? [])].map((s) => s.shown);
      const secret = plan.secret === undefined ? null : { operation: plan.secret.kind, secretId: secretIdOf(plan.secret) };
      const notes = deps.permissionPolicy === undefined ? [NO_POLICY_DRY_RUN_NOTE] : [];
      return outcome(request, plan, rollback, facts.database, { sql: shown, secret, password: undefined, terminated: undefined, notes });
    }

    const sql: string[] = [];
    for (const statement of plan.statements) {
      await run(session, statement);
      sql.push(statement.shown);
    }
    const applied = plan.secret === undefined ? undefined : await deps.secrets.apply(plan.secret, password);
    const landed = await commit(session, plan, applied, deps, connection);
    committed = true;
    const after = landed === 'answer lost' ? skippedAfterCommit(plan) : await afterCommit(session, plan);
    sql.push(...after.sql);
    const secret = plan.secret === undefined || applied === undefined ? null : { operation: plan.secret.kind, secretId: applied.arn, ...(applied.versionId ? { versionId: applied.versionId } : {}) };
    return outcome(request, plan, rollback, facts.database, { sql, secret, password, terminated: after.terminated, notes: after.notes });
  } finally {
    if (!committed) await session.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * COMMIT, keeping the secret in step with it: the secret was written just before, so that a failed write rolls the
 * database back. A COMMIT that fails after it may still have committed (its answer lost with the connection), so the
 * transaction's status is asked on a fresh session before the secret is undone: undoing a committed change would leave
 * AWSCURRENT holding a password the database no longer accepts. Where the status cannot be learnt, the secret is
 * undone, as before, and the caller gets the commit's error.
 *
 * @returns 'answer lost' when the COMMIT failed but the server says the transaction committed
 */
async function commit(
  session: Session,
  plan: ActionPlan,
  applied: AppliedSecret | undefined,
  deps: ActionDeps,
  connection: ResolvedConnection,
): Promise<'committed' | 'answer lost'> {
  const written = plan.secret !== undefined && applied !== undefined ? { change: plan.secret, applied } : undefined;
  const xid = written === undefined ? undefined : await transactionId(session);
  try {
    await session.query('COMMIT');
    return 'committed';
  } catch (error) {
    if (written === undefined) throw error;
    const status = xid === undefined ? undefined : await settledStatus(connection, xid).catch(() => undefined);
    if (status === 'committed') return 'answer lost';
    await deps.secrets.undo(written.change, written.applied).catch(() => undefined);
    throw error;
  }
}

async function transactionId(session: Session): Promise<string | undefined> {
  const { rows } = await session.query<{ xid: string }>('SELECT pg_catalog.txid_current()::text AS xid');
  return rows[0]?.xid;
}

/** txid_status on a fresh session, asked again while the server is still finishing the transaction (at most ~1 s). */
async function settledStatus(connection: ResolvedConnection, xid: string): Promise<string | undefined> {
  return withSession(connection.target, connection.credentials, 'asking whether the action committed', async (session) => {
    for (let attempt = 0; ; attempt += 1) {
      const { rows } = await session.query<{ status: string | null }>('SELECT pg_catalog.txid_status($1::bigint) AS status', [xid]);
      const status = rows[0]?.status ?? undefined;
      if (status !== 'in progress' || attempt === 10) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
}

/** After a COMMIT whose answer was lost with its session: what could not be run, said in notes. */
function skippedAfterCommit(plan: ActionPlan): { sql: string[]; terminated: number | undefined; notes: string[] } {
  const notes = ["the COMMIT's answer was lost with its connection, but the server reports the transaction committed"];
  for (const statement of plan.afterCommit ?? []) notes.push(`committed, but could not run "${statement.shown}": its session was lost`);
  return { sql: [], terminated: undefined, notes };
}

/** Runs what cannot be rolled back. A failure here is reported in notes: the action itself has committed. */
async function afterCommit(session: Session, plan: ActionPlan): Promise<{ sql: string[]; terminated: number | undefined; notes: string[] }> {
  const sql: string[] = [];
  const notes: string[] = [];
  let terminated: number | undefined;
  for (const statement of plan.afterCommit ?? []) {
    try {
      const { rows } = await run<{ terminated?: number }>(session, statement);
      terminated = (terminated ?? 0) + (rows[0]?.terminated ?? 0);
      sql.push(statement.shown);
    } catch (error) {
      // As errorInfo: a driver's message is not ours to vouch for, so only its SQLSTATE is shown.
      const reason = error instanceof PgRotatorError ? error.message : `failed (${(error as { code?: string }).code ?? (error instanceof Error ? error.name : 'error')})`;
      notes.push(`committed, but could not run "${statement.shown}": ${reason}`);
    }
  }
  return { sql, terminated, notes };
}

/**
 * Always a SCRAM-SHA-256 verifier, whatever password_encryption says, as rotation does (role-changes.ts): pg_hba's
 * md5 method accepts SCRAM verifiers too, while an md5 hash would lock out scram-sha-256 rules.
 */
function verifierFor(dryRun: boolean, generated: string | undefined) {
  return (_role: string, given?: string): string => {
    const password = given ?? generated;
    // A dry run sends nothing, and shown statements redact the verifier anyway.
    if (dryRun || password === undefined) return REDACTED;
    return scramSha256Verifier(password);
  };
}

function secretIdOf(change: NonNullable<ActionPlan['secret']>): string {
  return change.kind === 'create' ? change.name : change.secretId;
}

function outcome(
  request: ActionRequest,
  plan: ActionPlan,
  rollback: ActionRequest | null,
  database: string,
  run: { sql: string[]; secret: ActionResult['secret']; password: string | undefined; terminated: number | undefined; notes: string[] },
): ActionOutcome {
  const reveal = 'revealPassword' in request.params && request.params.revealPassword === true;
  const result: ActionResult = {
    action: request.action,
    dryRun: request.dryRun,
    database,
    changed: plan.changed || (run.terminated ?? 0) > 0,
    sql: run.sql,
    secret: run.secret,
    ...(reveal && run.password !== undefined ? { password: run.password } : {}),
    ...plan.report,
    ...(run.terminated === undefined ? {} : { terminatedSessions: run.terminated }),
    notes: [...(plan.report?.notes ?? []), ...run.notes],
  };
  return { result, rollback };
}

/**
 * The plan's rollback as the request sent back, parsed before anything runs: a rollback must be a request the function
 * itself accepts. One it would refuse (more than 1,000 grants to restore, say) is dropped with a note, rather than
 * found wanting after COMMIT, when the answer could no longer be given.
 */
function checkedRollback(plan: ActionPlan, request: ActionRequest): { plan: ActionPlan; rollback: ActionRequest | null } {
  if (plan.rollback === null) return { plan, rollback: null };
  const checked = ActionRequestSchema.safeParse({ kind: 'action', ...plan.rollback, target: request.target, dryRun: false });
  if (checked.success) return { plan, rollback: checked.data };
  const issue = checked.error.issues[0];
  const why = issue === undefined ? 'it is not a valid request' : `${['rollback', ...issue.path].join('.')}: ${issue.message}`;
  const note = `no rollback is offered: the request that would undo this one is not one the function accepts (${why}); the result lists what changed`;
  return { plan: { ...plan, rollback: null, report: { ...plan.report, notes: [...(plan.report?.notes ?? []), note] } }, rollback: null };
}
