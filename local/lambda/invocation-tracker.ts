/** How a recorded invocation ended; never the payload or the result, which may carry credentials. */
export type InvocationRecordOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'function-error'; readonly errorType: string };

/** One finished invocation, for test assertions. */
export interface InvocationRecord {
  readonly functionName: string;
  readonly awsRequestId: string;
  readonly invocationType: 'RequestResponse' | 'Event';
  /** Size of the request payload in bytes. */
  readonly payloadBytes: number;
  readonly outcome: InvocationRecordOutcome;
  readonly durationMs: number;
}

/**
 * Tracks running invocations (synchronous and `Event` ones alike) so callers can wait for quiet, and keeps a
 * record of each finished one.
 *
 * @example
 * const tracker = new InvocationTracker();
 * void tracker.track(runInBackground());
 * await tracker.whenIdle();
 */
export class InvocationTracker {
  private readonly running = new Set<Promise<void>>();
  private readonly records: InvocationRecord[] = [];

  /** Counts `work` as running until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<void> = work
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.running.delete(settled));
    this.running.add(settled);
    return work;
  }

  record(record: InvocationRecord): void {
    this.records.push(record);
  }

  /** Finished invocations in completion order, optionally of one function. */
  list(functionName?: string): readonly InvocationRecord[] {
    return this.records.filter((record) => functionName === undefined || record.functionName === functionName);
  }

  /** Resolves once nothing is running, including invocations started while waiting. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
