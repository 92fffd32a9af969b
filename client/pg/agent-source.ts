import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, SecretsManagerError } from '../../lambda/errors';
import type { SecretSource } from './secret-source';

/** What {@link agentSource} needs. */
export interface AgentSourceOptions {
  readonly secretId: string;
  /**
   * Where the Agent (or the Parameters and Secrets Lambda extension) listens.
   * @default `http://localhost:<PARAMETERS_SECRETS_EXTENSION_HTTP_PORT or 2773>`
   */
  readonly endpoint?: string;
  /**
   * The SSRF token sent in `X-Aws-Parameters-Secrets-Token`.
   * @default the first of AWS_TOKEN (a value, or `file://` and a path), AWS_SESSION_TOKEN (what Lambda sets, and what
   * the Lambda extension expects), AWS_CONTAINER_AUTHORIZATION_TOKEN: the Agent's own order
   */
  readonly token?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** Where the token variables are read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The Agent's default token variables, in its order (aws-secretsmanager-agent README, `ssrf_env_variables`). */
const TOKEN_VARIABLES = ['AWS_TOKEN', 'AWS_SESSION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'] as const;

/**
 * Reads the secret through the Secrets Manager Agent or the AWS Parameters and Secrets Lambda extension: an HTTP
 * GET on localhost (`/secretsmanager/get?secretId=…&versionStage=…`) answered from their cache, in GetSecretValue's
 * format. A fresh read adds `refreshNow=true`, which the Agent honours by asking Secrets Manager; the Lambda
 * extension documents no such parameter and answers from its cache for up to its TTL (SECRETS_MANAGER_TTL, 300 s
 * at most), so keep that TTL short for rotated database secrets, or read through the SDK.
 *
 * @example
 * const source = agentSource({ secretId: 'prod/app-db' }); // token from AWS_TOKEN or AWS_SESSION_TOKEN
 */
export function agentSource(options: AgentSourceOptions): SecretSource {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? `http://localhost:${env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773'}`;
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async read(stage, { fresh }) {
      const url = new URL('/secretsmanager/get', endpoint);
      url.searchParams.set('secretId', options.secretId);
      url.searchParams.set('versionStage', stage);
      if (fresh) url.searchParams.set('refreshNow', 'true');
      let response: Response;
      try {
        response = await fetch(url, { headers: { 'X-Aws-Parameters-Secrets-Token': agentToken(options.token, env) }, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (error instanceof InvalidInputError) throw error;
        const name = error instanceof Error && error.name === 'TimeoutError' ? 'AgentTimeout' : 'AgentUnreachable';
        throw new SecretsManagerError('GetSecretValue', name, `no answer from the Secrets Manager Agent at ${endpoint}`);
      }
      const body = await response.text();
      if (response.ok) return versionFrom(body, options.secretId);
      // The Agent passes Secrets Manager's errors on with AWS's status and {__type, message} (its cache_manager.rs).
      const awsError = awsErrorName(body);
      if (stage === 'AWSPENDING' && awsError === 'ResourceNotFoundException') return undefined;
      throw new SecretsManagerError('GetSecretValue', awsError ?? `HTTP ${response.status}`, `the Secrets Manager Agent at ${endpoint} answered HTTP ${response.status} for secret ${options.secretId}`);
    },
  };
}

/** The SSRF token: given, or from the Agent's variables; `file://` names a file holding it (as the Agent reads it). */
export function agentToken(given: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (given !== undefined) return given;
  for (const name of TOKEN_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!value.startsWith('file://')) return value;
    try {
      return readFileSync(fileURLToPath(value), 'utf8').trim();
    } catch {
      throw new InvalidInputError(`environment.${name}`, 'names a token file that cannot be read');
    }
  }
  throw new InvalidInputError('agent.token', `is required: set it, or one of ${TOKEN_VARIABLES.join(', ')}`);
}

function versionFrom(body: string, secretId: string): { versionId: string; secretString: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SecretsManagerError('GetSecretValue', 'InvalidAgentResponse', `the Secrets Manager Agent answered something other than JSON for secret ${secretId}`);
  }
  const out = parsed as { VersionId?: unknown; SecretString?: unknown };
  if (typeof out.SecretString !== 'string') {
    throw new SecretsManagerError('GetSecretValue', 'NoSecretString', `secret ${secretId} holds no SecretString`);
  }
  return { versionId: typeof out.VersionId === 'string' ? out.VersionId : '', secretString: out.SecretString };
}

function awsErrorName(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { __type?: unknown };
    return typeof parsed.__type === 'string' && /^[A-Za-z]{1,100}$/.test(parsed.__type) ? parsed.__type : undefined;
  } catch {
    return undefined;
  }
}
