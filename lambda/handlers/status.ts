import type { StatusResponse } from '../requests/envelope';
import type { StatusContext, StatusRequestDeps } from '../status/handle-status-request';
import { handleStatusRequest } from '../status/handle-status-request';
import { createStatusRuntime } from '../status/status-runtime';

let shared: StatusRequestDeps | undefined;

/**
 * The status function's entry point: `status` requests only, from the CLI, the typed client or the scheduled check
 * (an EventBridge schedule sending `{"kind":"status","list":"none"}`). It lists secrets from Secrets Manager's
 * metadata; its role grants ListSecrets and ListSecretVersionIds, never GetSecretValue. The dependencies are made on
 * the first invocation, so a configuration error surfaces as that invocation's error.
 */
export async function handler(event: unknown, context?: StatusContext): Promise<StatusResponse> {
  shared ??= createStatusRuntime();
  return handleStatusRequest(event, shared, context);
}
