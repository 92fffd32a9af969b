import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { agentSource } from './agent-source';
import { connectionTarget } from './connection-target';
import type { TargetOverrides } from './connection-target';
import type { EventSink } from './pool-events';
import { safeSink } from './pool-events';
import { PoolGeneration } from './pool-generation';
import type { PoolSettings } from './pool-generation';
import type { ParsedRotatingPoolOptions, RotatingPoolOptions } from './rotating-pool-options';
import { parseRotatingPoolOptions } from './rotating-pool-options';
import type { FollowedLogin } from './secret-follower';
import { SecretFollower } from './secret-follower';
import type { SecretSource } from './secret-source';
import { secretsManagerSource } from './secrets-manager-source';

// This file is the package's `pg-rotator/pg` entry: the types an application writes against are exported from it too.
export type { RotatingPoolEvent } from './pool-events';
export type { PoolSettings } from './pool-generation';
export type { RotatingPoolOptions } from './rotating-pool-options';
export type { ReadStage, SecretSource, SecretVersionRead } from './secret-source';

/** SQLSTATE invalid_password: a wrong password, or a role that does not exist (the server does not say which). */
const PASSWORD_REFUSED = '28P01';

/** pg's own message for a pool used after `end`, so code that matches it keeps working. */
const ENDED_MESSAGE = 'Cannot use a pool after calling end on the pool';

