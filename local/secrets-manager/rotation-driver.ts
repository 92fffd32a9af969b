import { randomBytes } from 'node:crypto';
import type { RetryState, RotationRetries } from './rotation-retries';
import { shouldRetry } from './rotation-retries';
import type {
  AttemptTrigger,
  RotationEvent,
  RotationOutcome,
  RotationStep,
  RotationStepResult,
  StepInvoker,
} from './rotation-outcome';
import { ROTATION_STEPS, describeFunctionError } from './rotation-outcome';

/**
 * Runs a rotation the way Secrets Manager does once RotateSecret has answered: it invokes the rotation function once
 * per step, createSecret -> setSecret -> testSecret -> finishSecret, each a synchronous (RequestResponse) invocation
 * so the steps never overlap, and stops at the first step that fails, leaving AWSPENDING where it is ("When rotation
 * is unsuccessful, the AWSPENDING staging label might be attached to an empty secret version"). Then it retries the
 * whole rotation with the same token, as Secrets Manager does (`rotation-retries.ts`). With RotateImmediately=false
 * only testSecret runs, once, and the pending version is removed afterwards whatever the result.
 *
 * The driver keeps every attempt's outcome so tests can await and inspect rotations. It never logs: events carry a
 * RotationToken and function errors may carry anything.
 */

/** What the driver may do to the store: narrow on purpose. */
export interface RotationHooks {
  /** All steps succeeded: record LastRotatedDate. */
  onSuccess(secretArn: string, versionId: string): void;
  /** The RotateImmediately=false test is over: remove its pending version. */
  onTestFinished(secretArn: string, versionId: string): void;
  /** The labels of a version now. */
  stagesOf(secretArn: string, versionId: string): readonly string[];
  /** What the retry decision needs to know about the secret now. */
  retryState(secretArn: string, versionId: string): RetryState;
}

/** A rotation to run. */
export interface RotationPlan {
  readonly secretArn: string;
  readonly secretName: string;
  readonly versionId: string;
  readonly lambdaArn: string;
  readonly mode: 'rotate' | 'test-only';
}

/** One rotation: its attempts one after the other, with the pauses between them. */
interface Chain {
  readonly plan: RotationPlan;
  cancelled: boolean;
  /** The attempt under way: its RotationToken and whether a PutSecretValue carried it. */
  current?: { readonly rotationToken: string; rotationTokenUsed: boolean };
  /** Ends the pause before a retry early (cancellation, shutdown). */
  wake?: () => void;
}

/**
 * Drives rotations and remembers how every attempt ended.
 *
 * @example
 * const driver = new RotationDriver({ invoke, hooks, clock: () => new Date(), retries: { maxRetries: 3, delayMs: 20 } });
 * driver.start({ secretArn, secretName, versionId, lambdaArn, mode: 'rotate' }, 'RotateSecret');
 * const attempts = await driver.settled((o) => o.secretArn === secretArn);
 */
export class RotationDriver {
  readonly #running = new Map<string, { chain: Chain; promise: Promise<RotationOutcome> }>();
  readonly #history: RotationOutcome[] = [];

  constructor(
    private readonly deps: {
      invoke: StepInvoker | undefined;
      hooks: RotationHooks;
      clock: () => Date;
      retries: RotationRetries;
    },
  ) {}

  /** True while a rotation of this secret is under way, including the pause before a retry. */
  isRunning(secretArn: string): boolean {
    return this.#running.has(secretArn);
  }

  /** Starts a rotation in the background; the promise settles (never rejects) with its last attempt's outcome. */
  start(plan: RotationPlan, trigger: Exclude<AttemptTrigger, 'retry'>): Promise<RotationOutcome> {
    const chain: Chain = { plan, cancelled: false };
    const promise = this.#drive(chain, trigger).finally(() => this.#running.delete(plan.secretArn));
    this.#running.set(plan.secretArn, { chain, promise });
    return promise;
  }

  /** CancelRotateSecret: no further step, and no retry, of the running rotation. */
  cancel(secretArn: string): void {
    const entry = this.#running.get(secretArn);
    if (entry) this.#stop(entry.chain);
  }

