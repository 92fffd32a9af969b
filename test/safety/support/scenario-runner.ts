/**
 * Runs one fault scenario as Secrets Manager would live it: RotateSecret through a rotation function whose fault
 * is armed for one step, then the retries Secrets Manager makes (a reattempt with the same token while AWSPENDING
 * is apart from AWSCURRENT, or, when AWSCURRENT already moved, the steps invoked again with that token), observing
 * after every step invocation what a client holding each label would experience.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { dispatch } from '../../../lambda/dispatch';
import type { RotationStep } from '../../../lambda/rotation/rotation-event';
import { ROTATION_STEPS } from '../../../lambda/rotation/rotation-event';
import type { LocalLambdaContext } from '../../../local/lambda/server';
import type { RotationOutcome } from '../../../local/secrets-manager/rotation-driver';
import { uniqueName } from '../../support/postgres';
import { holdRoleLock } from './database-faults';
import type { ArmedFault } from './fault-arming';
import { armFault, STEP_TIMEOUT_MS } from './fault-arming';
import type { Scenario } from './fault-scenarios';
import type { Moment } from './label-logins';
import { observeLabels } from './label-logins';
import type { Lane } from './lanes';
import type { RestartableProxy } from './restartable-proxy';
import { startRestartableProxy } from './restartable-proxy';
import type { StrategySecret } from './strategy-secrets';
import { createDatabase, createStrategySecret } from './strategy-secrets';

/** A rotation that has not converged after this many reattempts counts as a lockout. */
export const MAX_REATTEMPTS = 3;

/** Everything a scenario's assertions and figures need. */
export interface ScenarioRecord {
  readonly secret: StrategySecret;
  /** The version RotateSecret created: AWSCURRENT must end up there. */
  readonly token: string;
  /** The rotation that met the fault. */
  readonly faulted: RotationOutcome;
  /** Rotations Secrets Manager ran again, in order (the first may meet a database that is still down). */
  readonly reattempts: readonly RotationOutcome[];
  /** Errors of steps invoked again with the token after AWSCURRENT moved; all must be undefined (no-ops). */
  readonly lateRetryErrors: readonly ({ type: string; message: string } | undefined)[];
  readonly moments: readonly Moment[];
  /** Whether AWSCURRENT holds the rotation's version at the end. */
  readonly converged: boolean;
}

