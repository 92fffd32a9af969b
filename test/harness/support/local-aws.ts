/**
 * The local AWS endpoints as the harness suites use them: one local Secrets Manager per test file (optionally with a
 * local Lambda that RotateSecret invokes), SDK clients for it, unique secret names, and the error a call rejects with.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll } from 'vitest';
import { signatureHeaders } from '../../../lambda/secrets/aws-signature';
import { startLocalLambda } from '../../../local/lambda/server';
import type { LocalLambda } from '../../../local/lambda/server';
import { startLocalSecretsManager } from '../../../local/secrets-manager/server';
import type { LocalSecretsManager, LocalSecretsManagerOptions } from '../../../local/secrets-manager/server';

/**
 * Credentials for clients of the local endpoints: the local Secrets Manager checks the signature made with them
 * (local/secrets-manager/signature-check.ts); the local Lambda does not.
 *
 * @example
 * new LambdaClient({ endpoint: lambda.endpoint, region: lambda.region, credentials: TEST_CREDENTIALS });
 */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * The headers of a raw Secrets Manager request, signed with {@link TEST_CREDENTIALS} as the endpoint checks them, for
 * tests that write bytes on the wire themselves.
 *
 * @example
 * await fetch(sm.endpoint, { method: 'POST', headers: signedRawHeaders(sm, 'secretsmanager.DescribeSecret', body), body });
 */
export function signedRawHeaders(sm: { endpoint: string; region: string }, target: string | undefined, body: string, now = new Date()): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', ...(target === undefined ? {} : { 'x-amz-target': target }) };
  const host = new URL(sm.endpoint).host;
  return { ...headers, ...signatureHeaders({ host, headers, body }, { region: sm.region, service: 'secretsmanager', credentials: TEST_CREDENTIALS, now }) };
}

/** What an AWS SDK call rejects with: an Error, carrying the SDK's response metadata when an answer came back. */
export type SdkRejection = Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };

/**
 * The error `promise` rejects with. Throws (failing the test) if it resolves, or rejects with something not an Error.
 *
 * @example
 * const error = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: 'missing' })));
 * expect(error).toBeInstanceOf(ResourceNotFoundException);
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<SdkRejection> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('rejected with a non-Error', { cause: error });
  }
  throw new Error('expected the call to fail');
}

/**
 * A source of secret names unique within one test file (each file runs its own endpoint): `<prefix>/secret-<n>`, with
 * one counter for every prefix.
 *
 * @example
 * const uniqueName = secretNames('versions');
 * uniqueName(); // 'versions/secret-1'
 * uniqueName('list-1a2b'); // 'list-1a2b/secret-2'
 */
export function secretNames(defaultPrefix: string): (prefix?: string) => string {
  let count = 0;
  return (prefix = defaultPrefix) => {
    count += 1;
    return `${prefix}/secret-${count}`;
  };
}

/** Options of {@link useLocalSecretsManager}: those of `startLocalSecretsManager`, but for the Lambda endpoint. */
export interface LocalSecretsManagerFixtureOptions extends Omit<LocalSecretsManagerOptions, 'lambdaEndpoint'> {
  /**
   * Start a local Lambda endpoint first and point the Secrets Manager's RotateSecret at it.
   *
   * @default false
   */
  readonly withLambda?: boolean;
}

/** A test file's local Secrets Manager, readable once `beforeAll` has started it. */
export interface LocalSecretsManagerFixture {
  /** The endpoint itself: fault injection, call counters, rotations. */
  readonly sm: LocalSecretsManager;
  /** A client with {@link TEST_CREDENTIALS} that tries each call once, so an error or fault reaches the test as is. */
  readonly client: SecretsManagerClient;
  /** The local Lambda endpoint RotateSecret invokes; only with `withLambda`. */
  readonly lambda: LocalLambda;
  /** Another client of the endpoint, `config` over the endpoint, region and credentials; destroyed in `afterAll`. */
  clientWith(config: SecretsManagerClientConfig): SecretsManagerClient;
}

function notStarted(what: string): never {
  throw new Error(`${what} is started in beforeAll: use it inside a test or a hook`);
}

/**
 * Registers a `beforeAll` that starts a local Secrets Manager (after a local Lambda, with `withLambda`) and an
 * `afterAll` that destroys its clients and closes the endpoints, and returns accessors for them.
 *
 * @example
 * const local = useLocalSecretsManager({ clock: () => now });
 *
 * it('...', async () => {
 *   await local.client.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'v1' }));
 *   expect(local.sm.calls('CreateSecret')).toBe(1);
 * });
 */
export function useLocalSecretsManager(options: LocalSecretsManagerFixtureOptions = {}): LocalSecretsManagerFixture {
  const { withLambda = false, ...smOptions } = options;
  let lambda: LocalLambda | undefined;
  let sm: LocalSecretsManager | undefined;
  let client: SecretsManagerClient | undefined;
  const clients: SecretsManagerClient[] = [];

  function clientWith(config: SecretsManagerClientConfig): SecretsManagerClient {
    const endpoint = sm ?? notStarted('The local Secrets Manager');
    const made = new SecretsManagerClient({
      endpoint: endpoint.endpoint,
      region: endpoint.region,
      credentials: TEST_CREDENTIALS,
      ...config,
    });
    clients.push(made);
    return made;
  }

  beforeAll(async () => {
    if (withLambda) lambda = await startLocalLambda();
    sm = await startLocalSecretsManager(lambda ? { ...smOptions, lambdaEndpoint: lambda.endpoint } : smOptions);
    client = clientWith({ maxAttempts: 1 });
  });

  afterAll(async () => {
    for (const each of clients) each.destroy();
    await sm?.close();
    await lambda?.close();
  });

  return {
    get sm() {
      return sm ?? notStarted('The local Secrets Manager');
    },
    get client() {
      return client ?? notStarted('The Secrets Manager client');
    },
    get lambda() {
      if (!withLambda) throw new Error('no local Lambda: pass { withLambda: true } to useLocalSecretsManager');
      return lambda ?? notStarted('The local Lambda');
    },
    clientWith,
  };
}
