import { SecretsManagerError } from '../../lambda/errors';

/**
 * An AWS SDK failure as a {@link SecretsManagerError} naming the operation and AWS's error name, as the function's
 * own client reports one. AWS's messages name secrets and versions, never values; still, they are cut short.
 */
export function toSecretsManagerError(operation: string, error: unknown): SecretsManagerError {
  if (error instanceof SecretsManagerError) return error;
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message.slice(0, 300) : 'failed';
  return new SecretsManagerError(operation, name, message);
}

/** Whether an AWS SDK error is the named exception; the SDK sets `name` to AWS's error code. */
export function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
