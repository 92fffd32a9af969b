/**
 * Runs one fault scenario as Secrets Manager would live it: RotateSecret through a rotation function whose fault
 * is armed for one step, then nothing but what the local Secrets Manager does on its own: its model of AWS's retries
 * (local/secrets-manager/rotation-retries.ts), the whole rotation again with the same token until it succeeds or
 * the retries run out. After every step invocation of every attempt it observes what a client holding each label
 * would experience. Once the rotation is over, every step is delivered once more with the token (a late duplicate
 * of an invocation), and each must be a no-op.
 */
import { DescribeSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { handleRotationEvent } from '../../../lambda/handlers/rotation';
import type { RotationStep } from '../../../lambda/rotation/rotation-event';
import { ROTATION_STEPS } from '../../../lambda/rotation/rotation-event';
import type { RotationOutcome } from '../../../local/secrets-manager/rotation-outcome';
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


/** Everything a scenario's assertions and figures need. */
export interface ScenarioRecord {
  readonly secret: StrategySecret;
  /** The version RotateSecret created: AWSCURRENT must end up there. */
  readonly token: string;
  /** The attempt that met the fault. */
  readonly faulted: RotationOutcome;
  /** Secrets Manager's retries of it, in order (the first may meet a database that is still down). */
  readonly retries: readonly RotationOutcome[];
  /** Errors of the steps delivered once more with the token after the rotation; all must be undefined (no-ops). */
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
const LATE_RETRY = 'late duplicate of a step, with the same token';

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
  let attempt = 0;
  let rotation = 'faulted rotation';
  const register = (timeoutMs: number) => lane.lambda.register(name, { kind: 'in-process', handler, timeoutMs });
  // The fault is armed in the faulted attempt only: Secrets Manager's retries run clean.
  const faultArmable = () => attempt <= 1;
  let faultUsed = false;
  const timeoutFor = (step: RotationStep) => (fault.family === 'timeout' && !faultUsed && step === fault.step ? STEP_TIMEOUT_MS : DEFAULT_TIMEOUT_MS);

  async function invocation(event: unknown): Promise<unknown> {
    const step = (event as { Step: RotationStep }).Step;
    // Invocations still running (cut by a Lambda timeout, their work goes on): taken before this one is added.
    const earlier = [...inFlight];
    if (step === 'createSecret' && rotation !== LATE_RETRY) {
      attempt += 1;
      if (attempt > 1) await beforeRetry(attempt - 1, earlier);
    }
    const armed: ArmedFault | undefined = faultUsed || !faultArmable() ? undefined : armFault(fault, step, { lane, secrets: secret, roles: secret.roles, proxy });
    if (armed && !(fault.family === 'sm-throttle' && !fault.persistent)) faultUsed = true;
    // This invocation keeps the short timeout it was registered with; the retry that follows it gets the usual one.
    if (armed && fault.family === 'timeout') register(DEFAULT_TIMEOUT_MS);
    const work = handleRotationEvent(event, runtime);
    try {
      return await (armed?.killed ? Promise.race([work, armed.killed]) : work);
    } finally {
      armed?.disarm();
      // Late duplicates find the version AWSCURRENT and change nothing; the moment after them is observed once, at the end.
      if (rotation !== LATE_RETRY) await observe(`${rotation}, after ${step}`);
      const next = ROTATION_STEPS[ROTATION_STEPS.indexOf(step) + 1];
      if (next) register(timeoutFor(next));
    }
  }
  function handler(event: unknown): Promise<unknown> {
    const running = invocation(event);
    inFlight.add(running);
    void running.catch(() => undefined).finally(() => inFlight.delete(running));
    return running;
  }

  /**
   * What happens before Secrets Manager's retry n reaches the function, since AWS's retries come later than the
   * lanes' 1 ms (its spacing is unpublished): work cut by a Lambda timeout lands; the transaction holding the role's
   * lock ends; a restarted database is back for the second retry (the first meets it still down).
   */
  async function beforeRetry(n: number, earlier: readonly Promise<unknown>[]): Promise<void> {
    await Promise.allSettled(earlier);
    rotation = `retry ${n}`;
    if (n === 1) {
      await lock?.release();
      await observe('after the faulted rotation');
    }
    if (proxy && n >= 2 && !proxy.isListening()) {
      await proxy.up();
      await observe('after the database is back');
    }
  }

  const functionArn = register(timeoutFor('createSecret'));
  const lock = fault.family === 'lock-timeout' ? await holdRoleLock(secret.original.username as string) : undefined;
  // Released before Secrets Manager's first retry (beforeRetry), or below if none comes; a second release is a no-op.
  let attempts: RotationOutcome[];
  try {
    const { VersionId: token } = await lane.sm.send(
      new RotateSecretCommand({ SecretId: secret.arn, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 } }),
    );
    attempts = (await lane.secretsManager.rotations.settled(secret.arn)).filter((outcome) => outcome.versionId === token);
    // A timed-out invocation of the last attempt goes on in this process, as work already sent goes on in AWS.
    await Promise.allSettled([...inFlight]);
  } finally {
    await lock?.release();
  }
  const [faulted, ...retries] = attempts;
  if (!faulted) throw new Error(`${scenario.name}: RotateSecret ran no attempt`);
  if (proxy && !proxy.isListening()) await proxy.up();
  await observe("after Secrets Manager's retries");

  const token = faulted.versionId;
  const converged = await isCurrent(lane, secret.arn, token);
  rotation = LATE_RETRY;
  const lateRetryErrors = [];
  if (converged) for (const step of ROTATION_STEPS) lateRetryErrors.push(await lane.invokeStep(functionArn, step, secret.arn, token));
  await observe('at the end');
  return { secret, token, faulted, retries, lateRetryErrors, moments, converged };
}

async function isCurrent(lane: Lane, arn: string, versionId: string): Promise<boolean> {
  const { VersionIdsToStages: stages = {} } = await lane.sm.send(new DescribeSecretCommand({ SecretId: arn }));
  return (stages[versionId] ?? []).includes('AWSCURRENT');
}