/** What a suite adds to every scenario: more arranging, and more to check at every observed moment. */
export interface ScenarioHooks {
  /** After the scenario's secret is made, before anything rotates (declaring companion secrets, say). */
  readonly arrange?: (lane: Lane, secret: StrategySecret) => Promise<void>;
  /** At every moment the labels are observed, with the same description of where. */
  readonly observe?: (lane: Lane, secret: StrategySecret, at: string) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const LATE_RETRY = 'late retry with the same token';

export async function runScenario(lane: Lane, scenario: Scenario, hooks: ScenarioHooks = {}): Promise<ScenarioRecord> {
  const { fault, strategy } = scenario;
  const db = await createDatabase(lane, lane.database.server);
  const proxy = fault.family === 'db-restart' ? await startRestartableProxy(db.server) : undefined;
  try {
    const secret = await createStrategySecret(lane, db, strategy, {
      port: proxy?.port,
      connectionFields: fault.family === 'lock-timeout' ? { statementTimeoutMs: 300 } : {},
    });
    await hooks.arrange?.(lane, secret);
    if (scenario.rotation === 2) {
      const first = await lane.rotate(secret.arn);
      if (!first.succeeded) throw new Error(`arranging ${scenario.name}: the first rotation failed: ${first.error?.message}`);
    }
    return await live(lane, scenario, secret, proxy, hooks);
  } finally {
    await proxy?.close();
  }
}

async function live(lane: Lane, scenario: Scenario, secret: StrategySecret, proxy: RestartableProxy | undefined, hooks: ScenarioHooks): Promise<ScenarioRecord> {
  const { fault } = scenario;
  // Only Secrets Manager faults need the relay; the rest reach the endpoint directly.
  const runtime = ['sm-500', 'sm-throttle', 'timeout'].includes(fault.family) ? lane.runtime : lane.directRuntime;
  const moments: Moment[] = [];
  const observe = async (at: string) => {
    moments.push(await observeLabels(lane.sm, lane.superuser, secret.arn, at));
    await hooks.observe?.(lane, secret, at);
  };
  await observe('before the rotation');

  const name = `fault-${uniqueName('s').replaceAll('_', '-')}`.slice(0, 64);
  const inFlight = new Set<Promise<unknown>>();
  let faultUsed = false;
  let rotation = 'faulted rotation';
  const register = (timeoutMs: number) => lane.lambda.register(name, { kind: 'in-process', handler, timeoutMs });
  const timeoutFor = (step: RotationStep) => (fault.family === 'timeout' && !faultUsed && step === fault.step ? STEP_TIMEOUT_MS : DEFAULT_TIMEOUT_MS);

  async function invocation(event: unknown, context: LocalLambdaContext): Promise<unknown> {
    const step = (event as { Step: RotationStep }).Step;
    const armed: ArmedFault | undefined = faultUsed ? undefined : armFault(fault, step, { lane, secrets: secret, roles: secret.roles, proxy });
    if (armed && !(fault.family === 'sm-throttle' && !fault.persistent)) faultUsed = true;
    const work = dispatch(event, runtime, context);
    try {
      return await (armed?.killed ? Promise.race([work, armed.killed]) : work);
    } finally {
      armed?.disarm();
      // Late retries find the version AWSCURRENT and change nothing; the moment after them is observed once, at the end.
      if (rotation !== LATE_RETRY) await observe(`${rotation}, after ${step}`);
      const next = ROTATION_STEPS[ROTATION_STEPS.indexOf(step) + 1];
      if (next) register(timeoutFor(next));
    }
  }
  function handler(event: unknown, context: LocalLambdaContext): Promise<unknown> {
    const running = invocation(event, context);
    inFlight.add(running);
    void running.catch(() => undefined).finally(() => inFlight.delete(running));
    return running;
  }

  const functionArn = register(timeoutFor('createSecret'));
  const lock = fault.family === 'lock-timeout' ? await holdRoleLock(secret.original.username as string) : undefined;
  let faulted: RotationOutcome;
  try {
    faulted = await lane.rotateWith(secret.arn, functionArn);
    // A timed-out invocation goes on in this process, as work already sent goes on in AWS: let it land first.
    await Promise.allSettled([...inFlight]);
  } finally {
    await lock?.release();
  }
  faultUsed = true;
  register(DEFAULT_TIMEOUT_MS);
  await observe('after the faulted rotation settled');

  const reattempts: RotationOutcome[] = [];
  if (proxy && !faulted.succeeded) {
    rotation = 'reattempt while the database is down';
    reattempts.push(await lane.secretsManager.rotations.reattempt(secret.arn));
    await proxy.up();
    await observe('after the database is back');
  }
  const token = faulted.versionId;
  for (let i = 0; i < MAX_REATTEMPTS && !(await isCurrent(lane, secret.arn, token)); i += 1) {
    rotation = `reattempt ${i + 1}`;
    reattempts.push(await lane.secretsManager.rotations.reattempt(secret.arn));
  }
  const converged = await isCurrent(lane, secret.arn, token);
  rotation = LATE_RETRY;
  const lateRetryErrors = [];
  if (converged) for (const step of ROTATION_STEPS) lateRetryErrors.push(await lane.invokeStep(functionArn, step, secret.arn, token));
  await observe('at the end');
  return { secret, token, faulted, reattempts, lateRetryErrors, moments, converged };
}

async function isCurrent(lane: Lane, arn: string, versionId: string): Promise<boolean> {
  const { VersionIdsToStages: stages = {} } = await lane.sm.send(new DescribeSecretCommand({ SecretId: arn }));
  return (stages[versionId] ?? []).includes('AWSCURRENT');
}
