import type { RunResult } from './invocation-outcome';
import type { InvocationMeta } from './lambda-context';

/** One invocation handed to a runner: the parsed payload and what the endpoint knows about the call. */
export interface RunInput {
  readonly event: unknown;
  readonly meta: InvocationMeta;
}

/**
 * Runs a registered function's code. `run` never rejects: every failure of the function, its timeout and its
 * worker dying are outcomes. `dispose` stops whatever the runner keeps warm.
 */
export interface FunctionRunner {
  run(input: RunInput): Promise<RunResult>;
  dispose(): Promise<void>;
}
