/**
 * Lanes: independent copies of the local AWS stack (Lambda and Secrets Manager endpoints, each on its own loopback
 * ports) that fault scenarios borrow one at a time, so scenarios run side by side while everything within one stays
 * sequential. A lane is local/stack.ts's stack with two differences: the function reaches Secrets Manager through a
 * fault relay (sm-relay.ts), as it would reach AWS through a network that can fail; and Secrets Manager's retries of
 * a failed rotation follow each other 1 ms apart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { handleOrchestratorEvent } from '../../../lambda/handlers/orchestrator';
import { handleRotationEvent } from '../../../lambda/handlers/rotation';
import type { Runtime } from '../../../lambda/runtime';
import { createRuntime } from '../../../lambda/runtime';
import { NO_MEMORY } from '../../../lambda/secrets/version-memory';
import type { LocalDeclarations } from '../../../local/declarations';
import { localDeclarations } from '../../../local/declarations';
import type { LocalLambda } from '../../../local/lambda/server';
import { startLocalLambda } from '../../../local/lambda/server';
import type { RotationOutcome } from '../../../local/secrets-manager/rotation-outcome';
import type { LocalSecretsManager } from '../../../local/secrets-manager/server';
import { startLocalSecretsManager } from '../../../local/secrets-manager/server';
import { superuserClientConfig } from '../../../local/postgres/client-config';
import { LOCAL_AWS } from '../../../local/stack';
import type { ServerFacts } from '../../support/postgres';
import { postgresServer } from '../../support/postgres';
import type { AppSecret } from '../../support/rotation-stack';
import type { SmRelay } from './sm-relay';
import type { ScenarioDatabase } from './strategy-secrets';
import { createDatabase } from './strategy-secrets';
import { startSmRelay } from './sm-relay';
import { PERMISSIVE_POLICY_ENV } from '../../support/permissive-policy';

/**
 * Secrets Manager's retries on a lane: as many as the endpoint makes by default (local/secrets-manager/
 * rotation-retries.ts; AWS publishes no count), with no real pause between them, since a pause only adds wall time.
 */
export const LANE_ROTATION_RETRIES = { maxRetries: 3, delayMs: 1 } as const;

export interface Lane {
  readonly lambda: LocalLambda;
  readonly secretsManager: LocalSecretsManager;
  readonly relay: SmRelay;
  /**
   * The function's runtime: reaches Secrets Manager through the relay, and remembers no secret version between
   * steps, as a step landing in a cold container: every read a step can make is then made, profiled, and a point
   * to inject Secrets Manager faults at.
   */
  readonly runtime: Runtime;
  /**
   * The same function reaching Secrets Manager directly, for scenarios with no Secrets Manager fault (one hop
   * less), in a warm container: its steps start from the versions the previous step left in memory.
   */
  readonly directRuntime: Runtime;
  /** A database of the lane's, for tests that need none of their own (each fault scenario creates its own). */
  readonly database: ScenarioDatabase;
  /** pg-rotator's rotation function as deployed: what RotateSecret invokes unless a scenario registers its own. */
  readonly rotatorArn: string;
  /** pg-rotator's orchestrator function: orchestrator requests and ESC events. */
  readonly orchestratorArn: string;
  /** The orchestrator function's runtime (its own container), reaching Secrets Manager directly. */
  readonly orchestratorRuntime: Runtime;
  /** Every line the function logged on this lane. */
  readonly functionLog: readonly string[];
  /** What the lane's deployment declares; createSecret declares what each secret's value asks for. */
  readonly declarations: LocalDeclarations;
  /** A Secrets Manager client for the test's own calls (straight to the endpoint, never through the relay). */
  readonly sm: SecretsManagerClient;
  /** One superuser session on the test server's `postgres` database, for arranging and inspecting. */
  readonly superuser: pg.Client;
  createSecret(name: string, value: Record<string, unknown>): Promise<string>;
  value(secretArn: string, stage?: string): Promise<AppSecret>;
  /** RotateSecret with pg-rotator, then the rotation's outcome. */
  rotate(secretArn: string): Promise<RotationOutcome>;
  /** RotateSecret with the given rotation function, then the rotation's outcome. */
  rotateWith(secretArn: string, functionArn: string): Promise<RotationOutcome>;
  /** Invokes pg-rotator's orchestrator function through the Lambda API with any payload; what Lambda answered. */
  invoke(payload: unknown): Promise<{ functionError: string | undefined; body: unknown }>;
  /** Invokes pg-rotator's rotation function through the Lambda API with any payload; what Lambda answered. */
  invokeRotation(payload: unknown): Promise<{ functionError: string | undefined; body: unknown }>;
  /** Invokes another registered function through the Lambda API. */
  invokeFunction(functionArn: string, payload: unknown): Promise<{ functionError: string | undefined; body: unknown }>;
  /** One step invoked through the Lambda API as Secrets Manager does; the function error, if any. */
  invokeStep(functionArn: string, step: string, secretArn: string, token: string): Promise<{ type: string; message: string } | undefined>;
  close(): Promise<void>;
}

