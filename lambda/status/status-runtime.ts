import { ENV, readEnvironment } from '../config/environment';
import { InvalidInputError } from '../errors';
import { createLogger } from '../log/logger';
import type { SecretsManagerOverrides } from '../secrets/secrets-manager-client';
import { environmentSecretsManager } from '../secrets/secrets-manager-client';
import type { StatusRequestDeps } from './handle-status-request';
import { statusCalls } from './status-calls';

/** What a host other than Lambda (the local stack, tests) may set beyond the environment. */
export interface StatusRuntimeOverrides {
  readonly secretsManager?: SecretsManagerOverrides;
  readonly writeLog?: (line: string) => void;
  /** The clock findings are judged by; the local stack's, in tests. @default the system clock */
  readonly now?: () => Date;
  readonly maxPages?: number;
}

/**
 * The status function's dependencies, made once per container: its environment (ROTATION_FUNCTION_ARN, required;
 * LOG_LEVEL, METRICS_NAMESPACE, SECRETS_MANAGER_ENDPOINT), one Secrets Manager client for the two listing calls, the
 * logger. Nothing here can read a secret value, and the function's role does not allow it either.
 *
 * @throws InvalidInputError naming the variable, for a bad or missing one.
 */
export function createStatusRuntime(source: NodeJS.ProcessEnv = process.env, overrides: StatusRuntimeOverrides = {}): StatusRequestDeps {
  const env = readEnvironment(source);
  const rotationFunctionArn = env[ENV.rotationFunctionArn];
  if (rotationFunctionArn === undefined) {
    throw new InvalidInputError(`environment.${ENV.rotationFunctionArn}`, 'is required: the ARN of the rotation function whose secrets the status check lists');
  }
  return {
    calls: statusCalls(environmentSecretsManager(source, env[ENV.secretsManagerEndpoint], overrides.secretsManager)),
    rotationFunctionArn,
    now: overrides.now ?? (() => new Date()),
    log: createLogger({ level: env[ENV.logLevel], fields: { service: 'pg-rotator', function: 'status' }, write: overrides.writeLog, metricsNamespace: env[ENV.metricsNamespace] }),
    ...(overrides.maxPages === undefined ? {} : { maxPages: overrides.maxPages }),
  };
}
