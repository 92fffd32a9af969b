/**
 * An application's load on a pool, for the tests and the demo: workers in a loop of short transactions (BEGIN,
 * INSERT, SELECT, COMMIT through `connect()`, and every other turn one `query()`), counting what succeeded and what
 * failed, and counting logins, so a caller can wait until a pool has logged in again. Nothing here is timed: callers
 * wait on counts, not clocks. Without a table, the transactions only read (nothing to clean up on a real server).
 */
import type pg from 'pg';

/** The part of a pg Pool the load uses: a RotatingPool and a plain pg Pool both have it. */
export interface LoadPool {
  connect(): Promise<pg.PoolClient>;
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

export interface LoadCounts {
  transactions: number;
  failed: number;
  /** SQLSTATE (or error name) of each failure, in order. */
  readonly failures: string[];
  /** Logins: new sessions the pool opened, plus logins it saw refused. */
  logins: number;
}

export class ApplicationLoad {
  readonly counts: LoadCounts = { transactions: 0, failed: 0, failures: [], logins: 0 };
  #stopping = false;
  #workers: Promise<void>[] = [];
  #waiters: { readonly logins: number; readonly resolve: () => void }[] = [];

  constructor(
    private readonly pool: LoadPool,
    /** A table every login may INSERT into and SELECT from (an escaped identifier), or none. */
    private readonly table?: string,
    /** The pause between a worker's transactions, as an application has between requests. */
    private readonly pauseMs = 1,
  ) {}

  /** A login happened (a session opened, or a login was refused). */
  noteLogin(): void {
    this.counts.logins += 1;
    for (const waiter of this.#waiters.filter((w) => this.counts.logins >= w.logins)) waiter.resolve();
    this.#waiters = this.#waiters.filter((w) => this.counts.logins < w.logins);
  }

  /** Resolves once the pool has logged in `more` times from now. */
  loginsFromNow(more: number): Promise<void> {
    const logins = this.counts.logins + more;
    return new Promise((resolve) => this.#waiters.push({ logins, resolve }));
  }

  start(workers: number): void {
    for (let worker = 0; worker < workers; worker += 1) this.#workers.push(this.#loop(worker));
  }

  async stop(): Promise<LoadCounts> {
    this.#stopping = true;
    await Promise.all(this.#workers);
    return this.counts;
  }

  async #loop(worker: number): Promise<void> {
    for (let turn = 0; !this.#stopping; turn += 1) {
      try {
        if (turn % 2 === 0) await this.#transaction(worker);
        else if (this.table === undefined) await this.pool.query('SELECT $1::int AS worker, current_user', [worker]);
        else await this.pool.query(`SELECT count(*) FROM ${this.table} WHERE worker = $1`, [worker]);
        this.counts.transactions += 1;
      } catch (error) {
        this.counts.failed += 1;
        this.counts.failures.push(codeOf(error));
        if (codeOf(error) === '28P01') this.noteLogin();
      }
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }

  async #transaction(worker: number): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (this.table === undefined) {
        await client.query('SELECT $1::int AS worker', [worker]);
        await client.query('SELECT now()');
      } else {
        await client.query(`INSERT INTO ${this.table} (worker) VALUES ($1)`, [worker]);
        await client.query(`SELECT count(*) FROM ${this.table}`);
      }
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }
}

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
