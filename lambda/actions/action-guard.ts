import type { SessionFacts } from '../catalog/catalog';
import type { RotatedRoles } from '../catalog/protected-roles';
import { actionProtection } from '../catalog/protected-roles';
import { readLineages } from '../catalog/protection-facts';
import { ActionRefusedError } from '../errors';
import type { Session } from '../postgres/connect';
import type { SecretChange } from './action-secrets';
import type { ActionSubjects } from './action-subjects';
import { roleNamesOf } from './action-subjects';
import type { Refusal } from './guard-rules';
import type { PermissionPolicy } from './permission-policy';
import { decideExpiry, decideSubjects } from './policy-decisions';

/** The refusal as the error the caller gets: ACTION_REFUSED, naming the rule. */
export function refusedError(refusal: Refusal): ActionRefusedError {
  return new ActionRefusedError(refusal.message, { rule: refusal.rule });
}

/** An action's guard, made inside its transaction once its advisory locks are held. */
export interface ActionGuard {
  /**
   * Reads the lineage of every role the request names (one round trip) and refuses the action, before it observes
   * or plans anything, when a rule says so.
   *
   * @throws {ActionRefusedError} naming the rule.
   */
  check(subjects: ActionSubjects): Promise<void>;
  /** expire-temporary-users: why each of the marked users it found must be left alone (absent: expire it). */
  expiryRefusals(names: readonly string[]): Promise<ReadonlyMap<string, Refusal>>;
  /**
   * Refuses a password secret written for a role `check` did not allow as the action's own: a second line behind
   * the checks, so that no plan can write a protected role's password wherever its role came from.
   *
   * @throws {ActionRefusedError} with rule `policy.target-not-managed` when the secret's role was never allowed.
   */
  assertSecretFor(change: SecretChange | undefined): void;
}

/**
 * The guard of one action: the policy (undefined only in a dry run without one) and the always-protected roles,
 * decided by policy-decisions.ts on what the catalog says now.
 */
export function actionGuard(input: {
  readonly session: Session;
  readonly facts: SessionFacts;
  readonly policy: PermissionPolicy | undefined;
  /** The deployment's rotated logins and owner roles, protected whatever the policy says. */
  readonly rotated: RotatedRoles;
}): ActionGuard {
  const { session, facts, policy } = input;
  const protection = actionProtection(input.rotated, policy?.protectedRoles ?? []);
  const cleared = new Set<string>();
  return {
    async check(subjects) {
      const lineages = await readLineages(session, roleNamesOf(subjects), facts.versionNum);
      const refusal = decideSubjects({ policy, subjects, lineages, protection, adminLogin: facts.currentUser, now: facts.serverNow });
      if (refusal) throw refusedError(refusal);
      for (const subject of [...subjects.targets, ...(subjects.creates ? [subjects.creates] : [])]) cleared.add(subject.name);
    },
    async expiryRefusals(names) {
      const lineages = await readLineages(session, names, facts.versionNum);
      const refusals = new Map<string, Refusal>();
      for (const name of names) {
        const refusal = decideExpiry(name, lineages.get(name), policy, protection);
        if (refusal) refusals.set(name, refusal);
      }
      return refusals;
    },
    assertSecretFor(change) {
      const refusal = secretRefusal(change, cleared);
      if (refusal) throw refusedError(refusal);
    },
  };
}

/**
 * Why a planned secret change must not be made: it writes a password for a role that is not among `cleared`, the
 * roles the guard allowed as the action's own. Deleting or promoting a version writes no password.
 *
 * @example
 * secretRefusal({ kind: 'put', secretId: 's', previousVersionId: 'v', value: { username: 'dba' } }, new Set(['alice']))
 * // { rule: 'policy.target-not-managed', … }
 */
export function secretRefusal(change: SecretChange | undefined, cleared: ReadonlySet<string>): Refusal | undefined {
  if (change === undefined || (change.kind !== 'create' && change.kind !== 'put')) return undefined;
  const role = change.value.username;
  if (typeof role === 'string' && cleared.has(role)) return undefined;
  return {
    rule: 'policy.target-not-managed',
    message: `a password secret for role "${String(role)}", which the guard did not allow as this action's role, is never written`,
  };
}
