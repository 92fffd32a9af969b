import type { ActionDeps } from '../actions/action-runner';
import type { ActionSecrets } from '../actions/action-secrets';
import { actionSecrets } from '../actions/action-secrets';
import { readPermissionPolicy } from '../actions/permission-policy';
import { ENV } from '../config/environment';
import type { Runtime } from '../runtime';
import type { SecretRotationCalls } from './rotate-request';
import { secretRotationCalls } from './rotate-request';

/** Everything orchestrator requests use: the runtime's parts plus the Secrets Manager calls only they make. */
export interface OrchestratorDeps extends Runtime {
  readonly secrets: ActionSecrets;
  readonly rotationCalls: SecretRotationCalls;
  readonly passwordSecretPrefix: ActionDeps['passwordSecretPrefix'];
  readonly permissionPolicy: ActionDeps['permissionPolicy'];
}

const made = new WeakMap<Runtime, OrchestratorDeps>();

/** The orchestrator's dependencies for a runtime, made once per container like the runtime itself. */
export function orchestratorDeps(runtime: Runtime): OrchestratorDeps {
  const existing = made.get(runtime);
  if (existing) return existing;
  const client = runtime.secretsManager;
  const deps: OrchestratorDeps = {
    ...runtime,
    secrets: actionSecrets(client),
    rotationCalls: secretRotationCalls(client),
    passwordSecretPrefix: runtime.settings.env[ENV.passwordSecretPrefix],
    permissionPolicy: readPermissionPolicy(runtime.settings.env[ENV.permissionPolicy]),
  };
  made.set(runtime, deps);
  return deps;
}
