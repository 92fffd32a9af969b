import { ROTATION_BINDINGS_FILE } from '../config/rotation-bindings';
import { InvalidInputError } from '../errors';
import { RotationEventSchema } from '../rotation/rotation-event';
import { runRotationStep } from '../rotation/run-step';
import type { Runtime } from '../runtime';
import { sharedRuntime } from '../runtime';
import { firstIssue } from '../validation';

/**
 * The rotation function's entry point: Secrets Manager's rotation steps and nothing else. Only
 * secretsmanager.amazonaws.com may invoke it (the construct's resource policy); an orchestrator request or a Pulumi
 * ESC event sent here anyway is refused, and every step is checked as if it were forged (finishSecret promotes
 * only a pending version that logs in).
 */
export async function handler(event: unknown): Promise<null> {
  return handleRotationEvent(event, sharedRuntime(BINDINGS_FILE));
}

/** The deployment's rotation bindings, written by the construct beside this file in the code asset. */
const BINDINGS_FILE = new URL(ROTATION_BINDINGS_FILE, import.meta.url);

/**
 * One rotation step: `{Step, SecretId, ClientRequestToken, RotationToken?}`. No result; an error fails the step
 * and Secrets Manager retries the rotation.
 */
export async function handleRotationEvent(event: unknown, runtime: Runtime): Promise<null> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError('event', 'must be a JSON object');
  }
  if (!('Step' in event)) {
    throw new InvalidInputError(
      'event.Step',
      'is required: this function answers only Secrets Manager rotation steps; orchestrator requests and Pulumi ESC events go to the orchestrator function',
    );
  }
  const parsed = RotationEventSchema.safeParse(event);
  if (!parsed.success) throw firstIssue(parsed.error, 'event');
  await runRotationStep(parsed.data, runtime);
  return null;
}
