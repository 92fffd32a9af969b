import { Token } from 'aws-cdk-lib';
import { DEFAULT_METRICS_NAMESPACE, ENV, EnvironmentSchema, environmentError } from '../../lambda/config/environment';
import type { LogLevel } from './function-environment';

/** What becomes the status function's environment. */
export interface StatusSettings {
  /** The rotation function's ARN (ROTATION_FUNCTION_ARN): the check lists the secrets whose rotation function it is. */
  readonly rotationFunctionArn: string;
  /** @default DEFAULT_METRICS_NAMESPACE ('PgRotator') */
  readonly metricsNamespace?: string;
  /** @default 'info' */
  readonly logLevel?: LogLevel;
  /** Only for an endpoint without private DNS. @default - the SDK's regional endpoint */
  readonly secretsManagerEndpointUrl?: string;
}

/**
 * The status function's environment, from the shared contract (`ENV`): only what lambda/status/status-runtime.ts
 * reads (the rotation function's ARN, the metrics namespace, the log level, the endpoint), none of the rotation
 * function's password or connection settings, which it never uses. Validated with the function's own
 * `EnvironmentSchema`; the rotation function's ARN of the same stack is a deploy-time token and checked there.
 *
 * @throws {InvalidInputError} naming the variable, e.g. `environment.METRICS_NAMESPACE`.
 */
export function buildStatusEnvironment(settings: StatusSettings): Record<string, string> {
  const contract: Record<string, string> = {
    [ENV.rotationFunctionArn]: settings.rotationFunctionArn,
    [ENV.metricsNamespace]: settings.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
    [ENV.logLevel]: settings.logLevel ?? 'info',
  };
  if (settings.secretsManagerEndpointUrl !== undefined) contract[ENV.secretsManagerEndpoint] = settings.secretsManagerEndpointUrl;
  const checked = Token.isUnresolved(settings.rotationFunctionArn) ? { ...contract, [ENV.rotationFunctionArn]: undefined } : contract;
  const parsed = EnvironmentSchema.safeParse(checked);
  if (!parsed.success) throw environmentError(parsed.error);
  // The bundle ships a source map; this makes stack traces in the logs point at the TypeScript lines.
  return { ...contract, NODE_OPTIONS: '--enable-source-maps' };
}
