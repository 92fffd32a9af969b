import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A stand-in for the AWS Secrets Manager Agent (aws/aws-secretsmanager-agent) on 127.0.0.1, for tests: what an
 * application sees of it, and nothing more. `GET /secretsmanager/get?secretId=…[&versionStage=…|&versionId=…]
 * [&refreshNow=true]` with the SSRF token in `X-Aws-Parameters-Secrets-Token`, answered from a cache whose entries
 * live `ttlMs` (the Agent's 300 s by default) and are never invalidated by a rotation, as the Agent's are not;
 * `refreshNow=true` reads Secrets Manager and refreshes the entry. Errors as the Agent gives them: 403 "Bad Token",
 * 400 "Forwarded" for X-Forwarded-For, 405 for other methods, and Secrets Manager's errors with AWS's status and
 * `{"__type", "message"}`.
 */
export interface LocalSecretsManagerAgent {
  /** `http://127.0.0.1:<port>`, for agentSource's `endpoint`. */
  readonly endpoint: string;
  /** The SSRF token requests must carry. */
  readonly token: string;
  /** Reads it made of Secrets Manager, and answers from its cache. */
  readonly counts: { secretsManagerReads: number; cacheHits: number };
  close(): Promise<void>;
}

export interface LocalSecretsManagerAgentOptions {
  /** The Secrets Manager the Agent reads (region, endpoint, credentials). */
  readonly secretsManager: SecretsManagerClientConfig;
  /** @default 300000, the Agent's `ttl_seconds` default */
  readonly ttlMs?: number;
  readonly token?: string;
}

interface CacheEntry {
  readonly body: string;
  readonly expiresAt: number;
}

export async function startLocalSecretsManagerAgent(options: LocalSecretsManagerAgentOptions): Promise<LocalSecretsManagerAgent> {
  const client = new SecretsManagerClient(options.secretsManager);
  const ttlMs = options.ttlMs ?? 300_000;
  const token = options.token ?? randomBytes(16).toString('hex');
  const cache = new Map<string, CacheEntry>();
  const counts = { secretsManagerReads: 0, cacheHits: 0 };

  async function answer(request: IncomingMessage): Promise<{ status: number; body: string }> {
    if (request.method !== 'GET') return { status: 405, body: 'Not allowed' };
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/ping') return { status: 200, body: 'healthy' };
    if (request.headers['x-forwarded-for'] !== undefined) return { status: 400, body: 'Forwarded' };
    if (request.headers['x-aws-parameters-secrets-token'] !== token) return { status: 403, body: 'Bad Token' };
    if (url.pathname !== '/secretsmanager/get') return { status: 404, body: 'Not found' };
    const secretId = url.searchParams.get('secretId');
    if (!secretId) return { status: 400, body: 'missing parameter secretId' };
    const versionId = url.searchParams.get('versionId') ?? undefined;
    const versionStage = url.searchParams.get('versionStage') ?? undefined;
    const key = JSON.stringify([secretId, versionId, versionStage]);
    const cached = cache.get(key);
    if (cached !== undefined && cached.expiresAt > Date.now() && url.searchParams.get('refreshNow') !== 'true') {
      counts.cacheHits += 1;
      return { status: 200, body: cached.body };
    }
    try {
      counts.secretsManagerReads += 1;
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: versionStage }));
      const body = JSON.stringify({
        ARN: out.ARN,
        Name: out.Name,
        VersionId: out.VersionId,
        SecretString: out.SecretString,
        VersionStages: out.VersionStages,
        CreatedDate: out.CreatedDate === undefined ? undefined : out.CreatedDate.getTime() / 1000,
      });
      cache.set(key, { body, expiresAt: Date.now() + ttlMs });
      return { status: 200, body };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'InternalFailure';
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 500;
      return { status, body: JSON.stringify({ __type: name, message: error instanceof Error ? error.message.slice(0, 200) : '' }) };
    }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      ({ status, body }) => response.writeHead(status, { 'content-type': 'application/json' }).end(body),
      () => response.writeHead(500).end(JSON.stringify({ __type: 'InternalFailure', message: '' })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    token,
    counts,
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
