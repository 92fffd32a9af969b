import { readFile } from 'node:fs/promises';
import { Client } from 'pg';
import { superuserClientConfig } from './client-config.js';
import { HarnessError } from './errors.js';
import type { ServerFacts, SuperuserCredentials } from './server-facts.js';

/** Where an existing server is and how to trust it. */
export interface ExternalServerInput {
  /** A superuser URL: postgres://user:password@host:port/db. */
  readonly url: string;
  /** PEM of the CA that signed the server certificate; without it the server is used without TLS. */
  readonly caPem: string | undefined;
}

/**
 * Describes an existing server (PG_TEST_URL, or a container) as the `tls` variant's facts, after checking
 * that the URL's user is a superuser (tests create roles and databases) and reading its version.
 * The harness cannot change such a server's TLS or pg_hba.conf, and cannot read its log.
 *
 * @example
 * const facts = await describeExternalServer({ url: process.env.PG_TEST_URL!, caPem: undefined });
 */
export async function describeExternalServer(input: ExternalServerInput): Promise<ServerFacts> {
  const { host, port, superuser } = parseServerUrl(input.url);
  const draft: ServerFacts = {
    variant: 'tls',
    host,
    port,
    major: 0,
    version: '',
    superuser,
    caPem: input.caPem,
    defaultTls: input.caPem === undefined ? 'disable' : 'verify-full',
    logFile: undefined,
  };
  const client = new Client(superuserClientConfig(draft));
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; num: string; superuser: boolean }>(
      `select current_setting('server_version') as version, current_setting('server_version_num') as num,
              rolsuper as superuser from pg_roles where rolname = current_user`,
    );
    const row = rows[0];
    if (!row?.superuser) {
      throw new HarnessError('INVALID_ENVIRONMENT', `PG_TEST_URL: user ${superuser.username} is not a superuser`);
    }
    return { ...draft, version: row.version, major: Math.floor(Number(row.num) / 10_000) };
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw new HarnessError(
      'SERVER_START',
      `cannot log in to ${host}:${port} as ${superuser.username}: ` +
        (error instanceof Error ? error.message : String(error)),
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Reads the optional CA file named by PG_TEST_CA_FILE. */
export async function readCaFile(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new HarnessError('INVALID_ENVIRONMENT', `PG_TEST_CA_FILE: cannot read ${file}`, { cause });
  }
}

function parseServerUrl(url: string): { host: string; port: number; superuser: SuperuserCredentials } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the URL, nor keep URL's error as the cause: both hold the password.
    throw new HarnessError('INVALID_ENVIRONMENT', 'PG_TEST_URL is not a valid URL');
  }
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  if (!parsed.hostname || !username || !password) {
    throw new HarnessError('INVALID_ENVIRONMENT', 'PG_TEST_URL must name a host, a user and a password');
  }
  // WHATWG URL keeps the brackets of an IPv6 literal; node-postgres wants the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsed.port ? Number(parsed.port) : 5432, superuser: { username, password } };
}
