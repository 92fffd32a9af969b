import { createTestCertificates } from './certificates.js';
import { startClusters } from './cluster.js';
import { startPostgresContainer } from './container-server.js';
import type { HarnessEnvironment } from './environment.js';
import { describeExternalServer, readCaFile } from './external-server.js';
import type { TestServers } from './server-facts.js';
import { VARIANTS, type PostgresVariant } from './variants.js';

/** The servers of one test run, a line saying what they are, and how to get rid of them. */
export interface StartedTestServers {
  readonly servers: TestServers;
  /** For the terminal: source, version, ports and startup time. Never a password. */
  readonly summary: string;
  stop(): Promise<void>;
}

/**
 * Starts (or finds) the PostgreSQL servers for a test run, by the harness environment:
 * PG_TEST_URL wins; then PG_TEST_CONTAINERS=1 if a container runtime answers; else local clusters of
 * PG_MAJOR, one per variant. A single external server can only be the `tls` variant; the other variants
 * are reported unavailable with the reason, so tests that need them skip visibly instead of failing.
 *
 * @example
 * const started = await startTestServers(readHarnessEnvironment());
 * try { run(started.servers); } finally { await started.stop(); }
 */
export async function startTestServers(env: HarnessEnvironment): Promise<StartedTestServers> {
  const startedAt = performance.now();
  if (env.PG_TEST_URL !== undefined) {
    const caPem = await readCaFile(env.PG_TEST_CA_FILE);
    const [server, pki] = await Promise.all([
      describeExternalServer({ url: env.PG_TEST_URL, caPem }),
      createTestCertificates(),
    ]);
    const reason = 'PG_TEST_URL names one existing server, whose TLS and pg_hba.conf the harness cannot vary';
    return {
      servers: {
        source: 'external',
        servers: { tls: server },
        unavailable: othersThan('tls', reason),
        otherCaPem: pki.otherCaPem,
      },
      summary:
        `PostgreSQL ${server.version} from PG_TEST_URL at ${server.host}:${server.port}, ` +
        (caPem ? 'TLS verified with PG_TEST_CA_FILE' : 'without TLS (set PG_TEST_CA_FILE to test it)'),
      stop: async () => undefined,
    };
  }

  if (env.PG_TEST_CONTAINERS) {
    const [container, pki] = await Promise.all([startPostgresContainer(env.PG_MAJOR), createTestCertificates()]);
    if (container) {
      const reason = 'the PostgreSQL container runs one configuration (no TLS, default pg_hba.conf)';
      return {
        servers: {
          source: 'container',
          servers: { tls: container.server },
          unavailable: othersThan('tls', reason),
          otherCaPem: pki.otherCaPem,
        },
        summary:
          `PostgreSQL ${container.server.version} in a container at ` +
          `${container.server.host}:${container.server.port}, without TLS`,
        stop: container.stop,
      };
    }
    console.error('[postgres] PG_TEST_CONTAINERS=1 but no container runtime answered; starting local clusters');
  }

  const clusters = await startClusters({ major: env.PG_MAJOR, scratchRoot: env.PG_TEST_TMPDIR });
  const servers = Object.values(clusters.servers);
  const { dataDirectoriesMs, serversMs } = clusters.timings;
  return {
    servers: {
      source: 'embedded',
      servers: clusters.servers,
      unavailable: {},
      otherCaPem: clusters.certificates.otherCaPem,
    },
    summary:
      `PostgreSQL ${servers[0]?.version ?? env.PG_MAJOR}: ` +
      servers.map((server) => `${server.variant} :${server.port}`).join(', ') +
      ` ready in ${seconds(performance.now() - startedAt)}` +
      ` (data directories ${seconds(dataDirectoriesMs)}, servers ${seconds(serversMs)})`,
    stop: clusters.stop,
  };
}

function othersThan(served: PostgresVariant, reason: string): Partial<Record<PostgresVariant, string>> {
  return Object.fromEntries(VARIANTS.filter((variant) => variant !== served).map((variant) => [variant, reason]));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
