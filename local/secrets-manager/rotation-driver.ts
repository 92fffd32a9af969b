import { randomBytes } from 'node:crypto';

/**
 * Runs a rotation the way Secrets Manager does once RotateSecret has answered: it invokes the rotation function once
 * per step, createSecret -> setSecret -> testSecret -> finishSecret, each a synchronous (RequestResponse) invocation
 * so the steps never overlap, and stops at the first step that fails, leaving AWSPENDING where it is ("When rotation
 * is unsuccessful, the AWSPENDING staging label might be attached to an empty secret version"). With
 * RotateImmediately=false only testSecret runs, and the pending version is removed afterwards whatever the result.
 *
 * The driver keeps every outcome so tests can await and inspect rotations. It never logs: events carry a
 * RotationToken and function errors may carry anything.
 */

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/** One step of the rotation protocol. */
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The event Secrets Manager sends the rotation function (SecretId is the ARN, as AWS sends it; moto sends the name). */
export interface RotationEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken: string;
}

/** What an invocation answered: the Invoke API's FunctionError and Payload. */
export interface InvokeResult {
  readonly functionError?: string | undefined;
  readonly payload?: Uint8Array | undefined;
}

/** Invokes the rotation function synchronously; throws when the invocation itself fails. */
export type StepInvoker = (functionArn: string, event: RotationEvent) => Promise<InvokeResult>;

/** How one step went. */
export interface RotationStepResult {
  readonly step: RotationStep;
  readonly ok: boolean;
  /** `Unhandled` / `Handled` when the function failed. */
  readonly functionError?: string;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/** How a rotation ended. */
export interface RotationOutcome {
  readonly secretArn: string;
  readonly secretName: string;
  /** The ClientRequestToken, i.e. the VersionId of the AWSPENDING version. */
  readonly versionId: string;
  /** `rotate` runs all four steps; `test-only` is RotateImmediately=false. */
  readonly mode: 'rotate' | 'test-only';
  /** The steps invoked, in order. */
  readonly stepsRun: readonly RotationStep[];
  readonly steps: readonly RotationStepResult[];
  readonly failedStep?: RotationStep;
  /** Why it stopped: the function failed, or the invocation did (no such function, endpoint down, ...). */
  readonly error?: { readonly source: 'function' | 'invoke'; readonly type: string; readonly message: string };
  /** CancelRotateSecret stopped it before a step. */
  readonly cancelled: boolean;
  /** Every planned step ran and succeeded. */
  readonly succeeded: boolean;
  /** A PutSecretValue carried this rotation's RotationToken (the function forwarded it). */
  readonly rotationTokenUsed: boolean;
  /** The labels of the version when the rotation ended (empty if the version is gone). */
  readonly versionStagesAfter: readonly string[];
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** What the driver may do to the store: narrow on purpose. */
export interface RotationHooks {
  /** All steps succeeded: record LastRotatedDate. */
  onSuccess(secretArn: string, versionId: string): void;
  /** The RotateImmediately=false test is over: remove its pending version. */
  onTestFinished(secretArn: string, versionId: string): void;
  /** The labels of a version now. */
  stagesOf(secretArn: string, versionId: string): readonly string[];
}

/** A rotation to run. */
export interface RotationPlan {
  readonly secretArn: string;
  readonly secretName: string;
  readonly versionId: string;
  readonly lambdaArn: string;
  readonly mode: 'rotate' | 'test-only';
}

interface Run {
  readonly plan: RotationPlan;
  readonly rotationToken: string;
  cancelled: boolean;
  rotationTokenUsed: boolean;
}

function describeFunctionError(payload: Uint8Array | undefined): { type: string; message: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      return {
        type: typeof record.errorType === 'string' ? record.errorType : 'Unknown',
        message: typeof record.errorMessage === 'string' ? record.errorMessage : '',
      };
    }
  } catch {
    // Not JSON: the function answered something other than Lambda's error document.
  }
  return { type: 'Unknown', message: '' };
}