export interface LaneOptions {
  /** The server the lane works on. @default the run's `tls` server */
  readonly server?: ServerFacts;
  /** The function's environment beyond PGSSLMODE, PGSSLROOTCERT, the endpoint and the permissive test policy. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts a lane whose function verifies TLS against the test CA, as it would against the RDS CAs in Lambda. */
export async function startLane(options: LaneOptions = {}): Promise<Lane> {
  const server = options.server ?? postgresServer('tls');
  const env = options.env ?? {};
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-safety-')), 'ca.pem');
  writeFileSync(caFile, server.caPem ?? '');
  const lambda = await startLocalLambda({ region: LOCAL_AWS.region });
  const secretsManager = await startLocalSecretsManager({
    region: LOCAL_AWS.region,
    lambdaEndpoint: lambda.endpoint,
    rotationRetries: LANE_ROTATION_RETRIES,
  });
  const relay = await startSmRelay(secretsManager.endpoint);
  const functionLog: string[] = [];
  const declarations = localDeclarations();
  const runtimeVia = (endpoint: string) =>
    createRuntime(
      { PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile, ...PERMISSIVE_POLICY_ENV, ...env, SECRETS_MANAGER_ENDPOINT: endpoint },
      // The SDK's standard retry mode, as in Lambda: three attempts.
      { secretsManager: { ...LOCAL_AWS, maxAttempts: 3 }, declarations, writeLog: (line) => functionLog.push(line) },
    );
  const runtime = { ...runtimeVia(relay.endpoint), memory: NO_MEMORY };
  const directRuntime = runtimeVia(secretsManager.endpoint);
  const orchestratorRuntime = runtimeVia(secretsManager.endpoint);
  const rotatorArn = lambda.register('pg-rotator', { kind: 'in-process', handler: (event) => handleRotationEvent(event, directRuntime), timeoutMs: 30_000 });
  const orchestratorArn = lambda.register('pg-rotator-orchestrator', {
    kind: 'in-process',
    handler: (event, context) => handleOrchestratorEvent(event, orchestratorRuntime, context),
    timeoutMs: 30_000,
  });
  const sm = new SecretsManagerClient({ ...LOCAL_AWS, endpoint: secretsManager.endpoint });
  const lambdaClient = new LambdaClient({ ...LOCAL_AWS, endpoint: lambda.endpoint });
  const superuser = new pg.Client(superuserClientConfig(server));
  superuser.on('error', () => undefined);
  await superuser.connect();
  const createSecret = async (name: string, value: Record<string, unknown>) => {
    const arn = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN as string;
    declarations.declareLike(arn, value);
    return arn;
  };
  const database = await createDatabase({ superuser, createSecret }, server);

  const invokeFunction = async (functionArn: string, payload: unknown) => {
    const out = await lambdaClient.send(new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(payload) }));
    return { functionError: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload ?? []).toString()) as unknown };
  };
  const rotateWith = async (secretArn: string, functionArn: string) => {
    await sm.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 } }));
    return secretsManager.rotations.latest(secretArn);
  };
  return {
    lambda,
    secretsManager,
    relay,
    runtime,
    directRuntime,
    database,
    rotatorArn,
    orchestratorArn,
    orchestratorRuntime,
    functionLog,
    declarations,
    sm,
    superuser,
    createSecret,
    async value(secretArn, stage = 'AWSCURRENT') {
      const out = await sm.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
      return JSON.parse(out.SecretString as string) as AppSecret;
    },
    rotate: (secretArn) => rotateWith(secretArn, rotatorArn),
    invoke: (payload) => invokeFunction(orchestratorArn, payload),
    invokeRotation: (payload) => invokeFunction(rotatorArn, payload),
    invokeFunction,
    rotateWith,
    async invokeStep(functionArn, step, secretArn, token) {
      const out = await lambdaClient.send(
        new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify({ Step: step, SecretId: secretArn, ClientRequestToken: token }) }),
      );
      if (!out.FunctionError) return undefined;
      const body = JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { errorType?: string; errorMessage?: string };
      return { type: body.errorType ?? 'Unknown', message: body.errorMessage ?? '' };
    },
    async close() {
      await secretsManager.close();
      await relay.close();
      await lambda.close();
      sm.destroy();
      lambdaClient.destroy();
      await superuser.end().catch(() => undefined);
    },
  };
}

/** A fixed set of lanes; `use` waits for a free one. */
export class LanePool {
  readonly #free: Lane[];
  readonly #waiting: ((lane: Lane) => void)[] = [];

  private constructor(readonly lanes: readonly Lane[]) {
    this.#free = [...lanes];
  }

  static async start(size: number): Promise<LanePool> {
    return new LanePool(await Promise.all(Array.from({ length: size }, () => startLane())));
  }

  async use<T>(work: (lane: Lane) => Promise<T>): Promise<T> {
    const lane = this.#free.pop() ?? (await new Promise<Lane>((resolve) => this.#waiting.push(resolve)));
    try {
      return await work(lane);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(lane);
      else this.#free.push(lane);
    }
  }

  /** Every log line any lane's function wrote. */
  functionLog(): string[] {
    return this.lanes.flatMap((lane) => lane.functionLog);
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}
