/**
 * Proof that no fault during a rotation locks anyone out. For each strategy, one clean rotation is profiled
 * (every Secrets Manager request and every SQL statement, step by step), and one scenario is generated per
 * injection point and kind of harm: a 500 before and after each Secrets Manager request, throttling, the database
 * session dropped before and after each statement, the database restarting mid-step, the function dying right after
 * it changed the password, Lambda's timeout cutting a step, a lock that outlasts lock_timeout.
 *
 * Each scenario then lets Secrets Manager retry on its own, through the local endpoint's model of AWS's retries (the
 * whole rotation again, same token; local/secrets-manager/rotation-retries.ts) with no test hook, and checks at every
 * observable moment (after every step invocation of the faulted attempt and of every retry) what a client holding
 * each label experiences. The only refused label tolerated is the documented window of each strategy (see
 * label-logins.ts); a lockout, or a rotation the retries do not bring home, fails the scenario. The figures are
 * printed at the end and recorded for docs/reliability.md.
 *
 * The test matrix runs on the other PostgreSQL majors only the scenarios the server's behaviour decides (a fault at a
 * statement, a step cut while one runs); Secrets Manager's faults run once, in `npm test`, since no server version
 * changes what the function and the endpoints do with them.
 */
import type { ExpectStatic } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import type { RotationOutcome } from '../../local/secrets-manager/rotation-outcome';
import type { Scenario } from './support/fault-scenarios';
import { dependsOnServer, scenariosFor } from './support/fault-scenarios';
import type { RotationProfile } from './support/injection-points';
import { profileRotation } from './support/injection-points';
import { describeMoment, observedPasswords, verdict } from './support/label-logins';
import type { Lane } from './support/lanes';
import { LanePool } from './support/lanes';
import { SafetyFigures } from './support/safety-figures';
import type { ScenarioRecord } from './support/scenario-runner';
import { runScenario } from './support/scenario-runner';
import { isAlternating, STRATEGIES } from './support/strategy-secrets';
import { MATRIX_RUN } from '../support/matrix';

// vitest runs at most five concurrent tests of a file (maxConcurrency): one lane each.
const LANES = 5;
const pool = await LanePool.start(LANES);
const profiles: RotationProfile[] = [];
for (const strategy of STRATEGIES) {
  for (const rotation of isAlternating(strategy) ? ([1, 2] as const) : ([1] as const)) {
    profiles.push(await profileRotation(pool.lanes[0] as Lane, strategy, rotation));
  }
}
const scenarios = profiles.flatMap(scenariosFor).filter((scenario) => !MATRIX_RUN || dependsOnServer(scenario.fault));
const figures = new SafetyFigures('fault-injection');