/**
 * Drives rotations and remembers how they ended.
 *
 * @example
 * const driver = new RotationDriver({ invoke, hooks, clock: () => new Date() });
 * driver.start({ secretArn, secretName, versionId, lambdaArn, mode: 'rotate' });
 * const [outcome] = await driver.settled((o) => o.secretArn === secretArn);
 */
export class RotationDriver {
  readonly #running = new Map<string, { run: Run; promise: Promise<RotationOutcome> }>();
  readonly #history: RotationOutcome[] = [];

  constructor(
    private readonly deps: { invoke: StepInvoker | undefined; hooks: RotationHooks; clock: () => Date },
  ) {}

  /** True while a rotation of this secret is under way. */
  isRunning(secretArn: string): boolean {
    return this.#running.has(secretArn);
  }

  /** Starts a rotation in the background; the promise settles (never rejects) with its outcome. */
  start(plan: RotationPlan): Promise<RotationOutcome> {
    const run: Run = { plan, rotationToken: randomBytes(32).toString('base64url'), cancelled: false, rotationTokenUsed: false };
    const promise = this.#drive(run).finally(() => this.#running.delete(plan.secretArn));
    this.#running.set(plan.secretArn, { run, promise });
    return promise;
  }

  /** CancelRotateSecret: no further step of the running rotation is invoked. */
  cancel(secretArn: string): void {
    const entry = this.#running.get(secretArn);
    if (entry) entry.run.cancelled = true;
  }

  /** Cancels every running rotation (used when the endpoint closes). */
  cancelAll(): void {
    for (const { run } of this.#running.values()) run.cancelled = true;
  }

  /** Marks the rotation whose RotationToken a PutSecretValue carried. The token is compared, never stored elsewhere. */
  noteRotationToken(token: string): void {
    for (const { run } of this.#running.values()) if (run.rotationToken === token) run.rotationTokenUsed = true;
  }

  /** Waits until no matching rotation runs, then returns every matching outcome, oldest first. */
  async settled(match: (plan: { secretArn: string; secretName: string }) => boolean = () => true): Promise<RotationOutcome[]> {
    for (;;) {
      const running = [...this.#running.values()].filter((r) => match(r.run.plan)).map((r) => r.promise);
      if (running.length === 0) break;
      await Promise.allSettled(running);
    }
    return this.#history.filter((o) => match(o));
  }

  async #drive(run: Run): Promise<RotationOutcome> {
    const { plan } = run;
    const startedAt = this.deps.clock();
    const steps = plan.mode === 'rotate' ? ROTATION_STEPS : (['testSecret'] as const);
    const results: RotationStepResult[] = [];
    let error: RotationOutcome['error'];
    try {
      for (const step of steps) {
        if (run.cancelled) break;
        const result = await this.#invokeStep(run, step);
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
    const outcome: RotationOutcome = {
      secretArn: plan.secretArn,
      secretName: plan.secretName,
      versionId: plan.versionId,
      mode: plan.mode,
      stepsRun: results.map((r) => r.step),
      steps: results,
      ...(failed ? { failedStep: failed.step } : {}),
      ...(error ? { error } : {}),
      cancelled: run.cancelled && !succeeded,
      succeeded,
      rotationTokenUsed: run.rotationTokenUsed,
      versionStagesAfter: [...(this.#safely(() => this.deps.hooks.stagesOf(plan.secretArn, plan.versionId)) ?? [])],
      startedAt,
      finishedAt: this.deps.clock(),
    };
    this.#history.push(outcome);
    return outcome;
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
    run: Run,
    step: RotationStep,
  ): Promise<{ step: RotationStepResult; error?: NonNullable<RotationOutcome['error']> }> {
    const event: RotationEvent = {
      Step: step,
      SecretId: run.plan.secretArn,
      ClientRequestToken: run.plan.versionId,
      RotationToken: run.rotationToken,
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
      const answer = await this.deps.invoke(run.plan.lambdaArn, event);
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
