import type { ActionDeps } from '../actions/action-runner';
import type { ActionSecrets } from '../actions/action-secrets';
import { actionSecrets } from '../actions/action-secrets';
import { readPermissionPolicy } from '../actions/permission-policy';
import type { RotatedRoles } from '../catalog/protected-roles';
import type { Declarations } from '../config/declarations';
import { ENV } from '../config/environment';
import { cachedTagBoundRoles, ROLE_TAGS } from '../rotation/tag-bound-roles';
import type { Runtime } from '../runtime';
import type { SecretsManager } from '../secrets/secrets-manager-client';
import { listTaggedSecrets } from '../secrets/tagged-secrets';
import type { SecretRotationCalls } from './rotate-request';
import { secretRotationCalls } from './rotate-request';

/** Everything orchestrator requests use: the runtime's parts plus the Secrets Manager calls only they make. */
export interface OrchestratorDeps extends Runtime {
  /**
   * The logins and owner roles of the secrets this deployment rotates, which no orchestrator action may touch
   * (protected.rotated-login, protected.owner-role): those the deployment's rotation bindings name.
   */
  readonly rotatedRoles: () => Promise<RotatedRoles>;
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
    rotatedRoles: rotatedRolesProvider(runtime.declarations, runtime.settings.env[ENV.protectTagBoundRoles] ? client : undefined),
    secrets: actionSecrets(client),
    rotationCalls: secretRotationCalls(client),
    passwordSecretPrefix: runtime.settings.env[ENV.passwordSecretPrefix],
    permissionPolicy: readPermissionPolicy(runtime.settings.env[ENV.permissionPolicy]),
  };
  made.set(runtime, deps);
  return deps;
}

/**
 * The deployment's rotated roles: the bindings file's, and, where the deployment binds secrets by tags
 * (PROTECT_TAG_BOUND_ROLES), those the tags of its secrets name, listed lazily: only actions ask, so the rotation
 * function, which makes no OrchestratorDeps, carries none of it.
 */
function rotatedRolesProvider(declarations: Declarations, client: SecretsManager | undefined): () => Promise<RotatedRoles> {
  if (client === undefined) return async () => declarations.boundRoles();
  const tagged = cachedTagBoundRoles(() => listTaggedSecrets(client, ROLE_TAGS));
  return async () => unionOf(declarations.boundRoles(), await tagged());
}

function unionOf(a: RotatedRoles, b: RotatedRoles): RotatedRoles {
  return { logins: new Set([...a.logins, ...b.logins]), ownerRoles: new Set([...a.ownerRoles, ...b.ownerRoles]) };
}
