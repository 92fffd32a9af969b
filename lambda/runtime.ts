import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from './config/environment';
import type { Settings } from './config/settings';
import { loadSettings } from './config/settings';
import type { Logger } from './log/logger';
import { createLogger } from './log/logger';
import type { RotationDeps } from './rotation/rotation-context';
import { generatePassword, passwordPolicyFrom } from './secrets/password-policy';
import { secretStore } from './secrets/secret-store';
import { versionMemory } from './secrets/version-memory';

/** Long-lived parts of the function, made once per container and reused by every invocation. */
export interface Runtime extends RotationDeps {
  readonly settings: Settings;
  readonly log: Logger;
  /** The one Secrets Manager client of the container, for the calls beyond rotation's. */
  readonly secretsManager: SecretsManagerClient;
  /**
   * The logins of the secrets this deployment rotates, which no orchestrator action may touch
   * (protected.rotated-login). None yet: the deployment's rotation bindings will supply them.
   */
  readonly protectedLogins: () => Promise<ReadonlySet<string>>;
}

/** What a host other than Lambda (the local stack, tests, the demo) may set beyond the environment. */
export interface RuntimeOverrides {
  /** Region and credentials for the Secrets Manager client; in Lambda they come from the environment. */
  readonly secretsManager?: SecretsManagerClientConfig;
  /** Where log lines go; stdout (CloudWatch Logs) by default. */
  readonly writeLog?: (line: string) => void;
  /** The logins of rotated secrets, for hosts (tests) that know them. @default - none */
  readonly protectedLogins?: () => Promise<ReadonlySet<string>>;
}

const NO_LOGINS: ReadonlySet<string> = new Set();

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
  return {
    settings,
    store,
    secretsManager,
    memory: versionMemory(),
    protectedLogins: overrides.protectedLogins ?? (async () => NO_LOGINS),
    log: createLogger({ level: env[ENV.logLevel], fields: { service: 'pg-rotator' }, write: overrides.writeLog, metricsNamespace: env[ENV.metricsNamespace] }),
    generatePassword:
      env[ENV.passwordSource] === 'secrets-manager' ? () => store.randomPassword(policy) : async () => generatePassword(policy),
  };
}

let shared: Runtime | undefined;

/** The container's runtime, created on first use so a configuration error surfaces as that invocation's error. */
export function sharedRuntime(): Runtime {
  shared ??= createRuntime();
  return shared;
}
