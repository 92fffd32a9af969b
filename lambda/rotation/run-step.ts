import type { RotationContext, RotationDeps, StepOutcome } from './rotation-context';
import { StaleMemory, bindingOf, secretReads } from './rotation-context';
import type { RotationEvent, RotationStep } from './rotation-event';
import { gate } from './gate';
import { awaitedLater } from './awaited-later';
import { PgRotatorError } from '../errors';
import { stepMetrics } from '../log/metric-catalog';
import type { SecretMetadata } from '../secrets/secret-store';
import type { VersionMemory } from '../secrets/version-memory';
import { NO_MEMORY } from '../secrets/version-memory';
import { createSecret } from './steps/create-secret';
import { finishSecret } from './steps/finish-secret';
import { setSecret } from './steps/set-secret';
import { testSecret } from './steps/test-secret';
import type { RotationTimer } from './rotation-timer';
import { rotationTimer } from './rotation-timer';

const STEPS: Readonly<Record<RotationStep, (ctx: RotationContext) => Promise<StepOutcome>>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

const ALREADY_CURRENT: StepOutcome = { strategy: 'n/a', changed: false, detail: 'version is already AWSCURRENT' };

/** The container's rotation timer (one per container, like the runtime). */
const CONTAINER_TIMER = rotationTimer();

/**
 * Runs one step of Secrets Manager's rotation protocol behind AWS's DescribeSecret gate, and logs one line
 * for it: secret ARN, step, strategy, outcome and duration, with the step's metrics (log/metric-catalog.ts). The
 * RotationToken is passed on, never logged.
 */
export async function runRotationStep(event: RotationEvent, deps: RotationDeps, timer: RotationTimer = CONTAINER_TIMER): Promise<StepOutcome> {
  const started = process.hrtime.bigint();
  const startedAt = Date.now();
  const token = event.ClientRequestToken;
  const log = deps.log.child({ secretArn: event.SecretId, step: event.Step, clientRequestToken: event.ClientRequestToken });
  try {
    const metadata = awaitedLater(deps.store.describe(event.SecretId));
    const stepDeps = { ...deps, log };
    const outcome = await runAdmitted(event, stepDeps, metadata, deps.memory).catch((error: unknown) => {
      if (!(error instanceof StaleMemory)) throw error;
      // Another container rotated meanwhile, or someone put a new value: run again on what Secrets Manager says.
      log.info(`${event.Step}: remembered AWSCURRENT moved on; running again from fresh reads`);
      return runAdmitted(event, stepDeps, metadata, NO_MEMORY);
    });
    const durationMs = elapsed(started);
    timer.stepRan(event.SecretId, token, event.Step, startedAt, outcome.strategy);
    const rotation = event.Step === 'finishSecret' && outcome.changed ? timer.finished(event.SecretId, token, Date.now()) : undefined;
    const metrics = stepMetrics({ step: event.Step, outcome: 'succeeded', durationMs, ...(rotation ? { rotation } : {}) });
    log.info(`${event.Step}: ${outcome.detail}`, { strategy: outcome.strategy, changed: outcome.changed, durationMs }, metrics);
    return outcome;
  } catch (error) {
    const durationMs = elapsed(started);
    timer.stepRan(event.SecretId, token, event.Step, startedAt);
    const code = error instanceof PgRotatorError ? error.code : 'INTERNAL';
    log.error(`${event.Step} failed`, { error: describeError(error), durationMs }, stepMetrics({ step: event.Step, outcome: 'failed', durationMs, code }));
    throw error;
  }
}

/**
 * Starts the step at once, so its reads and logins overlap the gate's DescribeSecret, and lets it change
 * nothing until the gate has let it run. Its outcome counts only once the gate agrees; a gate refusal is the
 * error reported, whatever the step met meanwhile.
 */
async function runAdmitted(
  event: RotationEvent,
  deps: RotationDeps,
  metadata: Promise<SecretMetadata>,
  memory: VersionMemory,
): Promise<StepOutcome> {
  const reads = secretReads(deps.store, memory, event.SecretId, event.ClientRequestToken);
  const decision = awaitedLater(metadata.then((described) => ({ described, decision: gate(described, event.ClientRequestToken) })));
  const admitted = async (): Promise<SecretMetadata> => {
    const { described, decision: verdict } = await decision;
    if (verdict === 'already-current') throw new AlreadyCurrent();
    await reads.confirm(described);
    return described;
  };
  const binding = bindingOf(deps, event.SecretId, metadata);
  const settled = await STEPS[event.Step]({
    deps,
    secretArn: event.SecretId,
    token: event.ClientRequestToken,
    rotationToken: event.RotationToken,
    admitted,
    binding: () => binding,
    reads,
  }).then(
    (outcome) => ({ outcome }),
    (error: unknown) => ({ error }),
  );
  try {
    await admitted();
  } catch (error) {
    if (error instanceof AlreadyCurrent) return ALREADY_CURRENT;
    throw error;
  }
  if ('error' in settled) throw settled.error;
  return settled.outcome;
}

/** The gate found the token already AWSCURRENT: an earlier run finished, and this step is a no-op. */
class AlreadyCurrent extends Error {
  override readonly name = 'AlreadyCurrent';
}

/**
 * Milliseconds since `started`, a `process.hrtime.bigint()`: monotonic, as performance.now() is, without loading
 * perf_hooks, which Lambda's node compiles at a cold start (https-transport.ts says why).
 */
function elapsed(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e6);
}

/**
 * The parts of an error that are safe to log. Our errors are written never to hold a secret; anything else
 * (a driver or SDK error that slipped through) is reduced to its name, since its message is not ours to vouch for.
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof PgRotatorError) return { name: error.name, code: error.code, message: error.message };
  return { name: error instanceof Error ? error.name : 'UnknownError' };
}
