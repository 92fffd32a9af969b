/**
 * What Lambda bills (AWS Lambda pricing, us-east-1, arm64, the first tier; the construct deploys arm64): memory ×
 * duration in GB-seconds, each invocation's duration rounded up to the millisecond, its init phase included (billed
 * for on-demand functions on managed runtimes since August 2025), plus a charge per request. A rotation is four
 * requests.
 */
export const ARM64_USD_PER_GB_SECOND = 0.0000133334;
export const USD_PER_REQUEST = 0.2 / 1_000_000;

/** GB-seconds billed for invocations of these durations at `memoryMb` (Lambda's GB is 1,024 MB). */
export function gbSeconds(memoryMb: number, durationsMs: readonly number[]): number {
  return durationsMs.reduce((sum, ms) => sum + (memoryMb / 1024) * (Math.ceil(ms) / 1000), 0);
}

/** What those invocations cost, duration and requests, in US dollars. */
export function invocationsCostUsd(memoryMb: number, durationsMs: readonly number[]): number {
  return gbSeconds(memoryMb, durationsMs) * ARM64_USD_PER_GB_SECOND + durationsMs.length * USD_PER_REQUEST;
}
