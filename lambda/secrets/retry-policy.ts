/**
 * When a failed Secrets Manager call is tried again, and after how long: the AWS SDKs' "standard" retry mode (AWS
 * SDKs and Tools Reference, "Retry behavior"), which the function used while it called through the SDK's client.
 * Every call it retries is safe to repeat: reads, writes made idempotent by their ClientRequestToken, and
 * UpdateSecretVersionStage, which converges on the same labels.
 */

/** Three attempts in all, the standard mode's default. */
export const DEFAULT_MAX_ATTEMPTS = 3;

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;

/** Error codes the SDKs treat as throttling (`THROTTLING_ERROR_CODES` in @smithy/service-error-classification). */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** Codes of a transient failure, an answer's or the connection's, that the SDKs retry. */
const TRANSIENT = new Set(['RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** How an attempt failed: Secrets Manager answered with an error, or no answer came. */
export type FailedAttempt =
  | { readonly answered: true; readonly status: number; readonly awsErrorName: string }
  | { readonly answered: false; readonly awsErrorName: string };

/** Whether the standard mode tries a call again after this failure (attempts permitting). */
export function isRetryable(failure: FailedAttempt): boolean {
  if (THROTTLING.has(failure.awsErrorName) || TRANSIENT.has(failure.awsErrorName)) return true;
  return failure.answered ? failure.status === 429 || TRANSIENT_STATUS.has(failure.status) : false;
}

/**
 * The wait before retry number `retry` (1 for the first): full jitter, `random × 100 ms × 2^retry`, at most 20 s.
 *
 * @param random a number in [0, 1), Math.random's in the client
 */
export function retryDelayMs(retry: number, random: number): number {
  return Math.floor(Math.min(MAX_DELAY_MS, random * BASE_DELAY_MS * 2 ** retry));
}
