import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ENV } from '../lambda/config/environment';
import { handleOrchestratorEvent } from '../lambda/handlers/orchestrator';
import { handleRotationEvent } from '../lambda/handlers/rotation';
import type { Runtime } from '../lambda/runtime';
import { createRuntime } from '../lambda/runtime';
import { handleStatusRequest } from '../lambda/status/handle-status-request';
import { createStatusRuntime } from '../lambda/status/status-runtime';
import type { LocalDeclarations } from './declarations';
import { localDeclarations } from './declarations';
import type { LocalLambda } from './lambda/server';
import { startLocalLambda } from './lambda/server';
import type { LocalSecretsManager } from './secrets-manager/server';
import { startLocalSecretsManager } from './secrets-manager/server';

/** Credentials the local endpoints accept (the local Secrets Manager checks the signature made with them); never real ones. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** The function name pg-rotator's rotation entry point is registered under on the local Lambda endpoint. */
export const ROTATOR_FUNCTION = 'pg-rotator';
/** The function name of pg-rotator's orchestrator entry point (orchestrator requests and Pulumi ESC events). */
export const ORCHESTRATOR_FUNCTION = 'pg-rotator-orchestrator';
/** The function name of pg-rotator's status entry point (`status` requests), as the construct names it. */
export const STATUS_FUNCTION = 'pg-rotator-status';
/** The profile the default orchestrator function serves, as the construct names the shorthand's (its PROFILE). */
export const DEFAULT_LOCAL_PROFILE = 'orchestrator';

/**
 * AWS as pg-rotator sees it, on this machine: a local Lambda endpoint running pg-rotator's functions in-process (the
 * rotation function, the orchestrator function and the status function, each with its own runtime, as Lambda
 * containers), and a local Secrets Manager whose RotateSecret invokes the rotation function through the Lambda
 * Invoke API, all spoken to by the real AWS SDK clients over HTTP (Secrets Manager over HTTPS on request). Used by
 * the tests, the demo and the benchmark.
 */
export interface LocalStack {
  readonly lambda: LocalLambda;
  readonly secretsManager: LocalSecretsManager;
  /** The rotation function's ARN: what RotateSecret is given. It answers rotation steps only. */
  readonly rotatorArn: string;
  /** The orchestrator function's ARN: what orchestrators (the client, the CLI) invoke. */
  readonly orchestratorArn: string;
  /**
   * The status function's ARN: what `pg-rotator status` invokes. It lists the secrets whose rotation function is
   * `rotatorArn`, judged by Secrets Manager's clock.
   */
  readonly statusArn: string;
  /** The rotation function's runtime, as its Lambda container would hold it. */
  readonly runtime: Runtime;
  /** The orchestrator function's runtime: another container, with its own memory. */
  readonly orchestratorRuntime: Runtime;
  /**
   * What the deployment declares (rotation bindings, admin secrets), shared by both functions; tests declare the
   * secrets they create, as a deployment's config lists them.
   */
  readonly declarations: LocalDeclarations;
  /** The other orchestrator profiles, by name: each its own function, runtime and admin allow list. */
  readonly profiles: ReadonlyMap<string, LocalProfile>;
  /** Every line any function logged, for assertions that nothing secret was written. */
  readonly functionLog: readonly string[];
  secretsClient(options?: { maxAttempts?: number }): SecretsManagerClient;
  lambdaClient(): LambdaClient;
  close(): Promise<void>;
}

/** An orchestrator profile's function on the local endpoints, as the construct deploys one per profile. */
export interface LocalProfile {
  /** Its ARN (`pg-rotator-<name>`). */
  readonly arn: string;
  readonly runtime: Runtime;
  /** The deployment's bindings (shared) and this profile's own admin secrets. */
  readonly declarations: LocalDeclarations;
}

