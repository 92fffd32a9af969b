import { handleEscEvent } from './esc/esc-connector';
import { InvalidInputError } from './errors';
import { RotationEventSchema } from './rotation/rotation-event';
import { runRotationStep } from './rotation/run-step';
import type { Runtime } from './runtime';
import { firstIssue } from './validation';

/**
 * Recognises what invoked the function and dispatches:
 * - Secrets Manager's rotation steps ({Step, SecretId, ClientRequestToken, RotationToken?}): no result, an
 *   error fails the step;
 * - Pulumi ESC's connector ({type: "postgres", …}): answered with {code, message}.
 */
export async function dispatch(event: unknown, runtime: Runtime): Promise<unknown> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError('event', 'must be a JSON object');
  }
  if ('Step' in event) {
    const parsed = RotationEventSchema.safeParse(event);
    if (!parsed.success) throw firstIssue(parsed.error, 'event');
    await runRotationStep(parsed.data, runtime);
    return null;
  }
  if ('type' in event) return handleEscEvent(event as Record<string, unknown>, runtime.settings, runtime.log);
  throw new InvalidInputError('event', 'is neither a Secrets Manager rotation event (Step) nor a connector event (type)');
}
