import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { binaryEnvironment, type PostgresBinaries } from './binaries.js';
import { HarnessError } from './errors.js';
import type { ServerUser } from './os-user.js';
import { settingsAsArguments } from './server-settings.js';

/** What {@link launchServer} starts. */
export interface LaunchServerOptions {
  readonly binaries: PostgresBinaries;
  readonly user: ServerUser | undefined;
  readonly dataDir: string;
  readonly settings: Record<string, string>;
  /** postgres's stderr, which with `log_destination = stderr` is its whole log, is appended here. */
  readonly logFile: string;
}

/** A running postmaster. */
export interface ServerProcess {
  /** Resolves with the exit code (or undefined after a signal) once postgres has exited, for any reason. */
  readonly exited: Promise<number | undefined>;
  hasExited(): boolean;
  /** Immediate shutdown (SIGQUIT), SIGKILL after 10 s; resolves when the process is gone. Idempotent. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts postgres in the background and returns once it is spawned, not once it is ready. It runs in its
 * own session, so Ctrl-C in a terminal reaches only the harness, which then stops it in order; should the
 * harness die instead, the run guard (run-guard.ts) stops it. Unreferenced, so it never keeps a script alive.
 *
 * @example
 * const server = await launchServer({ binaries, user, dataDir, settings, logFile });
 * await server.stop();
 */
export async function launchServer(options: LaunchServerOptions): Promise<ServerProcess> {
  const { binaries, user, dataDir, settings, logFile } = options;
  const log = await open(logFile, 'a', 0o600);
  let child;
  try {
    child = spawn(binaries.postgres, ['-D', dataDir, ...settingsAsArguments(settings)], {
      stdio: ['ignore', 'ignore', log.fd],
      cwd: '/',
      detached: true,
      env: binaryEnvironment(binaries),
      uid: user?.uid,
      gid: user?.gid,
    });
  } finally {
    await log.close();
  }

  let hasExited = false;
  const exited = new Promise<number | undefined>((resolve) => {
    child.once('exit', (code) => {
      hasExited = true;
      resolve(code ?? undefined);
    });
    // spawn failures (a uid the kernel refuses, a missing binary) arrive here, without 'exit'.
    child.once('error', () => {
      hasExited = true;
      resolve(undefined);
    });
  });
  child.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (hasExited) return;
      // Hold the event loop open until postgres is gone, or a script awaiting stop() could exit early.
      child.ref();
      child.kill('SIGQUIT');
      let timer: NodeJS.Timeout | undefined;
      const stoppedInTime = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (!stoppedInTime) {
        child.kill('SIGKILL');
        await exited;
        throw new HarnessError(
          'SERVER_STOP',
          `postgres in ${dataDir} ignored SIGQUIT for ${STOP_TIMEOUT_MS} ms and was killed`,
        );
      }
    })());

  return { exited, hasExited: () => hasExited, stop };
}
