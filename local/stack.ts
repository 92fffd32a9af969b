import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { dispatch } from '../lambda/dispatch';
import type { Runtime } from '../lambda/runtime';
import { createRuntime } from '../lambda/runtime';
import type { LocalLambda } from './lambda/server';
import { startLocalLambda } from './lambda/server';
import type { LocalSecretsManager } from './secrets-manager/server';
import { startLocalSecretsManager } from './secrets-manager/server';

/** Credentials the local endpoints accept (they do not check signatures); never real ones. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** The function name pg-rotator is registered under on the local Lambda endpoint. */
export const ROTATOR_FUNCTION = 'pg-rotator';

/**
 * AWS as pg-rotator sees it, on this machine: a local Lambda endpoint running pg-rotator in-process, and a
 * local Secrets Manager whose RotateSecret invokes it through the Lambda Invoke API, all spoken to by the real
 * AWS SDK clients over HTTP. Used by the tests, the demo and the benchmark.
 */
export interface LocalStack {
  readonly lambda: LocalLambda;
  readonly secretsManager: LocalSecretsManager;
  /** The ARN to give RotateSecret and orchestrators. */
  readonly rotatorArn: string;
  /** The function's runtime, as a Lambda container would hold it. */
  readonly runtime: Runtime;
  /** Every line the function logged, for assertions that nothing secret was written. */
  readonly functionLog: readonly string[];
  secretsClient(options?: { maxAttempts?: number }): SecretsManagerClient;
  lambdaClient(): LambdaClient;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  /** The function's environment (PGSSLMODE, PGSSLROOTCERT, PASSWORD_LENGTH, …); the endpoint is added. */
  readonly env?: Readonly<Record<string, string>>;
  /** Also echo the function's log lines (the demo shows them; tests keep them). */
  readonly onFunctionLog?: (line: string) => void;
  /** The deployment's rotated logins, which orchestrator actions must not touch. @default - none */
  readonly protectedLogins?: () => Promise<ReadonlySet<string>>;
  /** Secrets Manager's clock, for tests that let days pass. @default the system clock */
  readonly clock?: () => Date;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const lambda = await startLocalLambda({ region: LOCAL_AWS.region });
  let secretsManager: LocalSecretsManager | undefined;
  try {
    secretsManager = await startLocalSecretsManager({ region: LOCAL_AWS.region, lambdaEndpoint: lambda.endpoint, ...(options.clock ? { clock: options.clock } : {}) });
    const functionLog: string[] = [];
    const runtime = createRuntime(
      { ...options.env, SECRETS_MANAGER_ENDPOINT: secretsManager.endpoint },
      {
        secretsManager: { ...LOCAL_AWS, maxAttempts: 3 },
        ...(options.protectedLogins === undefined ? {} : { protectedLogins: options.protectedLogins }),
        writeLog: (line) => {
          functionLog.push(line);
          options.onFunctionLog?.(line);
        },
      },
    );
    const rotatorArn = lambda.register(ROTATOR_FUNCTION, { kind: 'in-process', handler: (event, context) => dispatch(event, runtime, context), timeoutMs: 30_000 });
    const endpoints = { secretsManager: secretsManager.endpoint, lambda: lambda.endpoint };
    const stack: LocalStack = {
      lambda,
      secretsManager,
      rotatorArn,
      runtime,
      functionLog,
      secretsClient: (clientOptions = {}) => new SecretsManagerClient({ ...LOCAL_AWS, endpoint: endpoints.secretsManager, ...clientOptions }),
      lambdaClient: () => new LambdaClient({ ...LOCAL_AWS, endpoint: endpoints.lambda }),
      close: async () => {
        await secretsManager?.close();
        await lambda.close();
      },
    };
    return stack;
  } catch (error) {
    await secretsManager?.close();
    await lambda.close();
    throw error;
  }
}
