import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotatedRoles } from './catalog/protected-roles';
import { ENV } from './config/environment';
import type { Declarations } from './config/declarations';
import { deploymentDeclarations } from './config/declarations';
import { readRotationBindings } from './config/rotation-bindings';
import type { Settings } from './config/settings';
import { loadSettings } from './config/settings';
import type { Logger } from './log/logger';
import { createLogger } from './log/logger';
import { cachedTagBoundRoles, ROLE_TAGS } from './rotation/tag-bound-roles';
import type { RotationDeps } from './rotation/rotation-context';
import { generatePassword, passwordPolicyFrom } from './secrets/password-policy';
import { secretStore } from './secrets/secret-store';
import { listTaggedSecrets } from './secrets/tagged-secrets';
import { versionMemory } from './secrets/version-memory';

/** Long-lived parts of the function, made once per container and reused by every invocation. */
export interface Runtime extends RotationDeps {
  readonly settings: Settings;
  readonly log: Logger;
  /** The one Secrets Manager client of the container, for the calls beyond rotation's. */
  readonly secretsManager: SecretsManagerClient;
  /**
   * The logins and owner roles of the secrets this deployment rotates, which no orchestrator action may touch
   * (protected.rotated-login, protected.owner-role): those the deployment's rotation bindings name.
   */
  readonly rotatedRoles: () => Promise<RotatedRoles>;
}

/** What a host other than Lambda (the local stack, tests, the demo) may set beyond the environment. */
export interface RuntimeOverrides {
  /** Region and credentials for the Secrets Manager client; in Lambda they come from the environment. */
  readonly secretsManager?: SecretsManagerClientConfig;
  /** Where log lines go; stdout (CloudWatch Logs) by default. */
  readonly writeLog?: (line: string) => void;
  /** The deployment's bindings file (rotation-bindings.json beside the handler, in Lambda). @default - no bindings */
  readonly bindingsFile?: string | URL;
  /** What the deployment declared, given whole (the local stack, whose tests declare as they go). */
  readonly declarations?: Declarations;
}

export function createRuntime(source: NodeJS.ProcessEnv = process.env, overrides: RuntimeOverrides = {}): Runtime {
  const settings = loadSettings(source);
  const { env } = settings;
  const endpoint = env[ENV.secretsManagerEndpoint];
  const secretsManager = new SecretsManagerClient({
    // The SDK resolves each command's middleware stack on every call unless told to keep it; a rotation makes eight
    // or nine calls in a row. Middleware added to the client after its first call would then be ignored: add any
    // before (as test/safety/support/tripwire-runtime.ts does).
    cacheMiddleware: true,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...overrides.secretsManager,
  });
  const store = secretStore(secretsManager);
  const policy = passwordPolicyFrom(env);
  const declarations =
    overrides.declarations ??
    deploymentDeclarations({
      bindings: overrides.bindingsFile === undefined ? [] : readRotationBindings(overrides.bindingsFile),
      tagsBind: env[ENV.rotationBindingTags],
      adminSecretArns: env[ENV.adminSecretArns],
    });
  return {
    settings,
    declarations,
    store,
    secretsManager,
    memory: versionMemory(),
    rotatedRoles: rotatedRolesProvider(declarations, env[ENV.protectTagBoundRoles] ? secretsManager : undefined),
    log: createLogger({ level: env[ENV.logLevel], fields: { service: 'pg-rotator' }, write: overrides.writeLog, metricsNamespace: env[ENV.metricsNamespace] }),
    generatePassword:
      env[ENV.passwordSource] === 'secrets-manager' ? () => store.randomPassword(policy) : async () => generatePassword(policy),
  };
}

/**
 * The deployment's rotated roles: the bindings file's, and, where the deployment binds secrets by tags
 * (PROTECT_TAG_BOUND_ROLES), those the tags of its secrets name, listed lazily: only orchestrator actions ask.
 */
function rotatedRolesProvider(declarations: Declarations, client: SecretsManagerClient | undefined): () => Promise<RotatedRoles> {
  if (client === undefined) return async () => declarations.boundRoles();
  const tagged = cachedTagBoundRoles(() => listTaggedSecrets(client, ROLE_TAGS));
  return async () => unionOf(declarations.boundRoles(), await tagged());
}

function unionOf(a: RotatedRoles, b: RotatedRoles): RotatedRoles {
  return { logins: new Set([...a.logins, ...b.logins]), ownerRoles: new Set([...a.ownerRoles, ...b.ownerRoles]) };
}

let shared: Runtime | undefined;

/**
 * The container's runtime, created on first use so a configuration error surfaces as that invocation's error.
 *
 * @param bindingsFile the deployment's rotation bindings, beside the handler in the code asset
 */
export function sharedRuntime(bindingsFile?: URL): Runtime {
  shared ??= createRuntime(process.env, { bindingsFile });
  return shared;
}
