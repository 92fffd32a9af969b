import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { StepInvoker } from './rotation-driver';

/**
 * The driver's only way out: Lambda's Invoke API through the real `@aws-sdk/client-lambda`, so the local endpoint
 * reaches a rotation function exactly as Secrets Manager reaches one in AWS (ecosystem.md §5.5).
 */

/** Where the Lambda endpoint is and how to sign for it. */
export interface LambdaInvokerOptions {
  readonly endpoint: string;
  readonly region: string;
}

/**
 * A {@link StepInvoker} over one LambdaClient, made once per endpoint.
 *
 * Each step is a `RequestResponse` invocation so the next step starts only after this one returned, as Secrets
 * Manager invokes rotation functions synchronously. `maxAttempts: 1`: a step is invoked exactly once, so tests can
 * count invocations; re-running a failed rotation is an explicit `rotations.reattempt`.
 *
 * @example
 * const invoke = createLambdaInvoker({ endpoint: lambda.endpoint, region: 'us-east-1' });
 */
export function createLambdaInvoker(options: LambdaInvokerOptions): { invoke: StepInvoker; destroy(): void } {
  const client = new LambdaClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    invoke: async (functionArn, event) => {
      const answer = await client.send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );
      return { functionError: answer.FunctionError, payload: answer.Payload };
    },
    destroy: () => client.destroy(),
  };
}
