import pg from 'pg';
import { shouldTryNextAttempt } from '../../lambda/postgres/errors';
import { nodeTlsOptions } from '../../lambda/postgres/tls';
import type { ConnectionTarget } from './connection-target';

/** pg's Pool options the application may set: everything but where to connect and as whom (the secret says). */
export type PoolSettings = Omit<pg.PoolConfig, 'host' | 'port' | 'database' | 'user' | 'password' | 'ssl' | 'connectionString'>;

/** The events of a pg Pool a rotating pool passes on. */
export const POOL_EVENTS = ['connect', 'acquire', 'release', 'remove', 'error'] as const;

/** One of libpq's attempts for the sslmode (tls.ts), as a pg Pool, and the connects waiting on it. */
interface AttemptPool {
  readonly pool: pg.Pool;
  /** Its index in the target's attempts. */
  readonly attempt: number;
  inFlight: number;
}

/**
 * One login's underlying pg Pool. New connections log in with the password last given to {@link usePassword}, which
 * follows the secret: a new password for the same login changes no open session (PostgreSQL checks passwords only
 * at login).
 *
 * For `allow` and `prefer`, libpq's second attempt (plaintext or TLS) is made by replacing the pool, before any
 * login succeeded (so it has no clients), when the first attempt failed the way that lets libpq go on. Connects
 * already waiting on the replaced pool fail there in turn and move to the replacement; the replaced pool ends once
 * none waits on it (ending it earlier would leave those queued in it unserved).
 *
 * Retiring it ends it gracefully: connections checked out finish their work and close when released, idle ones
 * close now, and connects already under way are served first (pg's `end` would leave them waiting forever).
 */
export class PoolGeneration {
  // Private, so that no inspection of the pool (a debugger, util.inspect, a log of an object) shows it.
  #password: string;
  #current: AttemptPool;
  #settled = false;
  #connecting = 0;
  #retired = false;
  #ended: Promise<void> | undefined;
  #onEnded: () => void = () => undefined;
  /** Resolves when the pool has ended after {@link retire} or {@link end}. */
  readonly drained: Promise<void>;

  constructor(
    readonly target: ConnectionTarget,
    password: string,
    private readonly settings: PoolSettings,
    private readonly forward: (event: (typeof POOL_EVENTS)[number], args: unknown[]) => void,
  ) {
    this.#password = password;
    this.#current = this.#attemptPool(0);
    this.drained = new Promise((resolve) => (this.#onEnded = resolve));
  }

  /** The password the next login of this pool uses. */
  usePassword(password: string): void {
    this.#password = password;
  }

  get username(): string {
    return this.target.user;
  }

  get pool(): pg.Pool {
    return this.#current.pool;
  }

  /** A client of this login. @throws pg's error as it is (a refused login: `code` 28P01). */
  async connect(): Promise<pg.PoolClient> {
    this.#connecting += 1;
    try {
      for (;;) {
        const tried = this.#current;
        tried.inFlight += 1;
        try {
          const client = await tried.pool.connect();
          this.#settled = true;
          return client;
        } catch (error) {
          if (this.#retired || !shouldTryNextAttempt(error)) throw error;
          // The first connect to fail on an attempt moves the login to the next; the others follow it there, even
          // once a connect has succeeded on it.
          if (this.#current !== tried) continue;
          if (this.#settled || tried.attempt + 1 >= this.target.attempts.length) throw error;
          this.#current = this.#attemptPool(tried.attempt + 1);
        } finally {
          tried.inFlight -= 1;
          if (tried !== this.#current && tried.inFlight === 0) void tried.pool.end().catch(() => undefined);
        }
      }
    } finally {
      this.#connecting -= 1;
      this.#endIfRetired();
    }
  }

  /** No new connections: end once the connects under way are served. */
  retire(): Promise<void> {
    this.#retired = true;
    this.#endIfRetired();
    return this.drained;
  }

  /** Ends now, as pg's `end`: for the rotating pool's own end. */
  end(): Promise<void> {
    this.#retired = true;
    return this.#end();
  }

  #endIfRetired(): void {
    if (this.#retired && this.#connecting === 0) void this.#end();
  }

  #end(): Promise<void> {
    this.#ended ??= this.#current.pool.end().then(
      () => this.#onEnded(),
      () => this.#onEnded(),
    );
    return this.#ended;
  }

  #attemptPool(attempt: number): AttemptPool {
    const tls = this.target.attempts[attempt];
    if (tls === undefined) throw new RangeError(`no connection attempt ${attempt} for this sslmode`);
    const pool = new pg.Pool({
      ...this.settings,
      host: this.target.host,
      port: this.target.port,
      database: this.target.database,
      user: this.target.user,
      // A function, so a new password reaches the next login without a new pool (node-postgres calls it per login).
      password: () => this.#password,
      ssl: nodeTlsOptions(tls),
    });
    for (const event of POOL_EVENTS) pool.on(event, (...args: unknown[]) => this.forward(event, args));
    return { pool, attempt, inFlight: 0 };
  }
}
