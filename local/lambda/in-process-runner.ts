import type { FunctionRunner, RunInput } from './function-runner';
import { errorFromThrown, functionError, resultOutcome, timeoutOutcome } from './invocation-outcome';
import type { InvocationOutcome, RunResult } from './invocation-outcome';
import { contextData, toLambdaContext } from './lambda-context';
import type { InProcessHandler } from './local-function';

/**
 * Runs a handler inside the endpoint's process. Invocations run concurrently, as separate Lambda instances
 * would. A handler past its timeout cannot be stopped: the invocation fails with `Sandbox.Timedout` and the
 * handler's late result is discarded. Its console output is not captured (patching the shared global console
 * is not safe), so the log tail is empty.
 *
 * @example
 * const runner = new InProcessRunner('echo', (event) => event, 3_000);
 * const { outcome } = await runner.run({ event: { a: 1 }, meta: { awsRequestId: id, invokedFunctionArn: arn } });
 */
export class InProcessRunner implements FunctionRunner {
  constructor(
    private readonly functionName: string,
    private readonly handler: InProcessHandler,
    private readonly timeoutMs: number,
  ) {}

  async run({ event, meta }: RunInput): Promise<RunResult> {
    const context = toLambdaContext(contextData(this.functionName, meta, this.timeoutMs));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => resolve(timeoutOutcome(meta.awsRequestId, this.timeoutMs)), this.timeoutMs);
    });
    // `then` also turns a synchronous throw into a rejection.
    const handled = Promise.resolve()
      .then(() => this.handler(event, context))
      .then(resultOutcome, (thrown: unknown) => functionError(errorFromThrown(thrown)));
    try {
      return { outcome: await Promise.race([handled, timedOut]), log: '' };
    } finally {
      clearTimeout(timer);
    }
  }

  async dispose(): Promise<void> {}
}
