import { SecretsManagerError } from '../errors';

/**
 * Runs one Secrets Manager call and translates its failure into a {@link SecretsManagerError} naming the
 * operation and AWS's error name. AWS's messages name secrets and versions, never values; still, they are cut
 * short.
 */
export async function callSecretsManager<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toSecretsManagerError(operation, error);
  }
}

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
