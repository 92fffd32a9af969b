import { randomBytes } from 'node:crypto';
import type { PostgresMajor } from './binaries.js';
import { describeExternalServer } from './external-server.js';
import type { ServerFacts } from './server-facts.js';

/** A PostgreSQL container and how to stop it. */
export interface RunningContainer {
  readonly server: ServerFacts;
  stop(): Promise<void>;
}

/** How long the container-runtime probe may take; without Docker it fails in about 200 ms. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Starts `postgres:<major>-alpine` with @testcontainers/postgresql when a container runtime answers within
 * a few seconds, else returns `undefined`. testcontainers is imported only here, so runs without
 * PG_TEST_CONTAINERS=1 never load it. The image's TLS is off and its log is inside the container.
 *
 * @example
 * const container = await startPostgresContainer(16); // undefined without Docker
 */
export async function startPostgresContainer(major: PostgresMajor): Promise<RunningContainer | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  const runtimeAnswers = await Promise.race([
    getContainerRuntimeClient().then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (!runtimeAnswers) return undefined;

  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const password = randomBytes(24).toString('base64url');
  const container = await new PostgreSqlContainer(`postgres:${major}-alpine`)
    .withUsername('postgres')
    .withPassword(password)
    .withDatabase('postgres')
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'password_encryption=scram-sha-256'])
    .start();
  try {
    const url = `postgres://postgres:${password}@${container.getHost()}:${container.getPort()}/postgres`;
    const server = await describeExternalServer({ url, caPem: undefined });
    return { server, stop: async () => void (await container.stop()) };
  } catch (error) {
    await container.stop();
    throw error;
  }
}