  /** Cancels every running rotation (used when the endpoint closes). */
  cancelAll(): void {
    for (const { chain } of this.#running.values()) this.#stop(chain);
  }

  /** Marks the attempt whose RotationToken a PutSecretValue carried. The token is compared, never stored elsewhere. */
  noteRotationToken(token: string): void {
    for (const { chain } of this.#running.values()) if (chain.current?.rotationToken === token) chain.current.rotationTokenUsed = true;
  }

  /**
   * Waits until no matching rotation runs (retries included), then returns every matching attempt's outcome,
   * oldest first.
   */
  async settled(match: (plan: { secretArn: string; secretName: string }) => boolean = () => true): Promise<RotationOutcome[]> {
    for (;;) {
      const running = [...this.#running.values()].filter((r) => match(r.chain.plan)).map((r) => r.promise);
      if (running.length === 0) break;
      await Promise.allSettled(running);
    }
    return this.#history.filter((o) => match(o));
  }

  /** Every matching attempt's outcome so far, oldest first, without waiting for anything. */
  history(match: (plan: { secretArn: string; secretName: string }) => boolean = () => true): RotationOutcome[] {
    return this.#history.filter((o) => match(o));
  }

  #stop(chain: Chain): void {
    chain.cancelled = true;
    chain.wake?.();
  }

  async #drive(chain: Chain, first: AttemptTrigger): Promise<RotationOutcome> {
    const { plan } = chain;
    let trigger = first;
    const retrying = (outcome: RotationOutcome) => {
      const state = this.#safely(() => this.deps.hooks.retryState(plan.secretArn, plan.versionId));
      return !chain.cancelled && state !== undefined && shouldRetry(outcome, this.deps.retries, state);
    };
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(chain, trigger, attempt);
      this.#history.push(outcome);
      if (!retrying(outcome)) return outcome;
      await this.#pause(chain, this.deps.retries.delayMs);
      // Asked again: the secret may have been deleted, or the rotation cancelled or abandoned, during the pause.
      if (!retrying(outcome)) return outcome;
      trigger = 'retry';
    }
  }

  #pause(chain: Chain, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        chain.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      chain.wake = done;
    });
  }

  async #attempt(chain: Chain, trigger: AttemptTrigger, attempt: number): Promise<RotationOutcome> {
    const { plan } = chain;
    // A fresh RotationToken per attempt: it identifies the invocation chain, not the version.
    const run = { rotationToken: randomBytes(32).toString('base64url'), rotationTokenUsed: false };
    chain.current = run;
    const startedAt = this.deps.clock();
    const steps = plan.mode === 'rotate' ? ROTATION_STEPS : (['testSecret'] as const);
    const results: RotationStepResult[] = [];
    let error: RotationOutcome['error'];
    try {
      for (const step of steps) {
        if (chain.cancelled) break;
        const result = await this.#invokeStep(plan, run.rotationToken, step);
        results.push(result.step);
        if (result.error) {
          error = result.error;
          break;
        }
      }
    } finally {
      if (plan.mode === 'test-only') this.#safely(() => this.deps.hooks.onTestFinished(plan.secretArn, plan.versionId));
    }
    const succeeded = error === undefined && results.length === steps.length;
    if (succeeded && plan.mode === 'rotate') this.#safely(() => this.deps.hooks.onSuccess(plan.secretArn, plan.versionId));
    const failed = results.find((r) => !r.ok);
    return {
      secretArn: plan.secretArn,
      secretName: plan.secretName,
      versionId: plan.versionId,
      mode: plan.mode,
      trigger,
      attempt,
      stepsRun: results.map((r) => r.step),
      steps: results,
      ...(failed ? { failedStep: failed.step } : {}),
      ...(error ? { error } : {}),
      cancelled: chain.cancelled && !succeeded,
      succeeded,
      rotationTokenUsed: run.rotationTokenUsed,
      versionStagesAfter: [...(this.#safely(() => this.deps.hooks.stagesOf(plan.secretArn, plan.versionId)) ?? [])],
      startedAt,
      finishedAt: this.deps.clock(),
    };
  }

  /** The secret may be force-deleted mid-rotation; the hooks then have nothing to update, which is fine. */
  #safely<T>(action: () => T): T | undefined {
    try {
      return action();
    } catch {
      return undefined;
    }
  }

  async #invokeStep(
    plan: RotationPlan,
    rotationToken: string,
    step: RotationStep,
  ): Promise<{ step: RotationStepResult; error?: NonNullable<RotationOutcome['error']> }> {
    const event: RotationEvent = {
      Step: step,
      SecretId: plan.secretArn,
      ClientRequestToken: plan.versionId,
      RotationToken: rotationToken,
    };
    if (!this.deps.invoke) {
      const error = {
        source: 'invoke' as const,
        type: 'NoLambdaEndpoint',
        message: 'The local Secrets Manager was started without lambdaEndpoint, so it cannot invoke rotation functions.',
      };
      return { step: { step, ok: false, errorType: error.type, errorMessage: error.message }, error };
    }
    try {
      const answer = await this.deps.invoke(plan.lambdaArn, event);
      if (!answer.functionError) return { step: { step, ok: true } };
      const { type, message } = describeFunctionError(answer.payload);
      return {
        step: { step, ok: false, functionError: answer.functionError, errorType: type, errorMessage: message },
        error: { source: 'function', type, message },
      };
    } catch (thrown) {
      const type = thrown instanceof Error ? thrown.name : 'Error';
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      return { step: { step, ok: false, errorType: type, errorMessage: message }, error: { source: 'invoke', type, message } };
    }
  }
}
