import { z } from 'zod';
import type { RotationOutcome } from './rotation-outcome';

/**
 * Secrets Manager's retries of a failed rotation. AWS documents that they happen, not how often or how far apart:
 * "If rotation fails, Secrets Manager retries the entire rotation process multiple times. If rotation is
 * unsuccessful, this date may be in the past." (DescribeSecret API reference, NextRotationDate; the Lambda rotation
 * page of the user guide says the same: "If any rotation step fails, Secrets Manager retries the entire rotation
 * process multiple times.") A retry runs all four steps again with the same ClientRequestToken: the AWSPENDING
 * version is keyed by it ("Secrets Manager uses this value to prevent the accidental creation of duplicate versions
 * if there are failures and retries during rotation", RotateSecret, ClientRequestToken). That is why every step
 * of a rotation function must be retry-safe, and what the safety suites prove through this model.
 *
 * The count and the spacing are therefore options. The default spacing is short so that a suite awaiting a failed
 * rotation does not wait long; AWS's real spacing is longer and unpublished.
 */

export const RotationRetriesSchema = z.object({
  /** Retries after the first failed attempt; 0 turns retrying off. */
  maxRetries: z.number().int().min(0).max(100).default(3),
  /** Pause before each retry. */
  delayMs: z.number().int().min(0).max(600_000).default(20),
});

/** The retry options as a caller writes them (every member optional). */
export type RotationRetriesOptions = z.input<typeof RotationRetriesSchema>;

/** The retry options with defaults filled in. */
export type RotationRetries = z.output<typeof RotationRetriesSchema>;

/** What the retry decision needs to know about the secret now, from the store. */
export interface RetryState {
  /** The secret is gone or scheduled for deletion. */
  readonly deleted: boolean;
  /** CancelRotateSecret (or anything else) turned rotation off. */
  readonly rotationEnabled: boolean;
  /** The labels of the rotation's version now ([] when the version is gone). */
  readonly versionStages: readonly string[];
}

/**
 * Whether Secrets Manager retries after this attempt: it failed (and was not cancelled), it was a real rotation
 * (the RotateImmediately=false test is run once), retries remain, rotation is still on, and the rotation still owns
 * its version. A version that lost AWSPENDING without becoming AWSCURRENT was abandoned (someone took the label off,
 * the documented way out of a stuck rotation, or put a new pending value): nothing is left to retry. A version that
 * became AWSCURRENT is retried like any other: the function's gate makes each step a no-op, as AWS's retry would.
 *
 * @example
 * shouldRetry(outcome, { maxRetries: 3, delayMs: 20 }, { deleted: false, rotationEnabled: true, versionStages: ['AWSPENDING'] });
 */
export function shouldRetry(outcome: RotationOutcome, retries: RotationRetries, state: RetryState): boolean {
  if (outcome.succeeded || outcome.cancelled || outcome.mode !== 'rotate') return false;
  if (outcome.attempt > retries.maxRetries) return false;
  if (state.deleted || !state.rotationEnabled) return false;
  return state.versionStages.includes('AWSPENDING') || state.versionStages.includes('AWSCURRENT');
}
