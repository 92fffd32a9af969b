import { execFile } from 'node:child_process';
import path from 'node:path';
import { HarnessError } from './errors.js';

/** How {@link runCommand} runs a program. */
export interface RunCommandOptions {
  /** Run as this account instead of the current one (needs root): os-user.ts's ServerUser. */
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
  /** The complete environment of the program; the harness's own environment is not inherited. */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 60_000 */
  readonly timeoutMs?: number;
}

/**
 * Runs a program to completion and returns its output, or throws `COMMAND_FAILED` with the tail of its
 * stderr. Callers must not pass secrets as arguments: arguments appear in the error message and in `ps`.
 *
 * @example
 * const { stdout } = await runCommand('id', ['-u', 'postgres']);
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const { user, env = minimalEnvironment(), timeoutMs = 60_000 } = options;
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      // cwd '/': the server user may not be allowed into the caller's working directory (say, under /root).
      { cwd: '/', env, timeout: timeoutMs, uid: user?.uid, gid: user?.gid, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const tail = lastLines(`${stderr}\n${stdout}`, 15);
        reject(
          new HarnessError(
            'COMMAND_FAILED',
            `${path.basename(file)} ${args.join(' ')} failed (${error.code ?? error.signal ?? 'error'})` +
              (tail ? `:\n${tail}` : ''),
            { cause: error },
          ),
        );
      },
    );
  });
}

/**
 * The environment every harness child process gets: a PATH, the C locale (the binaries ship no other
 * locale data and English messages keep logs greppable) and nothing from the caller, so variables such as
 * PGPASSWORD or PGHOST cannot leak into a server or initdb.
 */
export function minimalEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    // sbin is appended because useradd lives there and some CI images leave it out of PATH.
    PATH: `${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}:/usr/sbin:/sbin`,
    LANG: 'C',
    LC_ALL: 'C',
    TZ: 'UTC',
    ...extra,
  };
}

/** The last `count` non-empty lines of `text`. */
export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}
