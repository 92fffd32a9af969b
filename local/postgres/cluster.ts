import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  DEFAULT_MAJOR,
  locatePostgresBinaries,
  runnableBinaries,
  type PostgresBinaries,
  type PostgresMajor,
} from './binaries.js';
import { createTestCertificates, type TestCertificates } from './certificates.js';
import { superuserClientConfig } from './client-config.js';
import {
  copyDataDirectory,
  initDataDirectory,
  makeServerDirectory,
  writeHbaFile,
  writeTlsFiles,
} from './data-directory.js';
import { HarnessError } from './errors.js';
import { findFreePort } from './free-port.js';
import { giveToServerUser, resolveServerUser, type ServerUser } from './os-user.js';
import { ServerExitedEarlyError, waitUntilReady } from './readiness.js';
import type { ServerFacts, SuperuserCredentials } from './server-facts.js';
import { startRunGuard } from './run-guard.js';
import { chooseScratchRoot } from './scratch-directory.js';
import { markLog, readLogSince, readLogTail } from './server-log.js';
import { launchServer, type ServerProcess } from './server-process.js';
import { serverSettings, type TlsFiles } from './server-settings.js';
import { DEFAULT_VARIANT, pgHbaConf, VARIANTS, variantDefinition, type PostgresVariant } from './variants.js';

/** What {@link startClusters} starts. */
export interface StartClustersOptions {
  /** @default 18 */
  readonly major?: PostgresMajor;
  /** One cluster per variant. @default every variant */
  readonly variants?: readonly PostgresVariant[];
  /** @default a fresh test PKI */
  readonly certificates?: TestCertificates;
  /** Per cluster, from launch to the first successful login. @default 30_000 */
  readonly readyTimeoutMs?: number;
  /** Parent of the run's temporary directory. @default /dev/shm when roomy, else the OS temp dir */
  readonly scratchRoot?: string;
}

