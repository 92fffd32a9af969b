import { PgRotatorError } from '../lambda/errors';

/**
 * The invocation itself failed: the Lambda API refused it (a service error such as ResourceNotFoundException) or
 * the function failed without answering (FunctionError, e.g. a timeout). `awsErrorName` is AWS's error name or
 * the FunctionError value. Orchestrator failures are not this: they arrive as envelopes with `ok: false`.
 */
export class InvocationError extends PgRotatorError {
  override readonly name = 'InvocationError';
  readonly code = 'INVOCATION_FAILED';

  constructor(
    readonly awsErrorName: string,
    message: string,
  ) {
    super(`${awsErrorName}: ${message}`);
  }
}

/** The function answered with something that is not a pg-rotator response envelope. */
export class InvalidResponseError extends PgRotatorError {
  override readonly name = 'InvalidResponseError';
  readonly code = 'INVALID_RESPONSE';
}
