import { ROTATION_BINDINGS_FILE } from '../config/rotation-bindings';
import { InvalidInputError } from '../errors';
import { handleEscEvent } from '../esc/esc-connector';
import type { InvocationContext } from '../requests/caller';
import { handleOrchestratorRequest } from '../requests/handle-request';
import { orchestratorDeps } from '../requests/orchestrator-deps';
import type { Runtime } from '../runtime';
import { sharedRuntime } from '../runtime';

/**
 * The orchestrator function's entry point: orchestrator requests (`kind`) and Pulumi ESC connector events (`type`).
 * A rotation step (`Step`) is refused: steps move staging labels, and only the rotation function, which only
 * Secrets Manager may invoke, takes them.
 */
export async function handler(event: unknown, context?: InvocationContext): Promise<unknown> {
  return handleOrchestratorEvent(event, sharedRuntime(BINDINGS_FILE), context);
}

/** The deployment's rotation bindings, written by the construct beside this file in the code asset. */
const BINDINGS_FILE = new URL(ROTATION_BINDINGS_FILE, import.meta.url);

/**
 * Orchestrator requests are answered with the response envelope, failures included; an ESC event with `{code,
 * message}`. `context` is the Lambda context, for the request id and the caller.
 */
export async function handleOrchestratorEvent(event: unknown, runtime: Runtime, context?: InvocationContext): Promise<unknown> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError('event', 'must be a JSON object');
  }
  if ('Step' in event) {
    throw new InvalidInputError('event.Step', 'rotation steps are accepted only by the rotation function, which only Secrets Manager may invoke');
  }
  if ('kind' in event) return handleOrchestratorRequest(event as Record<string, unknown>, orchestratorDeps(runtime), context);
  if ('type' in event) return handleEscEvent(event as Record<string, unknown>, runtime.settings, runtime.log);
  throw new InvalidInputError('event', 'is neither an orchestrator request (kind) nor a Pulumi ESC event (type)');
}
