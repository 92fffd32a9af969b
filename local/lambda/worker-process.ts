import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How to start a worker process. */
export interface WorkerSpawnOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** How a worker process ended: an exit code or signal, or the errno code when it could not be spawned. */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly spawnError?: string;
}

/** Callbacks of one worker process; `onExit` is called exactly once, after the last output line. */
export interface WorkerProcessEvents {
  onStdoutLine(line: string): void;
  onStderrLine(line: string): void;
  onExit(exit: WorkerExit): void;
}

// After 'exit', output still in the pipes arrives before 'close'; if something the worker started keeps the
// pipes open, 'close' never comes, so stop waiting after this long.
const CLOSE_GRACE_MS = 250;

/**
 * One external worker process with line-based stdio. It runs in its own process group so that killing it also
 * kills what it started (`tsx` runs the script in a child process, a shell script runs its interpreter).
 *
 * @example
 * const proc = WorkerProcess.start({ command: 'python3', args: ['loop.py'], env: process.env }, events);
 * proc.send('{"event":{},"context":{...}}\n');
 * proc.kill();
 * await proc.exited;
 */
export class WorkerProcess {
  /** Settles when the process has ended and {@link WorkerProcessEvents.onExit} has run. */
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private ended = false;

  private constructor(options: WorkerSpawnOptions, events: WorkerProcessEvents) {
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A new process group, so kill() reaches grandchildren; POSIX only.
      detached: process.platform !== 'win32',
    });
    const child = this.child;
    let markExited: () => void = () => undefined;
    this.exited = new Promise((resolve) => (markExited = resolve));
    const settle = (exit: WorkerExit): void => {
      if (this.ended) return;
      this.ended = true;
      events.onExit(exit);
      markExited();
    };

    const lines = (input: NodeJS.ReadableStream | null, onLine: (line: string) => void): void => {
      if (input) createInterface({ input, crlfDelay: Infinity }).on('line', onLine);
    };
    lines(child.stdout, (line) => events.onStdoutLine(line));
    lines(child.stderr, (line) => events.onStderrLine(line));
    // Writing to a worker that just died raises EPIPE here; the exit path reports the failure.
    child.stdin?.on('error', () => undefined);

    child.on('error', (error: NodeJS.ErrnoException) => {
      // Also raised when a kill fails; only a failed spawn (no pid) ends the worker.
      if (child.pid === undefined) settle({ code: null, signal: null, spawnError: error.code ?? 'UNKNOWN' });
    });
    child.on('exit', (code, signal) => {
      setTimeout(() => settle({ code, signal }), CLOSE_GRACE_MS).unref();
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => settle({ code, signal }));
  }

  /** Starts a worker. Spawn failures (e.g. ENOENT) are reported through `onExit`, not thrown. */
  static start(options: WorkerSpawnOptions, events: WorkerProcessEvents): WorkerProcess {
    return new WorkerProcess(options, events);
  }

  /** The operating system's id of the worker (its process group id too), once spawned. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Writes a line; if the worker is gone the write is dropped and the exit is reported separately. */
  send(line: string): void {
    if (this.child.stdin?.writable) this.child.stdin.write(line);
  }

  /** Kills the worker's whole process group with SIGKILL, as Lambda discards a timed-out environment. */
  kill(): void {
    const pid = this.child.pid;
    // Once ended, the group is gone and its id may be reused. Before that the group is killed even if its
    // leader already exited, since a member may still hold the pipes.
    if (pid === undefined || this.ended) return;
    try {
      if (process.platform === 'win32') this.child.kill('SIGKILL');
      else process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
    // Closing stdin ends a worker that is reading it even if the signal missed it.
    this.child.stdin?.destroy();
  }
}
