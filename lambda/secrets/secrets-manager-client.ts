import { randomUUID } from 'node:crypto';
import { SecretsManagerError } from '../errors';
import type { AwsCredentials } from './aws-signature';
import { signatureHeaders } from './aws-signature';
import type { HttpAnswer, Transport } from './https-transport';
import { httpsTransport, NoAnswerError } from './https-transport';
import type { FailedAttempt } from './retry-policy';
import { DEFAULT_MAX_ATTEMPTS, isRetryable, retryDelayMs } from './retry-policy';
import { secretsManagerEndpoint } from './secrets-manager-endpoint';
import type { SecretsManagerOperation, SecretsManagerOperations } from './secrets-manager-operations';
import { IDEMPOTENT_WRITES, TIMESTAMP_MEMBERS } from './secrets-manager-operations';

/**
 * The function's Secrets Manager client: the AWS JSON 1.1 protocol over HTTPS, signed with Signature Version 4.
 *
 * Why not the SDK's client: the function calls eleven operations with credentials that are always the execution
 * role's, in the environment, and one endpoint. The SDK's client was half of the rotation bundle, and a cold
 * container spent tens of milliseconds compiling and running its middleware before the first call left the process
 * (the first step is 30 to 50 ms shorter without it: README, "Cold start"). What the
 * SDK did for these calls is here, each part held to the SDK by a test: the signature (aws-signature.ts), the
 * endpoint (secrets-manager-endpoint.ts), the standard retry mode (retry-policy.ts), idempotency tokens and
 * timestamps (secrets-manager-operations.ts).
 */
export interface SecretsManager {
  /**
   * Calls one operation, retrying as the SDKs' standard mode does.
   *
   * @throws {SecretsManagerError} naming the operation and AWS's error code (or the socket's, when no answer came);
   *   `httpStatus` is set when Secrets Manager answered. Never a value: AWS's messages name secrets and versions.
   */
  call<Op extends SecretsManagerOperation>(operation: Op, input: SecretsManagerOperations[Op]['input']): Promise<SecretsManagerOperations[Op]['output']>;
}

export interface SecretsManagerClientOptions {
  readonly endpoint: string;
  /** The signing region: the endpoint's. */
  readonly region: string;
  /** @default the execution role's, read from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN at each call */
  readonly credentials?: AwsCredentials;
  /** Attempts per call, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** How an attempt reaches the endpoint. @default HTTP/1.1 over Node's tls with keep-alive ({@link httpsTransport}) */
  readonly transport?: Transport;
  /** Certificates the default transport trusts instead of Node's (the local endpoints' test CA). */
  readonly ca?: string;
}

const JSON_11 = 'application/x-amz-json-1.1';
const SIGNING_NAME = 'secretsmanager';
/** Per attempt: Secrets Manager answers in tens of milliseconds; a stalled socket is retried long before Lambda's timeout. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * @example
 * const secretsManager = secretsManagerClient({ endpoint: 'https://secretsmanager.eu-west-1.amazonaws.com', region: 'eu-west-1' });
 * const { ARN } = await secretsManager.call('DescribeSecret', { SecretId: 'prod/orders/app' });
 */
export function secretsManagerClient(options: SecretsManagerClientOptions): SecretsManager {
  const url = new URL(options.endpoint);
  const transport = options.transport ?? httpsTransport({ timeoutMs: ATTEMPT_TIMEOUT_MS, ...(options.ca === undefined ? {} : { ca: options.ca }) });
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);

  return {
    async call(operation, input) {
      const body = JSON.stringify(withIdempotencyToken(operation, input));
      // The SDKs' headers naming the call and the attempt: AWS support and the request logs can tell retries apart.
      const invocationId = randomUUID();
      for (let attempt = 1; ; attempt++) {
        const outcome = await attemptCall(operation, body, { 'amz-sdk-invocation-id': invocationId, 'amz-sdk-request': `attempt=${attempt}; max=${maxAttempts}` });
        if ('output' in outcome) return outcome.output as never;
        if (attempt >= maxAttempts || !isRetryable(outcome.failed)) throw outcome.error;
        await sleep(retryDelayMs(attempt, Math.random()));
      }
    },
  };

  async function attemptCall(
    operation: string,
    body: string,
    attemptHeaders: Readonly<Record<string, string>>,
  ): Promise<{ output: unknown } | { failed: FailedAttempt; error: SecretsManagerError }> {
    const headers = { 'content-type': JSON_11, 'x-amz-target': `secretsmanager.${operation}`, ...attemptHeaders };
    const signed = signatureHeaders(
      { host: url.host, headers, body },
      { region: options.region, service: SIGNING_NAME, credentials: options.credentials ?? environmentCredentials(), now: new Date() },
    );
    let answer: HttpAnswer;
    try {
      answer = await transport({ url, headers: { ...headers, ...signed, host: url.host }, body });
    } catch (error) {
      const reason = error instanceof NoAnswerError ? error.reason : error instanceof Error ? error.name : 'UnknownError';
      const message = error instanceof Error ? error.message : 'no answer';
      return { failed: { answered: false, awsErrorName: reason }, error: new SecretsManagerError(operation, reason, message.slice(0, 300)) };
    }
    if (answer.status >= 200 && answer.status < 300) return { output: parseOutput(operation, answer) };
    const { awsErrorName, message } = parseError(answer);
    return {
      failed: { answered: true, status: answer.status, awsErrorName },
      error: new SecretsManagerError(operation, awsErrorName, message.slice(0, 300), answer.status),
    };
  }
}

