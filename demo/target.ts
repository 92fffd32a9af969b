import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import { superuserClientConfig } from '../local/postgres/client-config';
import { startCluster } from '../local/postgres/cluster';

/** Where the demo's roles live, and how the function and the demo reach it. */
export interface Target {
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** A login that may create roles and grant them (the embedded cluster's superuser, or the URL's user). */
  readonly admin: ClientConfig;
  readonly caPem: string | undefined;
  readonly sslmode: string;
  /** Whether the demo's roles must be dropped afterwards (an existing server) or simply go away (a throwaway one). */
  readonly keepsRoles: boolean;
  stop(): Promise<void>;
}

/** A throwaway PostgreSQL from npm's embedded binaries, with TLS signed by a test CA and scram-sha-256 logins. */
export async function embeddedDatabase(): Promise<Target> {
  const cluster = await startCluster({ variant: 'tls' });
  const { server } = cluster;
  return {
    label: `PostgreSQL ${server.version} (embedded, throwaway, TLS with a test CA, scram-sha-256)`,
    host: server.host,
    port: server.port,
    database: 'postgres',
    admin: superuserClientConfig(server),
    caPem: server.caPem,
    sslmode: 'verify-full',
    keepsRoles: false,
    stop: () => cluster.stop(),
  };
}

/**
 * The server a `--database-url postgres://user:password@host:port/db?sslmode=…&sslrootcert=FILE` names. The
 * libpq parameters `sslmode` (default verify-full) and `sslrootcert` are honoured as libpq would.
 */
export function existingDatabase(url: string): Target {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get('sslmode') ?? 'verify-full';
  const rootCert = parsed.searchParams.get('sslrootcert');
  const caPem = rootCert ? readFileSync(rootCert, 'utf8') : undefined;
  const host = parsed.hostname;
  const port = Number(parsed.port || 5432);
  const database = decodeURIComponent(parsed.pathname.slice(1)) || 'postgres';
  const ssl =
    sslmode === 'disable'
      ? false
      : {
          rejectUnauthorized: sslmode.startsWith('verify'),
          ...(caPem ? { ca: caPem } : {}),
          // libpq's verify-ca checks the chain, not the host name.
          ...(sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
        };
  return {
    label: `existing PostgreSQL at ${host}:${port}/${database} (sslmode ${sslmode})`,
    host,
    port,
    database,
    admin: { host, port, database, user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password), ssl },
    caPem,
    sslmode,
    keepsRoles: true,
    stop: async () => undefined,
  };
}