export interface LocalStackOptions {
  /** The function's environment (PGSSLMODE, PGSSLROOTCERT, PASSWORD_LENGTH, …); the endpoint is added. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * More orchestrator profiles, by name, each with what its environment adds or overrides (its PERMISSION_POLICY,
   * ADMIN_SECRET_ARNS, …). The default orchestrator function is the profile `orchestrator`, as the construct's.
   */
  readonly profiles?: Readonly<Record<string, { readonly env?: Readonly<Record<string, string>> }>>;
  /** Also echo the function's log lines (the demo shows them; tests keep them). */
  readonly onFunctionLog?: (line: string) => void;
  /** Secrets Manager's clock, for tests that let days pass. @default the system clock */
  readonly clock?: () => Date;
  /**
   * Serve Secrets Manager over HTTPS with this certificate (the benchmark does, as AWS's endpoint is); the stack's
   * own clients and in-process functions trust `caPem`. A function in a process of its own must be told to trust it
   * (NODE_EXTRA_CA_CERTS). @default - plain HTTP
   */
  readonly secretsManagerTls?: { readonly certPem: string; readonly keyPem: string; readonly caPem: string };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const lambda = await startLocalLambda({ region: LOCAL_AWS.region });
  let secretsManager: LocalSecretsManager | undefined;
  try {
    const tls = options.secretsManagerTls;
    secretsManager = await startLocalSecretsManager({
      region: LOCAL_AWS.region,
      lambdaEndpoint: lambda.endpoint,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(tls ? { tls: { certPem: tls.certPem, keyPem: tls.keyPem } } : {}),
    });
    // What every Secrets Manager client of the stack is given: the region, the local keys and, over HTTPS, the CA;
    // the SDK's clients (tests' own calls) and the function's client (lambda/secrets/secrets-manager-client.ts) alike.
    const smClientConfig = { ...LOCAL_AWS, ...(tls ? { requestHandler: { httpsAgent: { ca: tls.caPem } } } : {}) };
    const functionSecretsManager = { ...LOCAL_AWS, maxAttempts: 3, ...(tls ? { ca: tls.caPem } : {}) };
    const functionLog: string[] = [];
    const smEndpoint = secretsManager.endpoint;
    const env = options.env ?? {};
    const declarations = localDeclarations({
      tagsBind: ['true', '1', 'y', 'yes'].includes((env.ROTATION_BINDING_TAGS ?? '').toLowerCase()),
      adminSecretArns: (env.ADMIN_SECRET_ARNS ?? '').split(',').filter((arn) => arn !== ''),
    });
    const writeLog = (line: string) => {
      functionLog.push(line);
      options.onFunctionLog?.(line);
    };
    const makeRuntime = (functionEnv: Readonly<Record<string, string>>, functionDeclarations: LocalDeclarations) =>
      createRuntime(
        { ...functionEnv, SECRETS_MANAGER_ENDPOINT: smEndpoint },
        { secretsManager: functionSecretsManager, declarations: functionDeclarations, writeLog },
      );
    const runtime = makeRuntime(env, declarations);
    // As the construct's shorthand (orchestrators + orchestration) deploys it: the profile named orchestrator.
    const orchestratorRuntime = makeRuntime({ [ENV.profile]: DEFAULT_LOCAL_PROFILE, ...env }, declarations);
    const rotatorArn = lambda.register(ROTATOR_FUNCTION, { kind: 'in-process', handler: (event) => handleRotationEvent(event, runtime), timeoutMs: 30_000 });
    const orchestratorArn = lambda.register(ORCHESTRATOR_FUNCTION, {
      kind: 'in-process',
      handler: (event, context) => handleOrchestratorEvent(event, orchestratorRuntime, context),
      timeoutMs: 30_000,
    });
    // As the construct deploys it: ROTATION_FUNCTION_ARN names the rotation function; findings follow the clock.
    const statusRuntime = createStatusRuntime(
      { ...env, [ENV.rotationFunctionArn]: rotatorArn, SECRETS_MANAGER_ENDPOINT: smEndpoint },
      { secretsManager: functionSecretsManager, writeLog, ...(options.clock ? { now: options.clock } : {}) },
    );
    const statusArn = lambda.register(STATUS_FUNCTION, {
      kind: 'in-process',
      handler: (event, context) => handleStatusRequest(event, statusRuntime, context),
      timeoutMs: 120_000,
    });
    const profiles = new Map<string, LocalProfile>();
    for (const [name, profile] of Object.entries(options.profiles ?? {})) {
      const profileEnv: Record<string, string> = { ...env, ...profile.env, [ENV.profile]: name };
      const profileDeclarations = localDeclarations({
        tagsBind: declarations.tagsBind,
        adminSecretArns: (profileEnv.ADMIN_SECRET_ARNS ?? '').split(',').filter((arn) => arn !== ''),
        bindings: declarations.bindings,
      });
      const profileRuntime = makeRuntime(profileEnv, profileDeclarations);
      const arn = lambda.register(`${ROTATOR_FUNCTION}-${name}`, {
        kind: 'in-process',
        handler: (event, context) => handleOrchestratorEvent(event, profileRuntime, context),
        timeoutMs: 30_000,
      });
      profiles.set(name, { arn, runtime: profileRuntime, declarations: profileDeclarations });
    }
    const endpoints = { secretsManager: secretsManager.endpoint, lambda: lambda.endpoint };
    const stack: LocalStack = {
      lambda,
      secretsManager,
      rotatorArn,
      orchestratorArn,
      statusArn,
      runtime,
      orchestratorRuntime,
      declarations,
      profiles,
      functionLog,
      secretsClient: (clientOptions = {}) => new SecretsManagerClient({ ...smClientConfig, endpoint: endpoints.secretsManager, ...clientOptions }),
      lambdaClient: () => new LambdaClient({ ...LOCAL_AWS, endpoint: endpoints.lambda }),
      close: async () => {
        await secretsManager?.close();
        await lambda.close();
      },
    };
    return stack;
  } catch (error) {
    await secretsManager?.close();
    await lambda.close();
    throw error;
  }
}
