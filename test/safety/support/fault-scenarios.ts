/**
 * The fault scenarios, generated from the profiles of clean rotations (injection-points.ts): one per point and
 * kind of harm. Each names the strategy, which rotation of the secret is hurt, and the fault.
 */
import type { Strategy } from '../../../lambda/config/environment';
import type { RotationStep } from '../../../lambda/rotation/rotation-event';
import type { RotationProfile } from './injection-points';
import { stepIndex } from './injection-points';
import { isAlternating } from './strategy-secrets';

export type Fault =
  /** InternalServiceError (HTTP 500) on every attempt the SDK makes of one request: before it is applied, or after. */
  | { readonly family: 'sm-500'; readonly step: RotationStep; readonly operation: string; readonly nth: number; readonly when: 'before' | 'after' }
  /** ThrottlingException on a step's first request: on every SDK attempt (persistent) or once in every step (transient). */
  | { readonly family: 'sm-throttle'; readonly step: RotationStep; readonly persistent: boolean }
  /** The function's database session is ended by the server just before a statement, or after it ran but before its answer. */
  | { readonly family: 'db-drop'; readonly step: RotationStep; readonly statement: string; readonly nth: number; readonly when: 'before' | 'after' }
  /** The database restarts there: sessions end, connections are refused until it is back. */
  | { readonly family: 'db-restart'; readonly step: RotationStep; readonly statement: string; readonly nth: number; readonly when: 'before' | 'after' }
  /** The function's process dies right after the statement that changes the password, before the step returns. */
  | { readonly family: 'crash'; readonly step: RotationStep; readonly statement: string; readonly nth: number }
  /** Lambda's timeout cuts the step while a request or a statement is in flight; the work lands late. */
  | { readonly family: 'timeout'; readonly step: RotationStep; readonly at: 'request' | 'statement'; readonly name: string; readonly nth: number }
  /** Another transaction holds the role's row lock: ALTER ROLE waits until lock_timeout. */
  | { readonly family: 'lock-timeout'; readonly step: 'setSecret' };

export type FaultFamily = Fault['family'];

export interface Scenario {
  readonly strategy: Strategy;
  readonly rotation: 1 | 2;
  readonly fault: Fault;
  readonly name: string;
}

const PASSWORD_STATEMENTS = ['ALTER ROLE … PASSWORD', 'CREATE ROLE … LOGIN PASSWORD'];
const DB_STEPS: readonly RotationStep[] = ['setSecret', 'testSecret'];

/**
 * Scenarios for one profile. Secrets Manager faults, throttling, timeouts and the lock are exercised on the
 * rotation where they bite hardest: the second for alternating users (AWSPREVIOUS exists and must keep logging in),
 * the first otherwise. Database faults run on every profiled rotation, because the first rotation of alternating
 * users creates a login and the second changes one.
 */
export function scenariosFor(profile: RotationProfile): Scenario[] {
  const { strategy, rotation } = profile;
  const faults: Fault[] = [];
  const primary = rotation === (isAlternating(strategy) ? 2 : 1);
  if (primary) {
    for (const call of profile.smCalls) {
      for (const when of ['before', 'after'] as const) faults.push({ family: 'sm-500', step: call.step, operation: call.name, nth: call.nth, when });
    }
    for (const step of stepsOf(profile.smCalls)) faults.push({ family: 'sm-throttle', step, persistent: true });
    faults.push({ family: 'sm-throttle', step: 'createSecret', persistent: false });
    for (const step of stepsOf(profile.smCalls)) {
      const last = profile.smCalls.filter((call) => call.step === step).at(-1);
      if (last) faults.push({ family: 'timeout', step, at: 'request', name: last.name, nth: last.nth });
    }
    for (const step of DB_STEPS) {
      const first = profile.statements.find((s) => s.step === step && (PASSWORD_STATEMENTS.includes(s.name) || s.name === 'SELECT 1'));
      if (first) faults.push({ family: 'timeout', step, at: 'statement', name: first.name, nth: first.nth });
    }
    if (profile.statements.some((s) => s.name === 'ALTER ROLE … PASSWORD')) faults.push({ family: 'lock-timeout', step: 'setSecret' });
  }
  for (const statement of profile.statements.filter((s) => DB_STEPS.includes(s.step))) {
    for (const when of ['before', 'after'] as const) faults.push({ family: 'db-drop', step: statement.step, statement: statement.name, nth: statement.nth, when });
  }
  for (const statement of profile.statements.filter((s) => s.step === 'setSecret' && (PASSWORD_STATEMENTS.includes(s.name) || s.name === 'COMMIT'))) {
    const whens = statement.name === 'COMMIT' ? (['after'] as const) : (['before', 'after'] as const);
    for (const when of whens) faults.push({ family: 'db-restart', step: 'setSecret', statement: statement.name, nth: statement.nth, when });
    if (statement.name !== 'COMMIT') faults.push({ family: 'crash', step: 'setSecret', statement: statement.name, nth: statement.nth });
  }
  return faults.map((fault) => ({ strategy, rotation, fault, name: `${strategy}, rotation ${rotation}: ${describeFault(fault)}` }));
}

/**
 * Whether the server's behaviour decides the scenario: a fault at a statement, or a step cut while one is in flight.
 * Secrets Manager's faults, and a timeout while a request is in flight, exercise the function and the endpoints alone.
 */
export function dependsOnServer(fault: Fault): boolean {
  return !(fault.family === 'sm-500' || fault.family === 'sm-throttle' || (fault.family === 'timeout' && fault.at === 'request'));
}

function stepsOf(points: readonly { step: RotationStep }[]): RotationStep[] {
  return [...new Set(points.map((p) => p.step))].sort((a, b) => stepIndex(a) - stepIndex(b));
}

export function describeFault(fault: Fault): string {
  switch (fault.family) {
    case 'sm-500':
      return `${fault.step}, ${fault.operation} #${fault.nth}: HTTP 500 ${fault.when} it is applied`;
    case 'sm-throttle':
      return fault.persistent ? `${fault.step}: throttled on every attempt` : 'every step throttled once';
    case 'db-drop':
      return `${fault.step}, ${fault.statement} #${fault.nth}: session dropped ${fault.when === 'before' ? 'before it' : 'after it ran, answer lost'}`;
    case 'db-restart':
      return `${fault.step}, ${fault.statement} #${fault.nth}: database restarts ${fault.when === 'before' ? 'before it' : 'after it ran'}`;
    case 'crash':
      return `${fault.step}, ${fault.statement} #${fault.nth}: function dies right after it`;
    case 'timeout':
      return `${fault.step}: Lambda timeout while ${fault.name} #${fault.nth} is in flight`;
    case 'lock-timeout':
      return "setSecret: the role's row is locked, ALTER ROLE hits lock_timeout";
  }
}
