/**
 * A window onto the statements pg-rotator sends to PostgreSQL, so a test can pick the exact moment of a database
 * fault (before or after a given statement) instead of guessing it with timers. The function runs in this process
 * (the local Lambda's in-process runner), and its sessions carry `application_name = 'pg-rotator'`, so wrapping
 * node-postgres's `Client.prototype.query` sees them and nothing else: the test harness's own clients are named
 * `pg-rotator-tests`.
 *
 * The wrapper only chooses the moment. The faults themselves are real: a backend ended by `pg_terminate_backend`,
 * a statement that really ran, a transaction the server really rolled back.
 */
import pg from 'pg';
import type { QueryResult } from 'pg';

/** One statement pg-rotator is about to send, or has just had answered. */
export interface RotatorStatement {
  /** The login of the session (role names in these tests are unique per scenario). */
  readonly user: string;
  /** The SQL text exactly as sent. */
  readonly text: string;
  /** A short name for the statement, with identifiers and values left out (see {@link statementKind}). */
  readonly kind: string;
  /** The session, for `pg_terminate_backend(client.processID)` and for asking it another query. */
  readonly client: pg.Client;
}

/**
 * What a listener may do around one statement. `before` runs before it is sent; `after` runs once its answer has
 * arrived and decides what the caller sees: the result, or an error thrown instead (the answer lost).
 */
export interface StatementListener {
  readonly before?: (statement: RotatorStatement) => Promise<void> | void;
  readonly after?: (statement: RotatorStatement, result: QueryResult) => Promise<void> | void;
}

const listeners = new Set<StatementListener>();
type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
let original: QueryFn | undefined;

/**
 * Registers a listener for the function's statements; returns the function that removes it. The wrapper is
 * installed on first use and stays (it is a pass-through with no listener).
 *
 * @example
 * const stop = onRotatorStatements({ before: (s) => void seen.push(s.kind) });
 * try { await rotate(); } finally { stop(); }
 */
export function onRotatorStatements(listener: StatementListener): () => void {
  install();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The query function as node-postgres defines it, for a listener that must not be intercepted itself. */
export function rawQuery(client: pg.Client, text: string): Promise<QueryResult> {
  install();
  return (original as QueryFn).call(client, text) as Promise<QueryResult>;
}

function install(): void {
  if (original !== undefined) return;
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  original = proto.query;
  const passThrough = original;
  proto.query = function query(this: pg.Client, ...args: unknown[]): unknown {
    const [config, values, callback] = args;
    const appName = (this as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters?.application_name;
    // Only the promise form with SQL text, which is how pg-rotator calls it; anything else passes untouched.
    if (appName !== 'pg-rotator' || typeof config !== 'string' || typeof callback === 'function' || typeof values === 'function' || listeners.size === 0) {
      return passThrough.apply(this, args);
    }
    const statement: RotatorStatement = { user: this.user ?? '', text: config, kind: statementKind(config), client: this };
    return (async () => {
      for (const listener of [...listeners]) await listener.before?.(statement);
      const result = (await passThrough.apply(this, args)) as QueryResult;
      for (const listener of [...listeners]) await listener.after?.(statement, result);
      return result;
    })();
  };
}

/**
 * A name for a statement that identifies its purpose without quoting identifiers or values, e.g.
 * `ALTER ROLE … PASSWORD` or `SELECT role exists`.
 */
export function statementKind(text: string): string {
  const sql = text.replace(/\s+/g, ' ').trim();
  if (/^ALTER ROLE .* PASSWORD '/.test(sql)) return 'ALTER ROLE … PASSWORD';
  if (/^ALTER ROLE .* SET role = /.test(sql)) return 'ALTER ROLE … SET role';
  if (/^CREATE ROLE .* NOLOGIN$/.test(sql)) return 'CREATE ROLE … NOLOGIN';
  if (/^CREATE ROLE .* LOGIN PASSWORD /.test(sql)) return 'CREATE ROLE … LOGIN PASSWORD';
  if (/^GRANT "/.test(sql)) return 'GRANT role TO login';
  if (sql.startsWith("SELECT current_setting('server_version_num')")) return 'SELECT server facts';
  if (/FROM pg_catalog\.pg_roles WHERE rolname = \$1$/.test(sql)) return 'SELECT role exists';
  if (/pg_auth_members .* WHERE g\.rolname = \$1 AND u\.rolname = \$2/.test(sql)) return 'SELECT is member';
  if (/pg_auth_members .* WHERE u\.rolname = \$1/.test(sql)) return 'SELECT memberships';
  if (/^(BEGIN|COMMIT|ROLLBACK|SELECT 1)$/.test(sql)) return sql;
  return sql.split(' ').slice(0, 3).join(' ');
}
