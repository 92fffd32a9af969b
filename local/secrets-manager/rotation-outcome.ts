/**
 * What the local Secrets Manager sends a rotation function and what it keeps of each rotation attempt, so tests can
 * await and inspect them. Plain types and one parser; the driver (`rotation-driver.ts`) produces them.
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

/** Whether Secrets Manager could invoke the function at all (RotateSecret checks before it changes anything). */
export type InvokeCheck = (functionArn: string) => Promise<boolean>;

/** How one step went. */
export interface RotationStepResult {
  readonly step: RotationStep;
  readonly ok: boolean;
  /** `Unhandled` / `Handled` when the function failed. */
  readonly functionError?: string;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/**
 * What started an attempt: the RotateSecret call, one of Secrets Manager's own retries after a failed attempt, or
 * a test's `rotations.reattempt` (standing in for a later rotation window).
 */
export type AttemptTrigger = 'RotateSecret' | 'retry' | 'reattempt';

/** How one attempt of a rotation ended. A rotation is one or more attempts with the same ClientRequestToken. */
export interface RotationOutcome {
  readonly secretArn: string;
  readonly secretName: string;
  /** The ClientRequestToken, i.e. the VersionId of the AWSPENDING version. */
  readonly versionId: string;
  /** `rotate` runs all four steps; `test-only` is RotateImmediately=false. */
  readonly mode: 'rotate' | 'test-only';
  readonly trigger: AttemptTrigger;
  /** 1 for the attempt the trigger started, 2 for Secrets Manager's first retry of it, and so on. */
  readonly attempt: number;
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
  /** A PutSecretValue carried this attempt's RotationToken (the function forwarded it). */
  readonly rotationTokenUsed: boolean;
  /** The labels of the version when the attempt ended (empty if the version is gone). */
  readonly versionStagesAfter: readonly string[];
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** Lambda's error document (`{errorType, errorMessage}`) from a failed invocation's payload. */
export function describeFunctionError(payload: Uint8Array | undefined): { type: string; message: string } {
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
