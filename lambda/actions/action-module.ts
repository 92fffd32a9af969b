import type { SessionFacts } from '../catalog/catalog';
import type { Session } from '../postgres/connect';
import type { ActionCall } from './action-request';
import type { ActionReport } from './action-result';
import type { SecretChange, SecretState } from './action-secrets';
import type { Refusal } from './guard-rules';
import type { PlannedStatement } from './planned-statement';

/** What an action may read while it observes, inside its transaction and after its advisory locks. */
export interface ObserveContext {
  readonly session: Session;
  readonly facts: SessionFacts;
  inspectSecret(secretId: string): Promise<SecretState>;
  readSecretVersion(secretId: string, versionId: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  /** Takes the advisory locks of roles found while observing (expire-temporary-users). */
  lock(roles: readonly string[]): Promise<void>;
  /**
   * The permission policy's temporary-user prefix: expire-temporary-users considers no role without it. Undefined
   * only in a dry run without a policy.
   */
  readonly temporaryUserPrefix: string | undefined;
  /**
   * expire-temporary-users, for the users it found under their locks: why the protected roles (or the policy)
   * keep each from being expired (absent from the map: it may be).
   */
  guardExpiry(roles: readonly string[]): Promise<ReadonlyMap<string, Refusal>>;
}

/** What `plan` decides from. Everything is data: `plan` is pure and unit-tested without a server. */
export interface PlanInput<P, S> {
  readonly params: P;
  readonly state: S;
  readonly facts: SessionFacts;
  readonly now: Date;
  /** The secret JSON a new password secret starts from: the admin's server and database, no credentials. */
  readonly secretBase: Readonly<Record<string, unknown>>;
  /**
   * The verifier PostgreSQL would store for a password: the action's generated password when `password` is
   * omitted. In a dry run no password exists and this returns a placeholder; statements only ever show
   * the verifier redacted, so the shown SQL is the same either way.
   */
  readonly verifier: (role: string, password?: string) => string;
}

/** What an action will do: exactly these statements, this secret change, and this way back. */
export interface ActionPlan {
  /** False when the database already is as asked: statements is then empty (idempotent actions). */
  readonly changed: boolean;
  /** Run in order in one transaction. */
  readonly statements: readonly PlannedStatement[];
  /** Run after COMMIT, because they cannot be rolled back (pg_terminate_backend). */
  readonly afterCommit?: readonly PlannedStatement[];
  /** Made after the statements and before COMMIT, so a failed write leaves the database unchanged. */
  readonly secret?: SecretChange;
  /** The request that undoes this one, or null when there is nothing to undo or it cannot be undone. */
  readonly rollback: ActionCall | null;
  readonly report?: ActionReport;
}

/**
 * One action: which roles it locks, what it reads, and a pure plan from that. The runner (action-runner.ts) does
 * the rest identically for every action: transaction, locks, dry run, secret write, commit, audit.
 */
export interface ActionModule<P, S> {
  /** The role a new password is generated for, when the action creates one. */
  readonly newPasswordFor?: (params: P) => string;
  lockRoles(params: P): readonly string[];
  observe(ctx: ObserveContext, params: P): Promise<S>;
  plan(input: PlanInput<P, S>): ActionPlan;
}
