/**
 * Why the PostgreSQL test harness could not do what it was asked. Each code names one failure a developer
 * can act on; messages name binaries, directories, variants and SQLSTATEs, never a password.
 */
export type HarnessErrorCode =
  | 'INVALID_ENVIRONMENT'
  | 'UNSUPPORTED_MAJOR'
  | 'BINARIES_MISSING'
  | 'OS_USER'
  | 'COMMAND_FAILED'
  | 'SERVER_START'
  | 'SERVER_STOP'
  | 'VARIANT_UNAVAILABLE'
  | 'LOG_UNAVAILABLE';

/**
 * The one error class of the harness. Match on `code`, not on the message.
 *
 * @example
 * throw new HarnessError('UNSUPPORTED_MAJOR', 'PostgreSQL 13 is not installed; use 14 to 18');
 */
export class HarnessError extends Error {
  constructor(
    readonly code: HarnessErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