/** Throwaway clusters, one per variant, sharing one superuser, PKI and temporary directory. */
export interface RunningClusters {
  readonly servers: Partial<Record<PostgresVariant, ServerFacts>>;
  readonly certificates: TestCertificates;
  /** Milliseconds spent, for the startup report. */
  readonly timings: StartupTimings;
  /** Stops every server and deletes the temporary directory. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Where the startup time went, in milliseconds. */
export interface StartupTimings {
  /** The one initdb, plus copying its result for the other variants. */
  readonly dataDirectoriesMs: number;
  /** From the first launch to the last server accepting logins. */
  readonly serversMs: number;
  /** Everything, including locating binaries and creating the PKI. */
  readonly totalMs: number;
}

/** The bootstrap superuser's name; the password is random per run. */
export const SUPERUSER_NAME = 'postgres';

const MAX_PORT_ATTEMPTS = 5;

/**
 * Starts one throwaway cluster per variant: initdb once, copy the result per variant (a copy on tmpfs is
 * about five times faster than initdb), then configure and start all of them in parallel, and wait until
 * the superuser can log in to each with the TLS checks tests will use. On any failure everything started
 * so far is stopped and the error carries the tail of the failing server's log.
 *
 * @example
 * const clusters = await startClusters({ major: 16, variants: ['tls', 'no-tls'] });
 * try { use(clusters.servers.tls); } finally { await clusters.stop(); }
 */
export async function startClusters(options: StartClustersOptions = {}): Promise<RunningClusters> {
  const startedAt = performance.now();
  const major = options.major ?? DEFAULT_MAJOR;
  const variants = [...new Set(options.variants ?? VARIANTS)];
  const [located, user, certificates] = await Promise.all([
    locatePostgresBinaries(major),
    resolveServerUser(),
    options.certificates ?? createTestCertificates(),
  ]);
  const binaries = await runnableBinaries(located, user);

  const runDir = await mkdtemp(path.join(await chooseScratchRoot(options.scratchRoot), `pg-rotator-pg${major}-`));
  await giveToServerUser(runDir, user);
  const guard = await startRunGuard(runDir, user);
  const processes: ServerProcess[] = [];
  const stop = once(async () => {
    await Promise.allSettled(processes.map((server) => server.stop()));
    await rm(runDir, { recursive: true, force: true });
    await guard.release();
  });

  try {
    const superuser: SuperuserCredentials = { username: SUPERUSER_NAME, password: randomPassword() };
    const layouts = variants.map((variant) => clusterLayout(runDir, variant));
    const dataStartedAt = performance.now();
    await prepareDataDirectories({ binaries, user, superuser }, runDir, layouts);
    const serversStartedAt = performance.now();
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const context = { binaries, user, superuser, certificates, processes, timeoutMs };
    const results = await Promise.allSettled(layouts.map((layout) => configureAndLaunch(context, layout)));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;

    const servers: Partial<Record<PostgresVariant, ServerFacts>> = {};
    for (const result of results) if (result.status === 'fulfilled') servers[result.value.variant] = result.value;
    const now = performance.now();
    const timings = {
      dataDirectoriesMs: serversStartedAt - dataStartedAt,
      serversMs: now - serversStartedAt,
      totalMs: now - startedAt,
    };
    return { servers, certificates, timings, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One running cluster; see {@link startCluster}. */
export interface RunningCluster {
  readonly server: ServerFacts;
  readonly certificates: TestCertificates;
  stop(): Promise<void>;
}

/**
 * Starts a single throwaway cluster (initdb straight into its data directory, no template copy).
 *
 * @example
 * const cluster = await startCluster({ major: 18, variant: 'tls' });
 * try { new Client(superuserClientConfig(cluster.server)); } finally { await cluster.stop(); }
 */
export async function startCluster(
  options: Omit<StartClustersOptions, 'variants'> & { readonly variant?: PostgresVariant } = {},
): Promise<RunningCluster> {
  const variant = options.variant ?? DEFAULT_VARIANT;
  const clusters = await startClusters({ ...options, variants: [variant] });
  const server = clusters.servers[variant];
  if (!server) throw new HarnessError('SERVER_START', `no ${variant} server was started`);
  return { server, certificates: clusters.certificates, stop: clusters.stop };
}

/** Where one variant's files live: data directory, certificate, key, Unix socket and log, in one directory. */
interface ClusterLayout {
  readonly variant: PostgresVariant;
  readonly clusterDir: string;
  readonly dataDir: string;
  readonly logFile: string;
}

function clusterLayout(runDir: string, variant: PostgresVariant): ClusterLayout {
  const clusterDir = path.join(runDir, variant);
  const dataDir = path.join(clusterDir, 'data');
  return { variant, clusterDir, dataDir, logFile: path.join(clusterDir, 'postgres.log') };
}

/**
 * One initdb for the whole run: straight into the only cluster, or into a template that is copied for
 * every cluster but one and then moved into that last one.
 */
async function prepareDataDirectories(
  init: { binaries: PostgresBinaries; user: ServerUser | undefined; superuser: SuperuserCredentials },
  runDir: string,
  layouts: readonly ClusterLayout[],
): Promise<void> {
  const { user } = init;
  await Promise.all(layouts.map((layout) => makeServerDirectory(layout.clusterDir, user)));
  const [first, ...others] = layouts;
  if (!first) return;
  if (others.length === 0) {
    await initDataDirectory({ ...init, dataDir: first.dataDir });
    return;
  }
  const template = path.join(runDir, 'template');
  await initDataDirectory({ ...init, dataDir: template });
  await Promise.all(others.map((layout) => copyDataDirectory(template, layout.dataDir, user)));
  await rename(template, first.dataDir);
}

interface LaunchContext {
  readonly binaries: PostgresBinaries;
  readonly user: ServerUser | undefined;
  readonly superuser: SuperuserCredentials;
  readonly certificates: TestCertificates;
  /** Every process launched, so a failure anywhere can stop them all. */
  readonly processes: ServerProcess[];
  readonly timeoutMs: number;
}

/** Writes the variant's pg_hba.conf and certificate, starts postgres on a free port and waits for a login. */
async function configureAndLaunch(context: LaunchContext, layout: ClusterLayout): Promise<ServerFacts> {
  const { binaries, user, superuser, certificates } = context;
  const { variant, clusterDir, dataDir, logFile } = layout;
  const definition = variantDefinition(variant);
  await writeHbaFile(dataDir, pgHbaConf(definition), user);
  const certificate =
    definition.serverCertificate === 'local'
      ? certificates.localServer
      : definition.serverCertificate === 'wrong-host'
        ? certificates.wrongHostServer
        : undefined;
  const tls: TlsFiles | undefined = certificate ? await writeTlsFiles(clusterDir, certificate, user) : undefined;

  for (let attempt = 1; ; attempt += 1) {
    const port = await findFreePort();
    const mark = await markLog(logFile).catch(() => ({ logFile, offset: 0 }));
    const server = await launchServer({
      binaries,
      user,
      dataDir,
      logFile,
      settings: serverSettings({ port, socketDir: clusterDir, tls }),
    });
    context.processes.push(server);
    const facts: ServerFacts = {
      variant,
      host: '127.0.0.1',
      port,
      major: binaries.major,
      version: '',
      superuser,
      caPem: certificate ? certificates.caPem : undefined,
      defaultTls: definition.defaultTls,
      logFile,
    };
    try {
      const identity = await waitUntilReady(superuserClientConfig(facts), server, context.timeoutMs);
      if (identity.major !== binaries.major) {
        throw new HarnessError(
          'SERVER_START',
          `expected PostgreSQL ${binaries.major}, the server is ${identity.version}`,
        );
      }
      return { ...facts, version: identity.version };
    } catch (error) {
      // Another process can take the port between findFreePort and postgres's bind; that is worth a retry.
      // lc_messages=C makes the strerror text stable.
      if (
        error instanceof ServerExitedEarlyError &&
        attempt < MAX_PORT_ATTEMPTS &&
        (await readLogSince(mark)).includes('Address already in use')
      ) {
        await server.stop();
        continue;
      }
      throw new HarnessError(
        'SERVER_START',
        `PostgreSQL ${binaries.major} (${variant}) did not start: ${messageOf(error)}` +
          `\n--- last lines of ${logFile} ---\n${await readLogTail(logFile)}`,
        { cause: error },
      );
    }
  }
}

/** 32 URL-safe characters: nothing to quote in SQL, URLs or shells, and far beyond guessing. */
function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
