import { CommandWorker } from './command-worker';
import type { FunctionRunner } from './function-runner';
import { InProcessRunner } from './in-process-runner';
import type { ResolvedLocalFunction } from './local-function';

/** Where a runner's function log lines go: the function's name and one line. */
export type FunctionLogSink = (functionName: string, line: string) => void;

/**
 * Makes the runner for a registered function's code.
 *
 * @example
 * const runner = createRunner('rotator', parseLocalFunction(fn), 'us-east-1');
 */
export function createRunner(
  functionName: string,
  fn: ResolvedLocalFunction,
  region: string,
  onLog?: FunctionLogSink,
): FunctionRunner {
  if (fn.kind === 'in-process') return new InProcessRunner(functionName, fn.handler, fn.timeoutMs);
  return new CommandWorker({
    functionName,
    region,
    command: fn.command,
    args: fn.args,
    env: fn.env,
    ...(fn.cwd !== undefined && { cwd: fn.cwd }),
    timeoutMs: fn.timeoutMs,
    ...(onLog && { onLog: (line: string) => onLog(functionName, line) }),
  });
}