type QueryText = string | pg.QueryConfig;
type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * A pg `Pool` whose logins follow a rotated secret. The surface node-postgres applications and query builders
 * use (Kysely's and Drizzle's node-postgres drivers among them):
 * - `query(text | config, values?)` → Promise of pg's `QueryResult`, or with a callback last;
 * - `connect()` → a pg `PoolClient` (call `release()`, or `release(error)` to discard it), or with a callback;
 * - `end()`; the events `connect`, `acquire`, `release`, `remove`, `error` of every login's pool;
 * - `totalCount`, `idleCount`, `waitingCount`, `expiredCount`, `ending`, `ended`.
 * Not there: `options` (each login's pool has its own). Errors are node-postgres's own, so `error.code` is the
 * SQLSTATE as before. TypeScript: pass it where a `pg.Pool` is typed with `pool as unknown as pg.Pool`.
 *
 * `max` and the other pool options apply per login: while one login's connections drain after a switch, both
 * logins' connections count against the server's limits.
 */
export class RotatingPool extends EventEmitter {
  readonly #follower: SecretFollower;
  readonly #overrides: TargetOverrides;
  readonly #settings: PoolSettings;
  readonly #report: EventSink;
  /** Oldest first; the last is the login new connections use, the others drain. */
  #generations: PoolGeneration[] = [];
  #ending: Promise<void> | undefined;
  #ended = false;

  constructor(options: ParsedRotatingPoolOptions) {
    super();
    this.#report = safeSink(options.onEvent);
    this.#follower = new SecretFollower(sourceFrom(options), options.refreshIntervalMs, this.#report);
    this.#overrides = {
      sslmode: options.sslmode,
      minimumSslmode: options.minimumSslmode,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.database === undefined ? {} : { database: options.database }),
      ...(options.caPem === undefined ? {} : { caPem: options.caPem }),
    };
    this.#settings = options.pool;
  }

  connect(): Promise<pg.PoolClient>;
  connect(callback: ConnectCallback): void;
  connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const checkout = this.#checkout();
    if (callback === undefined) return checkout;
    checkout.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error | boolean | undefined)),
      (error: unknown) => callback(asError(error), undefined, () => undefined),
    );
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: QueryText, values?: unknown[]): Promise<pg.QueryResult<R>>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: QueryText, callback: (error: Error | undefined, result: pg.QueryResult<R> | undefined) => void): void;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: QueryText,
    values: unknown[] | undefined,
    callback: (error: Error | undefined, result: pg.QueryResult<R> | undefined) => void,
  ): void;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: QueryText,
    valuesOrCallback?: unknown[] | ((error: Error | undefined, result: pg.QueryResult<R> | undefined) => void),
    maybeCallback?: (error: Error | undefined, result: pg.QueryResult<R> | undefined) => void,
  ): Promise<pg.QueryResult<R>> | void {
    const callback = typeof valuesOrCallback === 'function' ? valuesOrCallback : maybeCallback;
    const values = typeof valuesOrCallback === 'function' ? undefined : valuesOrCallback;
    const result = this.#query<R>(text, values);
    if (callback === undefined) return result;
    result.then(
      (rows) => callback(undefined, rows),
      (error: unknown) => callback(asError(error), undefined),
    );
  }

  /** Ends every login's pool: connections in use close when released. */
  end(): Promise<void>;
  end(callback: () => void): void;
  end(callback?: () => void): Promise<void> | void {
    this.#ending ??= Promise.all(this.#generations.map((generation) => generation.end())).then(() => {
      this.#ended = true;
    });
    if (callback === undefined) return this.#ending;
    void this.#ending.then(callback);
  }

  /** Reads the secret again before the next new connection, whatever the refresh interval says. */
  refresh(): void {
    this.#follower.expire();
  }

  get totalCount(): number {
    return this.#sum((pool) => pool.totalCount);
  }

  get idleCount(): number {
    return this.#sum((pool) => pool.idleCount);
  }

  get waitingCount(): number {
    return this.#sum((pool) => pool.waitingCount);
  }

  get expiredCount(): number {
    return this.#sum((pool) => pool.expiredCount);
  }

  get ending(): boolean {
    return this.#ending !== undefined;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * A client logged in with the current version. After a refused login (28P01), the secret is read again once and
   * the login tried once more; the second refusal is the caller's error.
   */
  async #checkout(): Promise<pg.PoolClient> {
    await this.#follower.current();
    const login = this.#latest();
    try {
      return await this.#connectAs(login);
    } catch (error) {
      if (!isPasswordRefused(error)) throw error;
      this.#report({ type: 'login-refused', username: login.secret.username, versionId: login.versionId, retry: false });
      const next = await this.#follower.afterRefused(login).catch(() => undefined);
      if (next === undefined) throw error;
      const retry = this.#latest();
      try {
        return await this.#connectAs(retry);
      } catch (retryError) {
        if (isPasswordRefused(retryError)) {
          this.#report({ type: 'login-refused', username: retry.secret.username, versionId: retry.versionId, retry: true });
        }
        throw retryError;
      }
    }
  }

  async #query<R extends pg.QueryResultRow>(text: QueryText, values: unknown[] | undefined): Promise<pg.QueryResult<R>> {
    const client = await this.#checkout();
    // A session that dies mid-query makes the client emit `error` as well as reject the query: the rejection is the
    // caller's, the event must not crash the process (pg's Pool.query does the same).
    const ignore = (): void => undefined;
    client.on('error', ignore);
    try {
      const result = await client.query<R>(text, values);
      client.release();
      return result;
    } catch (error) {
      // As pg's Pool.query: a client whose query failed is not reused.
      client.release(asError(error));
      throw error;
    } finally {
      client.removeListener('error', ignore);
    }
  }

  /** The login the secret says new connections use now: the freshest read, whichever call made it. */
  #latest(): FollowedLogin {
    const login = this.#follower.latest();
    if (login === undefined) throw new RangeError('no login read yet');
    return login;
  }

  #connectAs(login: FollowedLogin): Promise<pg.PoolClient> {
    if (this.#ending !== undefined) return Promise.reject(new Error(ENDED_MESSAGE));
    return this.#generationFor(login).connect();
  }

  /** The pool of the login's connection target; a new one when the login changed, and the old one drains. */
  #generationFor(login: FollowedLogin): PoolGeneration {
    const target = connectionTarget(login.secret, this.#overrides);
    const active = this.#generations.at(-1);
    if (active?.target.key === target.key) {
      active.usePassword(login.secret.password);
      return active;
    }
    const next = new PoolGeneration(target, login.secret.password, this.#settings, (event, args) => this.emit(event, ...args));
    this.#generations.push(next);
    if (active !== undefined) {
      this.#report({ type: 'login-switched', from: active.username, to: next.username });
      void active.retire().then(() => {
        this.#generations = this.#generations.filter((generation) => generation !== active);
        this.#report({ type: 'login-drained', username: active.username });
      });
    }
    return next;
  }

  #sum(count: (pool: pg.Pool) => number): number {
    return this.#generations.reduce((total, generation) => total + count(generation.pool), 0);
  }
}

/**
 * A pg Pool-compatible pool whose logins follow a secret that pg-rotator (or any rotation function) rotates: see
 * {@link RotatingPool} for the surface and docs/applications.md for what each strategy means for it.
 *
 * @throws InvalidInputError naming the option, when an option is wrong.
 * @example
 * import { createRotatingPool } from 'pg-rotator/pg';
 *
 * const pool = createRotatingPool({ secretId: 'prod/app-db', pool: { max: 10 } });
 * const { rows } = await pool.query('SELECT now()');
 */
export function createRotatingPool(options: RotatingPoolOptions): RotatingPool {
  return new RotatingPool(parseRotatingPoolOptions(options));
}

function sourceFrom(options: ParsedRotatingPoolOptions): SecretSource {
  if (options.source === 'agent') return agentSource({ secretId: options.secretId, ...options.agent });
  if (options.source === 'secrets-manager') return secretsManagerSource({ secretId: options.secretId, ...options.secretsManager });
  return options.source;
}

function isPasswordRefused(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === PASSWORD_REFUSED;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
