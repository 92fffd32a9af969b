import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { secretIdMatches } from './arn';
import type { SecretLocation } from './arn';
import { checkSignature } from './signature-check';
import { AwsApiError, LocalSecretsManagerConfigError, invalidRequest } from './errors';
import type { FaultAction } from './faults';
import { FaultInjector } from './faults';
import { createLambdaInvoker } from './lambda-invoker';
import { createOperations } from './operations';
import type { ApiResponse } from './protocol';
import { decodeRequest, encodeError, encodeSuccess } from './protocol';
import { RotationDriver } from './rotation-driver';
import type { RotationOutcome } from './rotation-outcome';
import { RotationRetriesSchema } from './rotation-retries';
import { discardTestVersion, recordRotationSuccess } from './rotation-state';
import { AWSPENDING, pendingBlocksRotation, versionWithLabel } from './staging-labels';
import type { SeedSecret } from './seed';
import { seedSecrets } from './seed';
import { SecretStore } from './store';

/**
 * A local AWS Secrets Manager endpoint for tests and the demo: an HTTP server speaking AWS JSON 1.1 to the real
 * `@aws-sdk/client-secrets-manager`, with AWS's documented semantics (staging labels, idempotency, asynchronous
 * RotateSecret that invokes the rotation function through the Lambda Invoke API and retries a failed rotation),
 * fault injection and call counters. What it does not model is refused, never ignored (`not-modelled.ts`).
 * This file is only the transport; the rules live in the modules it wires together.
 */

const OptionsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).default('us-east-1'),
  accountId: z.string().regex(/^\d{12}$/).default('123456789012'),
  lambdaEndpoint: z.url().optional(),
  clock: z.custom<() => Date>((v) => typeof v === 'function').optional(),
  /** Secrets Manager's retries of a failed rotation (`rotation-retries.ts`): how many, and how far apart. */
  rotationRetries: RotationRetriesSchema.prefault({}),
  /**
   * Serve HTTPS with this certificate, as AWS's endpoints do: the benchmark's cold start then pays the TLS a function
   * pays in Lambda, and loads what Node loads there (an HTTP endpoint makes the SDK load Node's `http` module, which
   * it never does in Lambda). Clients must trust the certificate's CA. @default - plain HTTP
   */
  tls: z.object({ certPem: z.string().min(1), keyPem: z.string().min(1) }).optional(),
});

/** Options of {@link startLocalSecretsManager}. */
export type LocalSecretsManagerOptions = z.input<typeof OptionsSchema>;

/** How tests wait for and inspect rotations started by RotateSecret. */
export interface LocalRotations {
  /**
   * Waits until no rotation of the secret (of any secret, without `secretId`) is running, Secrets Manager's retries
   * included, then returns the outcome of every attempt so far, oldest first (a rotation retried twice is three
   * outcomes with one versionId). `secretId` may be a name, full ARN or partial ARN.
   */
  settled(secretId?: string): Promise<RotationOutcome[]>;
  /**
   * The outcome of every attempt that has ended so far, at once, without waiting. A failed attempt is listed as soon
   * as it ends, so a test can act during Secrets Manager's pause before the retry.
   */
  history(secretId?: string): RotationOutcome[];
  /** The outcome of the secret's most recent attempt, once every retry is over. Rejects if it never rotated. */
  latest(secretId: string): Promise<RotationOutcome>;
  /**
   * Runs an incomplete rotation again with the same ClientRequestToken once Secrets Manager's retries gave up, as a
   * later rotation window would; its own retries follow. Not an API: a test's stand-in for time passing. Rejects
   * with InvalidRequestException if AWSPENDING does not sit on a version apart from AWSCURRENT, or a rotation runs.
   */
  reattempt(secretId: string): Promise<RotationOutcome>;
}

