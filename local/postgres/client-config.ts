import type { ConnectionOptions } from 'node:tls';
import type { ClientConfig } from 'pg';
import { HarnessError } from './errors.js';
import type { ServerFacts } from './server-facts.js';
import type { TlsMode } from './variants.js';

/**
 * node-postgres `ssl` options for a libpq-style mode. node-postgres checks the host name whenever
 * `rejectUnauthorized` is on; `verify-ca` therefore replaces `checkServerIdentity` with a no-op, which keeps
 * the chain check and drops only the name check (what libpq's `verify-ca` does).
 *
 * @example
 * new Client({ host: '127.0.0.1', ssl: clientTlsOptions('verify-full', caPem) });
 */
export function clientTlsOptions(mode: TlsMode, caPem: string | undefined): false | ConnectionOptions {
  if (mode === 'disable') return false;
  if (caPem === undefined) {
    throw new HarnessError(
      'VARIANT_UNAVAILABLE',
      `TLS mode ${mode} needs the server's CA certificate, and none is known`,
    );
  }
  if (mode === 'verify-ca') return { ca: caPem, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ca: caPem, rejectUnauthorized: true };
}

/** Who connects, to which database, and how TLS is checked. */
export interface ClientConfigInput {
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** A TLS mode, or raw node-postgres `ssl` options (e.g. trusting another CA). @default the server's `defaultTls` */
  readonly ssl?: TlsMode | ConnectionOptions | undefined;
  /** @default 5_000 */
  readonly connectionTimeoutMillis?: number;
}

/**
 * A node-postgres client configuration for a test server. Passwords travel in the config object only,
 * never in a connection string that could end up in an error message.
 *
 * @example
 * const client = new Client(clientConfig(server, { user: 'app', password, database: 'db1' }));
 */
export function clientConfig(server: ServerFacts, input: ClientConfigInput): ClientConfig {
  const tls = input.ssl ?? server.defaultTls;
  return {
    host: server.host,
    port: server.port,
    user: input.user,
    password: input.password,
    database: input.database,
    ssl: typeof tls === 'string' ? clientTlsOptions(tls, server.caPem) : tls,
    connectionTimeoutMillis: input.connectionTimeoutMillis ?? 5_000,
    application_name: 'pg-rotator-tests',
  };
}

/** {@link clientConfig} for the server's superuser. */
export function superuserClientConfig(server: ServerFacts, database = 'postgres'): ClientConfig {
  return clientConfig(server, { ...server.superuser, user: server.superuser.username, database });
}