afterAll(async () => {
  await pool.close();
  figures.table('injection points per clean rotation (Secrets Manager requests / SQL statements)', [
    ['strategy', 'rotation', 'createSecret', 'setSecret', 'testSecret', 'finishSecret'],
    ...profiles.map((p) => [
      p.strategy,
      String(p.rotation),
      ...(['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const).map(
        (step) => `${p.smCalls.filter((c) => c.step === step).length} / ${p.statements.filter((s) => s.step === step).length}`,
      ),
    ]),
  ]);
  figures.publish();
});

/** The error types a failed step may report: ours, and Lambda's own for a timeout or a dead process. */
const CLEAR_ERRORS = ['SecretsManagerError', 'DatabaseError', 'RotationStateError', 'InvalidInputError', 'MembershipDriftError', 'Sandbox.Timedout', 'Runtime.ExitError'];

describe('every injection point of every strategy', () => {
  it.concurrent.for(scenarios.map((s) => [s.name, s] as const))(
    '%s: converges on retry, with no lockout at any moment',
    async ([, scenario], { expect }) => {
      const { strategy } = scenario;
      const record = await pool.use((lane) => runScenario(lane, scenario));
      tally(scenario, record);

      expectFaultedOutcome(expect, scenario, record.faulted);
      for (const outcome of [record.faulted, ...record.retries]) {
        if (outcome.error) expect(CLEAR_ERRORS, outcome.error.message).toContain(outcome.error.type);
      }
      expect(record.retries.map((r) => r.trigger)).toEqual(record.retries.map(() => 'retry'));
      if (scenario.fault.family === 'db-restart') {
        expect(record.retries[0], "Secrets Manager's first retry, while the database is down").toMatchObject({ succeeded: false, failedStep: 'setSecret', error: { type: 'DatabaseError' } });
        expect(record.retries[0]?.error?.message).toContain('ECONNREFUSED');
      }
      expect(record.converged).toBe(true);
      expect(record.lateRetryErrors).toEqual([undefined, undefined, undefined, undefined]);
      const lockouts = record.moments.filter((moment) => verdict(strategy, moment) === 'lockout');
      expect(lockouts.map(describeMoment)).toEqual([]);
      const end = record.moments.at(-1);
      expect(end && verdict(strategy, end)).toBe('usable');
      if (!isAlternating(strategy)) expect(end?.labels.AWSPREVIOUS?.logsIn, 'the replaced password is refused').toBe(false);
    },
  );
});

describe('what the scenarios said', () => {
  it('holds no password of any version observed, in any function log line or error message', () => {
    const text = [...pool.functionLog(), ...errorMessages].join('\n');
    const passwords = observedPasswords().filter((p) => p.length >= 12);

    const leaks = passwords.filter((password) => text.includes(password));

    expect(leaks).toEqual([]);
    figures.add(passwords.length, 'leak search', 'passwords searched for');
    figures.add(text.split('\n').length, 'leak search', 'log lines and error messages searched');
    figures.add(leaks.length, 'leak search', 'leaks found');
  });
});

function expectFaultedOutcome(expect: ExpectStatic, scenario: Scenario, outcome: RotationOutcome): void {
  const { fault } = scenario;
  const failedWith = (type: string) => expect(outcome).toMatchObject({ succeeded: false, failedStep: fault.step, error: { type } });
  switch (fault.family) {
    case 'sm-500':
      // A lost answer to a request that failed anyway (the pending value not found yet) loses nothing.
      if (outcome.succeeded && fault.when === 'after') return;
      failedWith('SecretsManagerError');
      expect(outcome.error?.message).toMatch(new RegExp(`^${fault.operation.split('(')[0]}: InternalServiceError`));
      return;
    case 'sm-throttle':
      if (!fault.persistent) {
        expect(outcome).toMatchObject({ succeeded: true });
        return;
      }
      failedWith('SecretsManagerError');
      expect(outcome.error?.message).toContain('ThrottlingException');
      return;
    case 'db-drop':
    case 'db-restart':
      failedWith('DatabaseError');
      expect(outcome.error?.message).toContain('could not reach the server');
      return;
    case 'crash':
      failedWith('Runtime.ExitError');
      return;
    case 'timeout':
      failedWith('Sandbox.Timedout');
      return;
    case 'lock-timeout':
      // statement_timeout and lock_timeout are the secret's statementTimeoutMs; whichever fires, it is a timeout.
      failedWith('DatabaseError');
      expect(outcome.error?.message).toMatch(/timed out .*\(SQLSTATE (55P03|57014)\)/);
      return;
  }
}

const errorMessages: string[] = [];

function tally(scenario: Scenario, record: ScenarioRecord): void {
  const { strategy, fault } = scenario;
  for (const outcome of [record.faulted, ...record.retries]) if (outcome.error) errorMessages.push(outcome.error.message);
  for (const error of record.lateRetryErrors) if (error) errorMessages.push(error.message);
  figures.count('scenarios', strategy, fault.family);
  if (record.faulted.succeeded) figures.count('faults absorbed without a retry', fault.family);
  figures.count('retries needed', String(record.retries.length));
  if (!record.converged) figures.count('lockouts', 'rotation did not converge');
  const verdicts = record.moments.map((moment) => verdict(strategy, moment));
  for (const v of verdicts) figures.count('moments observed', strategy, v);
  for (const v of ['lockout', 'current-stale', 'previous-stale'] as const) {
    if (!verdicts.includes(v)) continue;
    figures.count(v === 'lockout' ? 'lockouts' : 'scenarios with a documented window', strategy, v);
  }
}
