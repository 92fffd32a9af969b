import { awaitedLater } from './awaited-later';
import type { RotationContext, RotationDeps, SecretReads, StepOutcome } from './rotation-context';
import { secretReads } from './rotation-context';
import type { RotationEvent, RotationStep } from './rotation-event';
import { gate } from './gate';
import { PgRotatorError } from '../errors';
import { createSecret } from './steps/create-secret';
import { finishSecret } from './steps/finish-secret';
import { setSecret } from './steps/set-secret';
import { testSecret } from './steps/test-secret';

const PREFETCH: Readonly<Record<RotationStep, ReadonlyArray<keyof SecretReads>>> = {
  createSecret: ['current', 'pending'],
  setSecret: ['current', 'pending'],
  testSecret: ['pending'],
  finishSecret: [],
};

const STEPS: Readonly<Record<RotationStep, (ctx: RotationContext) => Promise<StepOutcome>>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

/**
 * Runs one step of Secrets Manager's rotation protocol behind AWS's DescribeSecret gate, and logs one line
 * for it: secret ARN, step, strategy, outcome and duration. The RotationToken is passed on, never logged.
 */
export async function runRotationStep(event: RotationEvent, deps: RotationDeps): Promise<StepOutcome> {
  const started = performance.now();
  const log = deps.log.child({ secretArn: event.SecretId, step: event.Step, clientRequestToken: event.ClientRequestToken });
  try {
    // Read what the step will need while the gate's DescribeSecret is in flight: one round trip, not three.
    const reads = secretReads(deps.store, event.SecretId, event.ClientRequestToken);
    for (const read of PREFETCH[event.Step]) awaitedLater(reads[read]());
    const metadata = await deps.store.describe(event.SecretId);
    const outcome =
      gate(metadata, event.ClientRequestToken) === 'already-current'
        ? { strategy: 'n/a', changed: false, detail: 'version is already AWSCURRENT' }
        : await STEPS[event.Step]({
            deps: { ...deps, log },
            secretArn: metadata.arn,
            token: event.ClientRequestToken,
            rotationToken: event.RotationToken,
            metadata,
            reads,
          });
    log.info(`${event.Step}: ${outcome.detail}`, { strategy: outcome.strategy, changed: outcome.changed, durationMs: elapsed(started) });
    return outcome;
  } catch (error) {
    log.error(`${event.Step} failed`, { error: describeError(error), durationMs: elapsed(started) });
    throw error;
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * The parts of an error that are safe to log. Our errors are written never to hold a secret; anything else
 * (a driver or SDK error that slipped through) is reduced to its name, since its message is not ours to vouch for.
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof PgRotatorError) return { name: error.name, code: error.code, message: error.message };
  return { name: error instanceof Error ? error.name : 'UnknownError' };
}
