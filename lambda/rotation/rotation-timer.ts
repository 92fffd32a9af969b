/**
 * When this container saw a rotation start, so finishSecret can report how long the whole rotation took.
 *
 * A rotation's four steps are four invocations, possibly in different containers. Secrets Manager's metadata does not
 * say when a rotation started without another call (the pending version's CreatedDate is in ListSecretVersionIds,
 * not in the DescribeSecret the gate makes), and a metric must not cost a call. So the container that ran
 * createSecret notes the time, keyed by secret and token, and the container that runs finishSecret reports the
 * duration if it is the same one: in practice it is, since Secrets Manager invokes the steps back to back and Lambda
 * reuses the warm container. A rotation whose steps were spread over containers counts in RotationsCompleted but
 * not in RotationDuration; StepDuration covers every step either way. The strategy is noted the same way (finishSecret
 * does not resolve it).
 */
export interface RotationTimer {
  /**
   * A step ran, successfully or not, starting at `startedAt` (epoch ms). The first createSecret seen starts the
   * clock, so Secrets Manager's retries count in the duration; `strategy` is what the step resolved, if it did.
   */
  stepRan(secretArn: string, token: string, step: string, startedAt: number, strategy?: string): void;
  /** finishSecret completed the rotation at `at`: what this container knows of it, then forgotten. */
  finished(secretArn: string, token: string, at: number): { readonly durationMs?: number; readonly strategy: string };
}

interface Seen {
  startedAt?: number;
  strategy?: string;
  readonly firstSeen: number;
}

/** Rotations remembered at most, and for how long: a rotation not finished within a day is not measured. */
const MAX_ROTATIONS = 256;
const TTL_MS = 24 * 60 * 60_000;

/**
 * @example
 * const timer = rotationTimer();
 * timer.stepRan(arn, token, 'createSecret', Date.now(), 'single-user');
 * timer.finished(arn, token, Date.now()); // { durationMs, strategy: 'single-user' }
 */
export function rotationTimer(): RotationTimer {
  const seen = new Map<string, Seen>();
  const key = (secretArn: string, token: string) => `${secretArn}\n${token}`;
  const forgetOld = (now: number) => {
    // Insertion order is age order; a long-running container forgets rotations it never saw finish.
    for (const [k, entry] of seen) {
      if (now - entry.firstSeen <= TTL_MS && seen.size <= MAX_ROTATIONS) break;
      seen.delete(k);
    }
  };
  return {
    stepRan(secretArn, token, step, startedAt, strategy) {
      forgetOld(startedAt);
      let entry = seen.get(key(secretArn, token));
      if (entry === undefined) {
        entry = { firstSeen: startedAt };
        seen.set(key(secretArn, token), entry);
      }
      if (step === 'createSecret') entry.startedAt = Math.min(entry.startedAt ?? startedAt, startedAt);
      if (strategy !== undefined && strategy !== 'n/a') entry.strategy = strategy;
    },
    finished(secretArn, token, at) {
      const entry = seen.get(key(secretArn, token));
      seen.delete(key(secretArn, token));
      const strategy = entry?.strategy ?? 'unknown';
      return entry?.startedAt === undefined ? { strategy } : { durationMs: at - entry.startedAt, strategy };
    },
  };
}
