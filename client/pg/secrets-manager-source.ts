import type { GetSecretValueCommand as GetSecretValueCommandType, SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { InvalidInputError, SecretsManagerError } from '../../lambda/errors';
import { isAwsError, toSecretsManagerError } from './sdk-errors';
import type { SecretSource } from './secret-source';

/** What {@link secretsManagerSource} needs. */
export interface SecretsManagerSourceOptions {
  readonly secretId: string;
  /** A client of yours (shared with the rest of the application); otherwise one is made from `clientConfig`. */
  readonly client?: Pick<SecretsManagerClient, 'send'>;
  readonly clientConfig?: SecretsManagerClientConfig;
}

/**
 * Reads the secret with GetSecretValue through the AWS SDK, as it is. Every read is a call: the pool decides how
 * often to read. The role needs `secretsmanager:GetSecretValue` on the secret (for AWSPENDING too, unless a
 * `secretsmanager:VersionStage` condition keeps it to AWSCURRENT: the pool then does without the pending version).
 *
 * @example
 * const source = secretsManagerSource({ secretId: 'prod/app-db', clientConfig: { region: 'eu-west-1' } });
 */
export function secretsManagerSource(options: SecretsManagerSourceOptions): SecretSource {
  // Loaded on the first read, so an application that reads through the Agent needs no AWS SDK installed.
  let sdk: Promise<{ client: Pick<SecretsManagerClient, 'send'>; GetSecretValueCommand: typeof GetSecretValueCommandType }> | undefined;
  const loadSdk = () =>
    (sdk ??= import('@aws-sdk/client-secrets-manager').then(
      (module) => ({
        client: options.client ?? new module.SecretsManagerClient(options.clientConfig ?? {}),
        GetSecretValueCommand: module.GetSecretValueCommand,
      }),
      () => {
        throw new InvalidInputError('options.source', "is 'secrets-manager', which needs the package @aws-sdk/client-secrets-manager: install it, or read through the Agent");
      },
    ));
  return {
    async read(stage) {
      try {
        const { client, GetSecretValueCommand } = await loadSdk();
        const out = await client.send(new GetSecretValueCommand({ SecretId: options.secretId, VersionStage: stage }));
        if (out.SecretString === undefined) throw new SecretsManagerError('GetSecretValue', 'NoSecretString', `secret ${options.secretId} holds no SecretString`);
        return { versionId: out.VersionId ?? '', secretString: out.SecretString };
      } catch (error) {
        if (error instanceof InvalidInputError) throw error;
        // No version holds the label: for AWSPENDING, no rotation is in flight.
        if (stage === 'AWSPENDING' && isAwsError(error, 'ResourceNotFoundException')) return undefined;
        throw toSecretsManagerError('GetSecretValue', error);
      }
    },
  };
}
