import pg from 'pg';
import { createRotatingPool } from '../client/pg/rotating-pool';
import type { RotatingPool } from '../client/pg/rotating-pool';
import type { SslMode } from '../lambda/config/environment';
import { ApplicationLoad } from '../local/application-load';
import type { DemoContext } from './context';
import { dim, green, red } from './terminal';

/** Both pools' pace: two sessions each, a new login every third query, so both keep meeting the rotations. */
const POOL = { max: 2, maxUses: 3 } as const;
const WORKERS = 2;
/** Between a worker's transactions: enough load to meet every rotation, little enough not to slow them. */
const PAUSE_MS = 20;

/** What the application did, for the summary. */
export interface ApplicationCounts {
  /** Transactions and single queries attempted, failed ones included. */
  readonly queries: number;
  readonly failed: number;
  readonly retried: number;
  readonly naiveQueries: number;
  readonly naiveFailed: number;
}

/** The application beside a secret's rotations: one pool that follows the secret, one that read it once. */
export interface DemoApplication {
  /** Waits until both pools have logged in again since now, so each has met what the rotation did. */
  settle(): Promise<void>;
  /** The counts so far, as one line. */
  line(): string;
  stop(): Promise<ApplicationCounts>;
}

/**
 * Starts an application on the secret: workers in a loop of short read-only transactions, through createRotatingPool
 * (client/pg) and, beside it, through a plain pg Pool given the password the secret held at start. Nothing is
 * written, so nothing is left behind on an existing server.
 */
export async function startApplication(ctx: DemoContext, secretArn: string): Promise<DemoApplication> {
  const { target } = ctx;
  let retried = 0;
  const rotating: RotatingPool = createRotatingPool({
    secretId: secretArn,
    secretsManager: { client: ctx.stack.secretsClient() },
    // As the function's floor in run.ts: the demo's target decides it (a --database-url may say require).
    sslmode: target.sslmode as SslMode,
    minimumSslmode: target.sslmode as SslMode,
    ...(target.caPem ? { caPem: target.caPem } : {}),
    pool: POOL,
    onEvent: (event) => {
      if (event.type !== 'login-refused') return;
      retried += 1;
      rotatingLoad.noteLogin();
    },
  });
  const once = await ctx.secretValue(secretArn, 'AWSCURRENT');
  const naive = new pg.Pool({ ...target.admin, ...POOL, user: once.username, password: once.password });
  const rotatingLoad = new ApplicationLoad(rotating, undefined, PAUSE_MS);
  const naiveLoad = new ApplicationLoad(naive, undefined, PAUSE_MS);
  rotating.on('connect', () => rotatingLoad.noteLogin());
  naive.on('connect', () => naiveLoad.noteLogin());
  rotating.on('error', () => undefined);
  naive.on('error', () => undefined);
  rotatingLoad.start(WORKERS);
  naiveLoad.start(WORKERS);
  // Both pools open their sessions before the first rotation, so its time is the rotation's own.
  await Promise.all([rotatingLoad.loginsFromNow(WORKERS), naiveLoad.loginsFromNow(WORKERS)]);

  const counts = (): ApplicationCounts => ({
    queries: rotatingLoad.counts.transactions + rotatingLoad.counts.failed,
    failed: rotatingLoad.counts.failed,
    retried,
    naiveQueries: naiveLoad.counts.transactions + naiveLoad.counts.failed,
    naiveFailed: naiveLoad.counts.failed,
  });
  return {
    settle: async () => {
      await Promise.all([rotatingLoad.loginsFromNow(2), naiveLoad.loginsFromNow(2)]);
    },
    line: () => {
      const c = counts();
      const followed = `${c.queries} queries, ${(c.failed === 0 ? green : red)(`${c.failed} failed`)}${c.retried > 0 ? dim(` (${c.retried} refused logins retried)`) : ''}`;
      const readOnce = `${c.naiveQueries} queries, ${(c.naiveFailed === 0 ? green : red)(`${c.naiveFailed} failed`)}`;
      return `application: createRotatingPool ${followed}   ${dim('│')}   pool that read the secret once ${readOnce}`;
    },
    stop: async () => {
      await Promise.all([rotatingLoad.stop(), naiveLoad.stop()]);
      await Promise.all([rotating.end(), naive.end()]);
      return counts();
    },
  };
}
