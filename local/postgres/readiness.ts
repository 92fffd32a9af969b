import { Client, DatabaseError, type ClientConfig } from 'pg';
import { HarnessError } from './errors.js';
import type { ServerProcess } from './server-process.js';

/** What a server reports about itself once it accepts connections. */
export interface ServerIdentity {
  /** `server_version`, e.g. `18.4`. */
  readonly version: string;
  /** `server_version_num` / 10000, e.g. 18. */
  readonly major: number;
}

// Failures that only mean "not yet": nothing listens yet, or the postmaster is still starting
// (57P03 cannot_connect_now, "the database system is starting up").
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET']);
const STARTING_UP_SQLSTATE = '57P03';
const POLL_INTERVAL_MS = 20;

/** Why a server never became ready; the caller adds the log tail. */
export class ServerExitedEarlyError extends HarnessError {
  constructor(readonly exitStatus: number | undefined) {
    super('SERVER_START', `postgres exited during startup with status ${exitStatus ?? 'unknown'}`);
  }
}

/**
 * Connects as the superuser, with the same TLS checks tests use, until the server answers. A real login
 * is the only faithful readiness check: it proves the port, pg_hba.conf, the password and the certificate
 * all work. Fails at once on any non-transient error (a TLS or authentication failure will not fix itself)
 * and when postgres exits.
 *
 * @example
 * const { version } = await waitUntilReady(superuserClientConfig(facts), server, 30_000);
 */
export async function waitUntilReady(
  config: ClientConfig,
  server: ServerProcess,
  timeoutMs: number,
): Promise<ServerIdentity> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.hasExited()) throw new ServerExitedEarlyError(await server.exited);
    const client = new Client({ ...config, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      const result = await client.query<{ version: string; num: string }>(
        "select current_setting('server_version') as version, current_setting('server_version_num') as num",
      );
      const row = result.rows[0];
      if (!row) throw new HarnessError('SERVER_START', 'the server returned no version');
      return { version: row.version, major: Math.floor(Number(row.num) / 10_000) };
    } catch (error) {
      if (!isTransient(error)) {
        // A postgres that lost the race for its port exits at once, and this login may have reached
        // whichever process holds the port; give the exit report a moment to arrive before blaming TLS or auth.
        if (await exitsWithin(server, 250)) throw new ServerExitedEarlyError(await server.exited);
        throw new HarnessError('SERVER_START', `cannot log in to the new server: ${describe(error)}`, {
          cause: error,
        });
      }
      if (Date.now() > deadline) {
        throw new HarnessError('SERVER_START', `the server did not accept connections within ${timeoutMs} ms`, {
          cause: error,
        });
      }
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function exitsWithin(server: ServerProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([server.exited.then(() => true), timedOut]);
  clearTimeout(timer);
  return result;
}

function isTransient(error: unknown): boolean {
  if (error instanceof DatabaseError) return error.code === STARTING_UP_SQLSTATE;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
