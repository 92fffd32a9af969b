/**
 * A rotation function for tests that must act inside a rotation: it runs pg-rotator itself, step by step, through
 * the Lambda Invoke API, and awaits `beforeStep` before each step. Holding `finishSecret` holds the rotation in the
 * window where the database already has AWSPENDING's password and AWSCURRENT has not moved yet.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { LocalStack } from '../../local/stack';
import { uniqueName } from './postgres';

export function registerGatedRotator(
  stack: Pick<LocalStack, 'lambda' | 'lambdaClient' | 'rotatorArn'>,
  beforeStep: (step: string) => Promise<void>,
): string {
  const lambda = stack.lambdaClient();
  const name = `gated-${uniqueName('rotator').replaceAll('_', '-')}`.slice(0, 64);
  return stack.lambda.register(name, {
    kind: 'in-process',
    timeoutMs: 30_000,
    handler: async (event) => {
      await beforeStep((event as { Step: string }).Step);
      const out = await lambda.send(new InvokeCommand({ FunctionName: stack.rotatorArn, Payload: JSON.stringify(event) }));
      if (out.FunctionError === undefined) return null;
      // pg-rotator's own error, passed on as Lambda reports it, so the rotation fails where it failed.
      const body = JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { errorType?: string; errorMessage?: string };
      const error = new Error(body.errorMessage ?? 'the rotation function failed');
      error.name = body.errorType ?? 'Error';
      throw error;
    },
  });
}
