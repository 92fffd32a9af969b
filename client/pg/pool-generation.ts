import pg from 'pg';
import { shouldTryNextAttempt } from '../../lambda/postgres/errors';
import { nodeTlsOptions } from '../../lambda/postgres/tls';
import type { ConnectionTarget } from './connection-target';

/** pg's Pool options the application may set: everything but where to connect and as whom (the secret says). */
export type PoolSettings = Omit<pg.PoolConfig, 'host' | 'port' | 'database' | 'user' | 'password' | 'ssl' | 'connectionString'>;

/** The events of a pg Pool a rotating pool passes on. */
export const POOL_EVENTS = ['connect', 'acquire', 'release', 'remove', 'error'] as const;

/**
 * One login's underlying pg Pool. New connections log in with the password last given to {@link usePassword}, which
 * follows the secret: a new password for the same login changes no open session (PostgreSQL checks passwords only
 * at login).
 *
 * For `allow` and `prefer`, libpq's second attempt (plaintext or TLS) is made by replacing the pool, before any
 * login succeeded (so it has no clients), when the first attempt failed the way that lets libpq go on.
 *
 * Retiring it ends it gracefully: connections checked out finish their work and close when released, idle ones
 * close now, and connects already under way are served first (pg's `end` would leave them waiting forever).
 */
export class PoolGeneration {
  // Private, so that no inspection of the pool (a debugger, util.inspect, a log of an object) shows it.
  #password: string;
  #pool: pg.Pool;
  #attempt = 0;
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
    this.#pool = this.#newPool();
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
    return this.#pool;
  }

  /** A client of this login. @throws pg's error as it is (a refused login: `code` 28P01). */
  async connect(): Promise<pg.PoolClient> {
    this.#connecting += 1;
    try {
      for (;;) {
        const pool = this.#pool;
        try {
          const client = await pool.connect();
          this.#settled = true;
          return client;
        } catch (error) {
          const next = this.#attempt + 1;
          if (this.#settled || this.#retired || next >= this.target.attempts.length || !shouldTryNextAttempt(error)) throw error;
          // The first connection to fail replaces the pool; the others retry on its replacement.
          if (this.#pool === pool) {
            this.#attempt = next;
            this.#pool = this.#newPool();
            void pool.end().catch(() => undefined);
          }
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
    this.#ended ??= this.#pool.end().then(
      () => this.#onEnded(),
      () => this.#onEnded(),
    );
    return this.#ended;
  }

  #newPool(): pg.Pool {
    const attempt = this.target.attempts[this.#attempt];
    if (attempt === undefined) throw new RangeError(`no connection attempt ${this.#attempt} for this sslmode`);
    const pool = new pg.Pool({
      ...this.settings,
      host: this.target.host,
      port: this.target.port,
      database: this.target.database,
      user: this.target.user,
      // A function, so a new password reaches the next login without a new pool (node-postgres calls it per login).
      password: () => this.#password,
      ssl: nodeTlsOptions(attempt),
    });
    for (const event of POOL_EVENTS) pool.on(event, (...args: unknown[]) => this.forward(event, args));
    return pool;
  }
}
