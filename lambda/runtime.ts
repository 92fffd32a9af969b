import { ENV } from './config/environment';
import type { Declarations } from './config/declarations';
import { deploymentDeclarations } from './config/declarations';
import { readRotationBindings } from './config/rotation-bindings';
import type { Settings } from './config/settings';
import { loadSettings } from './config/settings';
import type { Logger } from './log/logger';
import { createLogger } from './log/logger';
import type { RotationDeps } from './rotation/rotation-context';
import { generatePassword, passwordPolicyFrom } from './secrets/password-policy';
import { secretStore } from './secrets/secret-store';
import type { SecretsManager, SecretsManagerOverrides } from './secrets/secrets-manager-client';
import { environmentSecretsManager } from './secrets/secrets-manager-client';
import { versionMemory } from './secrets/version-memory';

/** Long-lived parts of the function, made once per container and reused by every invocation. */
export interface Runtime extends RotationDeps {
  readonly settings: Settings;
  readonly log: Logger;
  /** The one Secrets Manager client of the container, for the calls beyond rotation's. */
  readonly secretsManager: SecretsManager;
}

/** What a host other than Lambda (the local stack, tests, the demo) may set beyond the environment. */
export interface RuntimeOverrides {
  /** Region, credentials, endpoint or transport of the Secrets Manager client; in Lambda they come from the environment. */
  readonly secretsManager?: SecretsManagerOverrides;
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
  const secretsManager = environmentSecretsManager(source, env[ENV.secretsManagerEndpoint], overrides.secretsManager);
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
    log: createLogger({ level: env[ENV.logLevel], fields: { service: 'pg-rotator' }, write: overrides.writeLog, metricsNamespace: env[ENV.metricsNamespace] }),
    generatePassword:
      env[ENV.passwordSource] === 'secrets-manager' ? () => store.randomPassword(policy) : async () => generatePassword(policy),
  };
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
