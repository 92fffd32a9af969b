import { handleEscEvent } from './esc/esc-connector';
import { InvalidInputError } from './errors';
import { RotationEventSchema } from './rotation/rotation-event';
import { runRotationStep } from './rotation/run-step';
import type { Runtime } from './runtime';
import { firstIssue } from './validation';
import type { InvocationContext } from './requests/caller';
import { handleOrchestratorRequest } from './requests/handle-request';
import { orchestratorDeps } from './requests/orchestrator-deps';

/**
 * Recognises what invoked the function and dispatches:
 * - Secrets Manager's rotation steps ({Step, SecretId, ClientRequestToken, RotationToken?}): no result, an
 *   error fails the step;
 * - Pulumi ESC's connector ({type: "postgres", …}): answered with {code, message};
 * - orchestrator requests ({kind: "action" | "test" | "rotate" | "discover", …}): answered with the response
 *   envelope, failures included. `context` is the Lambda context, for the request id and the caller.
 */
export async function dispatch(event: unknown, runtime: Runtime, context?: InvocationContext): Promise<unknown> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError('event', 'must be a JSON object');
  }
  if ('Step' in event) {
    const parsed = RotationEventSchema.safeParse(event);
    if (!parsed.success) throw firstIssue(parsed.error, 'event');
    await runRotationStep(parsed.data, runtime);
    return null;
  }
  if ('kind' in event) return handleOrchestratorRequest(event as Record<string, unknown>, orchestratorDeps(runtime), context);
  if ('type' in event) return handleEscEvent(event as Record<string, unknown>, runtime.settings, runtime.log);
  throw new InvalidInputError('event', 'is neither a rotation event (Step), an orchestrator request (kind) nor a Pulumi ESC event (type)');
}
