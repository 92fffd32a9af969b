import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The `pg-rotator` executable as `npx pg-rotator` runs it (package.json `bin`). */
export const CLI_EXECUTABLE = path.join(root, 'client', 'bin', 'pg-rotator.mjs');

/** What one run of the CLI printed, and how it exited. */
export interface CliRun {
  readonly status: number | null;
  /** stdout parsed as JSON: the response envelope (or the CLI's own error envelope). */
  readonly response: unknown;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * The child's environment: the parent's, minus every AWS_* variable (a developer's real profile, keys or endpoint
 * overrides must not reach the demo's calls), plus placeholder credentials and a region. The local endpoints do
 * not check signatures, but the AWS SDK refuses to sign without credentials.
 */
export function cliEnvironment(parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(parent).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    // A pasted command may run on a Node older than 22, where the SDK notices that its future releases need 22: not
    // the demo's story.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Runs `pg-rotator <args>` in a child process, feeding `stdin` when given. */
export async function runCli(args: readonly string[], stdin?: string): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_EXECUTABLE, ...args], { cwd: root, env: cliEnvironment(process.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(stdin ?? '');
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  let response: unknown = null;
  try {
    response = JSON.parse(stdout);
  } catch {
    // Left null: the caller reports the exit status and stderr.
  }
  return { status, response, stderr, ms: performance.now() - started };
}
