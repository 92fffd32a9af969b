import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { InvokeCheck, StepInvoker } from './rotation-outcome';

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
 * A {@link StepInvoker} and an {@link InvokeCheck} over one LambdaClient, made once per endpoint.
 *
 * Each step is a `RequestResponse` invocation so the next step starts only after this one returned, as Secrets
 * Manager invokes rotation functions synchronously. `maxAttempts: 1`: a step is invoked exactly once, so tests can
 * count invocations; re-running a failed rotation is the driver's business (Secrets Manager's retries).
 *
 * `canInvoke` is a `DryRun` invocation: "Validate parameter values and verify that the user or role has permission
 * to invoke the function" (Invoke API reference, InvocationType). RotateSecret asks it before changing anything.
 *
 * @example
 * const invoke = createLambdaInvoker({ endpoint: lambda.endpoint, region: 'us-east-1' });
 */
export function createLambdaInvoker(options: LambdaInvokerOptions): { invoke: StepInvoker; canInvoke: InvokeCheck; destroy(): void } {
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
    canInvoke: async (functionArn) => {
      try {
        await client.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'DryRun' }));
        return true;
      } catch {
        // No such function, or no Lambda endpoint answering: either way Secrets Manager could not invoke it.
        return false;
      }
    },
    destroy: () => client.destroy(),
  };
}
