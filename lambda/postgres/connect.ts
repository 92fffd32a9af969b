import type pg from 'pg';
import PgClient from 'pg/lib/client.js';
import { DatabaseError, PgRotatorError } from '../errors';
import { shouldTryNextAttempt, toDatabaseError } from './errors';
import { useNodeCryptoForScram } from './scram-client';
import type { AuthenticationFloor } from './authentication-floor';
import { observeAuthentication, refuseAuthentication, STRICT_AUTH } from './authentication-floor';
import type { ConnectionAttempt, TlsSettings } from './tls';
import { connectionAttempts, nodeTlsOptions } from './tls';

// Every session below logs in through node-postgres's SCRAM code; see scram-client.ts.
useNodeCryptoForScram();

/** Where to connect, how, and how long to wait. */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly tls: TlsSettings;
  /** How the server may ask for the password (PGREQUIREAUTH), and SCRAM channel binding. @default STRICT_AUTH */
  readonly auth?: AuthenticationFloor;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** How much longer than the server's statement_timeout the client waits for an answer before giving up on it. */
export const QUERY_TIMEOUT_MARGIN_MS = 2_000;
/** Idle time before the first TCP keepalive probe. */
export const KEEPALIVE_IDLE_MS = 5_000;

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The two methods the rotation code needs from a connection. */
export interface Session {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** What TLS the session uses, or null for plaintext. */
  readonly tls: { readonly protocol: string | null; readonly cipher: string | null } | null;
  /**
   * How the server asked this login to authenticate, as seen on the wire: `scram-sha-256-plus` (SCRAM with channel
   * binding), `scram-sha-256`, `md5`, `password`, or `none` when it asked for nothing (trust, or a certificate the
   * server accepted at the TLS layer).
   */
  readonly authentication: string;
}

/**
 * Opens a session, making the attempts the sslmode allows (libpq order). Falls through to the next attempt only
 * where libpq would: after a refused TLS request or a failed handshake, or, for `allow`, after the server refused
 * plaintext (pg_hba `hostssl`). A wrong password is never retried, so one bad attempt is one failed login.
 *
 * @throws DatabaseError with kind authentication, network, tls, timeout, permission or missing-role.
 */
export async function openSession(target: ConnectionTarget, credentials: Credentials, doing = 'connecting'): Promise<pg.Client & Session> {
  const attempts = connectionAttempts(target.tls);
  let lastError: unknown;
  for (const [index, attempt] of attempts.entries()) {
    try {
      return await connectOnce(target, credentials, attempt);
    } catch (error) {
      lastError = error;
      const isLast = index === attempts.length - 1;
      if (isLast || !shouldTryNextAttempt(error)) break;
    }
  }
  throw toDatabaseError(lastError, { doing, role: credentials.username, host: target.host });
}

/**
 * Runs `work` on a fresh session and always closes it. With `waitForClose: false` the close is not waited for
 * (see {@link closeInBackground}): for a step's last session, whose close nothing after it depends on.
 */
export async function withSession<T>(
  target: ConnectionTarget,
  credentials: Credentials,
  doing: string,
  work: (session: Session) => Promise<T>,
  { waitForClose = true }: { waitForClose?: boolean } = {},
): Promise<T> {
  const session = await openSession(target, credentials, doing);
  try {
    return await work(session);
  } catch (error) {
    // Our own errors (a failed check inside `work`) already say what went wrong.
    if (error instanceof PgRotatorError) throw error;
    throw toDatabaseError(error, { doing, role: credentials.username, host: target.host });
  } finally {
    if (waitForClose) await session.end().catch(() => undefined);
    else closeInBackground(session);
  }
}

/**
 * Ends a session without waiting for the server's side of the close: the Terminate message goes out at once, and
 * the server ends the backend on it. Waiting would cost a round trip that nothing needs. In Lambda, a close still
 * in flight when the handler returns finishes when the container next runs, or goes with it.
 */
export function closeInBackground(session: { end(): Promise<void> }): void {
  session.end().catch(() => undefined);
}

/**
 * Whether the credentials log in. Only a wrong password (28P01, which is also what a missing role gets) is a
 * "no"; every other failure (network, TLS, pg_hba, a NOLOGIN role) throws, because deciding "not yet set" on a
 * network error would make setSecret change a password it could not verify.
 */
export async function logsIn(target: ConnectionTarget, credentials: Credentials): Promise<boolean> {
  try {
    const session = await openSession(target, credentials, 'logging in');
    await session.end().catch(() => undefined);
    return true;
  } catch (error) {
    if (error instanceof DatabaseError && error.sqlState === '28P01') return false;
    throw error;
  }
}

async function connectOnce(target: ConnectionTarget, credentials: Credentials, attempt: ConnectionAttempt): Promise<pg.Client & Session> {
  const floor = target.auth ?? STRICT_AUTH;
  const tls = attempt.tls !== false;
  const client = new PgClient({
    host: target.host,
    port: target.port,
    database: target.database,
    user: credentials.username,
    // node-postgres asks for the password only once the server has said how it wants it (its handlers for the
    // cleartext, md5 and SASL requests call this first): refusing here sends the server nothing at all.
    password: async () => {
      refuseAuthentication(authentication(), floor, { role: credentials.username, host: target.host });
      return credentials.password;
    },
    ssl: nodeTlsOptions(attempt),
    // tls-server-end-point binding (RFC 5929): a SCRAM exchange relayed through another TLS endpoint fails.
    enableChannelBinding: tls && floor.channelBinding !== 'disable',
    statement_timeout: target.statementTimeoutMs,
    lock_timeout: target.statementTimeoutMs,
    // The server's statement_timeout bounds a query it runs; this bounds one it never answers (a hostile server, or
    // one that went silent after login): the query fails as DB_TIMEOUT, and closing the session destroys the socket.
    query_timeout: target.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    // TCP keepalive on an idle connection, so a peer that vanished (a failover, a dropped NAT mapping) is noticed by
    // the OS rather than waited on until the function times out.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    application_name: 'pg-rotator',
  });
  // A socket error after connect must not crash the process; the pending query rejects on its own.
  client.on('error', () => undefined);
  const authentication = observeAuthentication(client, tls && floor.channelBinding !== 'disable');
  try {
    await withTimeout(client.connect(), target.connectTimeoutMs, () => new DatabaseError('timeout', `connecting as role "${credentials.username}" on ${target.host}: no answer within ${target.connectTimeoutMs} ms`));
    // A server that asked for no password (trust) proves nothing about it: refused unless the deployment allows `none`.
    refuseAuthentication(authentication(), floor, { role: credentials.username, host: target.host });
  } catch (error) {
    // The server may still be waiting for a password it will never get: close the socket rather than wait for it.
    destroy(client);
    throw error;
  }
  return Object.assign(client, { tls: tlsInfo(client), authentication: authentication().method });
}

function destroy(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
  stream?.destroy?.();
}

function tlsInfo(client: pg.Client): Session['tls'] {
  // node-postgres keeps the socket on the connection; a TLSSocket has getProtocol/getCipher.
  const stream = (client as unknown as { connection?: { stream?: { getProtocol?: () => string | null; getCipher?: () => { name: string } } } }).connection?.stream;
  if (!stream?.getProtocol) return null;
  return { protocol: stream.getProtocol(), cipher: stream.getCipher?.().name ?? null };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