/** What a host other than Lambda (the local stack, tests, the demo) may set; in Lambda all comes from the environment. */
export type SecretsManagerOverrides = Partial<SecretsManagerClientOptions>;

/**
 * The container's client, configured as Lambda configures a function: the region from AWS_REGION, the endpoint as
 * {@link secretsManagerEndpoint} resolves it, the execution role's credentials. Made at the first call, so a
 * missing region fails that call, as it did the SDK's, and not a runtime that never calls.
 *
 * @param configured the deployment's SECRETS_MANAGER_ENDPOINT
 */
export function environmentSecretsManager(
  env: Readonly<Record<string, string | undefined>>,
  configured: string | undefined,
  overrides: SecretsManagerOverrides = {},
): SecretsManager {
  let client: SecretsManager | undefined;
  const made = (): SecretsManager => {
    const region = overrides.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    const endpoint = overrides.endpoint ?? secretsManagerEndpoint(env, configured, region);
    // An endpoint set without a region (a local one, which does not check the signing region): sign for us-east-1.
    return secretsManagerClient({ ...overrides, endpoint, region: region ?? 'us-east-1' });
  };
  return {
    async call(operation, input) {
      client ??= made();
      return client.call(operation, input);
    },
  };
}

/** Whether an error is Secrets Manager's answer with this code (`ResourceNotFoundException`…). */
export function isServiceError(error: unknown, awsErrorName: string): boolean {
  return error instanceof SecretsManagerError && error.awsErrorName === awsErrorName;
}

function withIdempotencyToken(operation: string, input: object): object {
  if (!IDEMPOTENT_WRITES.has(operation) || (input as { ClientRequestToken?: string }).ClientRequestToken !== undefined) return input;
  return { ...input, ClientRequestToken: randomUUID() };
}

function environmentCredentials(): AwsCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) {
    throw new SecretsManagerError('Credentials', 'CredentialsProviderError', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the execution role)');
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function parseOutput(operation: string, answer: HttpAnswer): unknown {
  if (answer.body.trim() === '') return {};
  try {
    return JSON.parse(answer.body, (key, value: unknown) => (TIMESTAMP_MEMBERS.has(key) && typeof value === 'number' ? new Date(value * 1000) : value));
  } catch {
    // The body may hold a secret's value: say only that it did not parse.
    throw new SecretsManagerError(operation, 'SerializationException', `answered ${answer.status} with a body that is not JSON`);
  }
}

/**
 * AWS's error code and message. The JSON protocol puts the code in `__type` (or the `x-amzn-errortype` header),
 * possibly prefixed with a namespace (`…#`) or suffixed with a URI (`:http…`); the SDKs strip both.
 */
export function parseError(answer: HttpAnswer): { awsErrorName: string; message: string } {
  let body: { __type?: unknown; code?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (typeof parsed === 'object' && parsed !== null) body = parsed;
  } catch {
    // An error answer from something in between (a proxy, a load balancer): named by its status below.
  }
  const header = answer.headers['x-amzn-errortype'];
  const raw = [header, body.__type, body.code].find((candidate): candidate is string => typeof candidate === 'string' && candidate !== '');
  const awsErrorName = raw === undefined ? `Http${answer.status}` : (raw.split(':')[0] ?? raw).split('#').pop() ?? raw;
  const message = [body.message, body.Message].find((candidate): candidate is string => typeof candidate === 'string') ?? `HTTP ${answer.status}`;
  return { awsErrorName, message };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
