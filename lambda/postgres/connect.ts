import pg from 'pg';
import { DatabaseError, PgRotatorError } from '../errors';
import { shouldTryNextAttempt, toDatabaseError } from './errors';
import { useNodeCryptoForScram } from './scram-client';
import type { ConnectionAttempt, TlsSettings } from './tls';
import { connectionAttempts, nodeTlsOptions } from './tls';

// Every session below logs in through node-postgres's SCRAM code; see scram-client.ts.
useNodeCryptoForScram();

/** Where to connect, and how long to wait. */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly tls: TlsSettings;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

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
   * How the server asked this login to authenticate, as seen on the wire: `scram-sha-256`, `md5`, `password`, or
   * `none` when it asked for nothing (trust, or a certificate the server accepted at the TLS layer).
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
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: credentials.username,
    password: credentials.password,
    ssl: nodeTlsOptions(attempt),
    statement_timeout: target.statementTimeoutMs,
    lock_timeout: target.statementTimeoutMs,
    application_name: 'pg-rotator',
  });
  // A socket error after connect must not crash the process; the pending query rejects on its own.
  client.on('error', () => undefined);
  const authentication = observeAuthentication(client);
  await withTimeout(client.connect(), target.connectTimeoutMs, () => {
    void client.end().catch(() => undefined);
    return new DatabaseError('timeout', `connecting as role "${credentials.username}" on ${target.host}: no answer within ${target.connectTimeoutMs} ms`);
  });
  return Object.assign(client, { tls: tlsInfo(client), authentication: authentication() });
}

/**
 * Listens for the server's authentication request (protocol message 'R'), which node-postgres's connection emits
 * by kind; read the result once connected. Servers before 16 expose the method to no SQL function.
 */
function observeAuthentication(client: pg.Client): () => string {
  let method = 'none';
  const connection = (client as unknown as { connection: { once(event: string, listener: () => void): void } }).connection;
  connection.once('authenticationSASL', () => (method = 'scram-sha-256'));
  connection.once('authenticationMD5Password', () => (method = 'md5'));
  connection.once('authenticationCleartextPassword', () => (method = 'password'));
  return () => method;
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

