import { performance } from 'node:perf_hooks';
import type { FunctionRunner, RunInput } from './function-runner';
import { entrypointOutcome, exitOutcome, functionError, resultOutcome, timeoutOutcome } from './invocation-outcome';
import type { InvocationOutcome, RunResult } from './invocation-outcome';
import { contextData } from './lambda-context';
import { DEFAULT_MEMORY_MB, LATEST } from './local-function';
import { LogTail } from './log-tail';
import { encodeWorkerRequest, parseWorkerResponse } from './worker-protocol';
import type { WorkerResponse } from './worker-protocol';
import { WorkerProcess } from './worker-process';
import type { WorkerExit } from './worker-process';

/** A command function, with defaults filled in, plus what the worker's environment needs to say. */
export interface CommandWorkerOptions {
  readonly functionName: string;
  readonly region: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly timeoutMs: number;
  /** Receives every line the worker writes to stderr and every non-response stdout line. */
  readonly onLog?: (line: string) => void;
}

interface Job {
  readonly input: RunInput;
  readonly resolve: (result: RunResult) => void;
}

interface ActiveJob {
  readonly job: Job;
  readonly proc: WorkerProcess;
  readonly log: LogTail;
  readonly timer: NodeJS.Timeout;
  readonly startedAt: number;
}

/**
 * Runs a function as an external command kept warm between invocations, like one Lambda execution
 * environment: started on the first invocation, reused afterwards, one invocation at a time (the others
 * wait in order). If the worker dies mid-invocation, that invocation fails with `Runtime.ExitError` and the
 * next one starts a fresh worker; a timeout kills the worker. Speaks the protocol of `worker-protocol.ts`.
 *
 * The worker inherits this process's environment, plus the variables Lambda sets (`AWS_REGION`,
 * `AWS_LAMBDA_FUNCTION_NAME`, ...), plus the function's own `env`.
 *
 * @example
 * const worker = new CommandWorker({ functionName: 'rotator', region: 'us-east-1', command: 'python3',
 *   args: ['loop.py'], env: {}, timeoutMs: 30_000 });
 * const { outcome } = await worker.run({ event, meta });
 * await worker.dispose();
 */
export class CommandWorker implements FunctionRunner {
  private proc: WorkerProcess | undefined;
  private active: ActiveJob | undefined;
  private readonly queue: Job[] = [];
  private disposed = false;

  constructor(private readonly options: CommandWorkerOptions) {}

  run(input: RunInput): Promise<RunResult> {
    if (this.disposed) return Promise.resolve({ outcome: closedOutcome(input.meta.awsRequestId), log: '' });
    return new Promise((resolve) => {
      this.queue.push({ input, resolve });
      this.next();
    });
  }

  /** Fails queued invocations, kills the worker (failing the running one) and waits for it to end. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const job of this.queue.splice(0)) {
      job.resolve({ outcome: closedOutcome(job.input.meta.awsRequestId), log: '' });
    }
    const proc = this.proc;
    this.proc = undefined;
    if (proc) {
      proc.kill();
      await proc.exited;
    }
  }

  private next(): void {
    if (this.active || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    const proc = this.proc ?? this.spawn();
    const { awsRequestId } = job.input.meta;
    const { timeoutMs } = this.options;
    const log = new LogTail();
    log.append(`START RequestId: ${awsRequestId} Version: ${LATEST}`);
    const timer = setTimeout(() => {
      // Retire first, so the next queued invocation starts a fresh worker instead of the one being killed.
      this.retire(proc);
      this.finish(proc, timeoutOutcome(awsRequestId, timeoutMs));
    }, timeoutMs);
    this.active = { job, proc, log, timer, startedAt: performance.now() };
    // The deadline counts from dispatch, not from queueing: queued calls would run in other environments on AWS.
    const context = contextData(this.options.functionName, job.input.meta, timeoutMs);
    proc.send(encodeWorkerRequest(job.input.event, context));
  }

  private finish(proc: WorkerProcess, outcome: InvocationOutcome): void {
    const active = this.active;
    if (!active || active.proc !== proc) return;
    clearTimeout(active.timer);
    this.active = undefined;
    const { awsRequestId } = active.job.input.meta;
    const durationMs = (performance.now() - active.startedAt).toFixed(2);
    active.log.append(`END RequestId: ${awsRequestId}`);
    active.log.append(
      `REPORT RequestId: ${awsRequestId}\tDuration: ${durationMs} ms\tMemory Size: ${DEFAULT_MEMORY_MB} MB`,
    );
    active.job.resolve({ outcome, log: active.log.toString() });
    this.next();
  }

  private retire(proc: WorkerProcess): void {
    if (this.proc === proc) this.proc = undefined;
    proc.kill();
  }

  private spawn(): WorkerProcess {
    const { functionName, region, command, args, env, cwd, onLog } = this.options;
    const log = (proc: WorkerProcess, line: string): void => {
      if (this.active?.proc === proc) this.active.log.append(line);
      onLog?.(line);
    };
    const proc: WorkerProcess = WorkerProcess.start(
      {
        command,
        args,
        cwd,
        env: {
          ...process.env,
          // The variables Lambda defines for every runtime (Lambda developer guide, "Defined runtime
          // environment variables") that a handler may read.
          AWS_REGION: region,
          AWS_DEFAULT_REGION: region,
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_FUNCTION_VERSION: LATEST,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(DEFAULT_MEMORY_MB),
          ...env,
        },
      },
      {
        onStdoutLine: (line) => {
          const response = parseWorkerResponse(line);
          if (response && this.active?.proc === proc) this.finish(proc, responseOutcome(response));
          else log(proc, line);
        },
        onStderrLine: (line) => log(proc, line),
        onExit: (exit) => {
          if (this.proc === proc) this.proc = undefined;
          const requestId = this.active?.proc === proc ? this.active.job.input.meta.awsRequestId : '';
          this.finish(proc, exitedOutcome(requestId, exit));
        },
      },
    );
    this.proc = proc;
    return proc;
  }
}

function responseOutcome(response: WorkerResponse): InvocationOutcome {
  return response.kind === 'result' ? resultOutcome(response.result) : functionError(response.error);
}

function exitedOutcome(requestId: string, exit: WorkerExit): InvocationOutcome {
  return exit.spawnError !== undefined
    ? entrypointOutcome(requestId, exit.spawnError)
    : exitOutcome(requestId, exit.code, exit.signal);
}

function closedOutcome(requestId: string): InvocationOutcome {
  return functionError({
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: the local Lambda endpoint closed`,
  });
}