/** A running local Secrets Manager. */
export interface LocalSecretsManager {
  /** `http://host:port` (`https://` with `tls`), for the SDK's `endpoint` option or `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly faults: FaultInjector;
  /** Requests received for an operation (including retries and faulted ones) since start or {@link resetCalls}. */
  calls(operation: string): number;
  resetCalls(): void;
  readonly rotations: LocalRotations;
  /** Not an API: loads secrets as their history would have left them, for fleet-size tests (`seed.ts`). */
  seed(secrets: readonly SeedSecret[]): void;
  /** Stops rotations after their current step, waits for them, closes the server. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function perform(actions: readonly FaultAction[]): Promise<void> {
  for (const action of actions) {
    if (action.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, action.ms));
    else throw action.error;
  }
}

/**
 * Starts a local Secrets Manager.
 *
 * @example
 * const sm = await startLocalSecretsManager({ lambdaEndpoint: lambda.endpoint });
 * const client = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region,
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 * // ... RotateSecret, then:
 * const outcome = await sm.rotations.latest('app/db');
 * await sm.close();
 */
export async function startLocalSecretsManager(options: LocalSecretsManagerOptions = {}): Promise<LocalSecretsManager> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LocalSecretsManagerConfigError(`options.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid', {
      cause: parsed.error,
    });
  }
  const config = parsed.data;
  const clock = config.clock ?? (() => new Date());
  const location: SecretLocation = { partition: 'aws', region: config.region, accountId: config.accountId };
  const store = new SecretStore({ location, clock });
  const lambda = config.lambdaEndpoint ? createLambdaInvoker({ endpoint: config.lambdaEndpoint, region: config.region }) : undefined;
  const driver = new RotationDriver({
    invoke: lambda?.invoke,
    clock,
    retries: config.rotationRetries,
    hooks: {
      onSuccess: (arn) => recordRotationSuccess(store.find(arn, { allowDeleted: true }), clock()),
      onTestFinished: (arn, versionId) => discardTestVersion(store.find(arn, { allowDeleted: true }), versionId),
      stagesOf: (arn, versionId) => store.find(arn, { allowDeleted: true }).stages.get(versionId) ?? [],
      retryState: (arn, versionId) => {
        const secret = store.all().find((s) => s.arn === arn);
        return {
          deleted: secret === undefined || secret.deletionDate !== undefined,
          rotationEnabled: secret?.rotation?.enabled ?? false,
          versionStages: secret?.stages.get(versionId) ?? [],
        };
      },
    },
  });
  const operations = createOperations({ store, driver, canInvoke: lambda?.canInvoke });
  const faults = new FaultInjector();
  const counts = new Map<string, number>();

  async function answer(req: IncomingMessage): Promise<ApiResponse> {
    let operation = '(unknown)';
    try {
      const target = req.headers['x-amz-target'];
      const body = await readBody(req);
      checkSignature({ method: req.method, path: req.url, headers: req.headers, body }, config.region);
      const request = decodeRequest(req.method, Array.isArray(target) ? target[0] : target, body);
      operation = request.operation;
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      const run = operations[operation];
      if (!run) throw new AwsApiError('UnknownOperationException', `Unknown operation ${operation}.`);
      const plan = faults.plan(operation);
      await perform(plan.before);
      const output: unknown = await run(request.input);
      await perform(plan.after);
      return encodeSuccess(output);
    } catch (error) {
      if (error instanceof AwsApiError) return encodeError(error);
      // A bug's message could quote a request (a SecretString); print where it happened, not what it said.
      const where = error instanceof Error ? (error.stack?.split('\n')[1]?.trim() ?? '') : '';
      console.error(`[local-secrets-manager] ${operation} failed unexpectedly: ${error instanceof Error ? error.name : typeof error} ${where}`);
      return encodeError(new AwsApiError('InternalServiceError', 'An error occurred on the server side.', { cause: error }));
    }
  }

  const respond = (req: IncomingMessage, res: ServerResponse) => {
    void answer(req).then((response) => {
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    });
  };
  const server = config.tls === undefined ? createServer(respond) : createTlsServer({ cert: config.tls.certPem, key: config.tls.keyPem }, respond);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const matching = (secretId: string | undefined) => (s: { secretArn: string; secretName: string }) =>
    secretId === undefined || secretIdMatches(secretId, { arn: s.secretArn, name: s.secretName }, location);

  const rotations: LocalRotations = {
    settled: (secretId) => driver.settled(matching(secretId)),
    history: (secretId) => driver.history(matching(secretId)),
    latest: async (secretId) => {
      const last = (await driver.settled(matching(secretId))).at(-1);
      if (!last) throw invalidRequest(`No rotation of ${secretId} has run.`);
      return last;
    },
    reattempt: async (secretId) => {
      const secret = store.find(secretId);
      const pending = versionWithLabel(secret.stages, AWSPENDING);
      if (!secret.rotation || pending === undefined || !pendingBlocksRotation(secret.stages) || driver.isRunning(secret.arn)) {
        throw invalidRequest(`Secret ${secret.name} has no incomplete rotation to reattempt.`);
      }
      return driver.start(
        { secretArn: secret.arn, secretName: secret.name, versionId: pending, lambdaArn: secret.rotation.lambdaArn, mode: 'rotate' },
        'reattempt',
      );
    },
  };

  return {
    endpoint: `${config.tls === undefined ? 'http' : 'https'}://${config.host}:${port}`,
    region: config.region,
    accountId: config.accountId,
    faults,
    calls: (op) => counts.get(op) ?? 0,
    resetCalls: () => counts.clear(),
    rotations,
    seed: (secrets) => seedSecrets(store, secrets),
    close: async () => {
      driver.cancelAll();
      await driver.settled();
      lambda?.destroy();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
