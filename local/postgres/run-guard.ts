import { spawn } from 'node:child_process';
import { HarnessError } from './errors.js';
import type { ServerUser } from './os-user.js';
import { minimalEnvironment } from './run-command.js';

/**
 * Runs as a detached shell next to the harness and waits for its stdin (a pipe from the harness) to reach
 * end-of-file. That happens when the harness releases it after an orderly stop, and also when the kernel
 * closes the pipe of a harness that died in any way: SIGKILL, Ctrl-C in the middle of initdb, a crashed
 * vitest. It then sends SIGQUIT (PostgreSQL's immediate shutdown) to every postmaster of the run and
 * deletes the run directory, retrying while dying servers or an orphaned initdb still write into it.
 * A pid is only signalled when its command line names the run directory, so a stale postmaster.pid
 * cannot make the guard signal a recycled pid.
 */
const GUARD_SCRIPT = `
dir=$1
read -r _ignored
for pidfile in "$dir"/*/data/postmaster.pid; do
  [ -f "$pidfile" ] || continue
  read -r pid < "$pidfile"
  if grep -qaF "$dir" "/proc/$pid/cmdline" 2>/dev/null; then kill -QUIT "$pid" 2>/dev/null; fi
done
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  rm -rf "$dir" 2>/dev/null
  [ -e "$dir" ] || exit 0
  sleep 0.25
done
exit 1
`;

/** Holds a run directory for the harness; see {@link startRunGuard}. */
export interface RunGuard {
  /** Lets the guard clean up and exit; resolves when it has. Call it after the harness's own cleanup. */
  release(): Promise<void>;
}

/**
 * Starts the guard of a run directory: from now on the directory, and every server started in it, is
 * removed when the harness goes away, however it goes. Unreferenced, so it never keeps a script alive.
 *
 * @example
 * const guard = await startRunGuard(runDir, user);
 * try { ... } finally { await rm(runDir, { recursive: true, force: true }); await guard.release(); }
 */
export async function startRunGuard(runDir: string, user: ServerUser | undefined): Promise<RunGuard> {
  const child = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'pg-rotator-guard', runDir], {
    // Its own session: Ctrl-C in a terminal reaches the harness, not the guard.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    cwd: '/',
    env: minimalEnvironment(),
    uid: user?.uid,
    gid: user?.gid,
  });
  const gone = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (cause) =>
      reject(new HarnessError('SERVER_START', 'cannot start the cleanup guard (/bin/sh)', { cause })),
    );
  });
  const { stdin } = child;
  if (!stdin) throw new HarnessError('SERVER_START', 'the cleanup guard was spawned without a stdin pipe');
  child.unref();
  (stdin as unknown as { unref?: () => void }).unref?.();

  let releasing: Promise<void> | undefined;
  return {
    release: () =>
      (releasing ??= (async () => {
        child.ref();
        stdin.end();
        await gone;
      })()),
  };
}
