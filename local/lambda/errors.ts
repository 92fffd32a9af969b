import { PgRotatorError } from '../../lambda/errors';

/**
 * An error the local Lambda endpoint answers with instead of invoking the function: the service-level errors
 * of the Invoke API. `code` is AWS's error code, sent as the `x-amzn-errortype` header so the SDK throws the
 * modelled exception class (`ResourceNotFoundException`, ...); `statusCode` is the HTTP status AWS uses for it.
 * A function that runs and fails is not one of these: that is a 200 with `X-Amz-Function-Error`.
 *
 * @example
 * throw new ResourceNotFoundError('arn:aws:lambda:us-east-1:123456789012:function:rotator');
 */
export abstract class LambdaApiError extends PgRotatorError {
  abstract readonly statusCode: number;
  /** restJson1's fault side: `User` for the caller's mistakes, `Service` for ours. */
  readonly faultType: 'User' | 'Service' = 'User';
}

/** The function (or the qualifier asked for) is not registered. AWS: 404, "Function not found: <arn>". */
export class ResourceNotFoundError extends LambdaApiError {
  override readonly name = 'ResourceNotFoundError';
  readonly code = 'ResourceNotFoundException';
  readonly statusCode = 404;

  constructor(readonly functionArn: string) {
    super(`Function not found: ${functionArn}`);
  }
}

/** The payload (or client context) is not valid JSON. AWS: 400 InvalidRequestContentException. */
export class InvalidRequestContentError extends LambdaApiError {
  override readonly name = 'InvalidRequestContentError';
  readonly code = 'InvalidRequestContentException';
  readonly statusCode = 400;
}

/** The payload is over Invoke's limit for its invocation type. AWS: 413 RequestTooLargeException. */
export class RequestTooLargeError extends LambdaApiError {
  override readonly name = 'RequestTooLargeError';
  readonly code = 'RequestTooLargeException';
  readonly statusCode = 413;

  constructor(readonly limitBytes: number) {
    super(`Request must be smaller than ${limitBytes} bytes for the Invoke operation`);
  }
}

/** A request parameter fails its modelled constraint (enum, pattern). AWS: 400 ValidationException. */
export class ValidationError extends LambdaApiError {
  override readonly name = 'ValidationError';
  readonly code = 'ValidationException';
  readonly statusCode = 400;
}

/** Parameters contradict each other (e.g. two different qualifiers). AWS: 400 InvalidParameterValueException. */
export class InvalidParameterValueError extends LambdaApiError {
  override readonly name = 'InvalidParameterValueError';
  readonly code = 'InvalidParameterValueException';
  readonly statusCode = 400;
}

/** No Lambda API operation lives at this method and path. */
export class UnknownOperationError extends LambdaApiError {
  override readonly name = 'UnknownOperationError';
  readonly code = 'UnknownOperationException';
  readonly statusCode = 404;
}

/** The endpoint itself failed (a bug here, not in the function). AWS: 500 ServiceException. */
export class ServiceError extends LambdaApiError {
  override readonly name = 'ServiceError';
  readonly code = 'ServiceException';
  readonly statusCode = 500;
  override readonly faultType = 'Service';
}

/**
 * The programmatic API was misused (a bad function name, an empty command, a non-function handler). Thrown by
 * `register`, never sent over HTTP.
 *
 * @example
 * throw new LocalLambdaConfigError('register.name', 'must match [A-Za-z0-9_-]{1,64}');
 */
export class LocalLambdaConfigError extends PgRotatorError {
  override readonly name = 'LocalLambdaConfigError';
  readonly code = 'LOCAL_LAMBDA_CONFIG';

  constructor(
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/**
 * A worker could not load the handler it was pointed at. `name` is the Lambda runtime's error type for the case
 * (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`), so every invocation reports it as Lambda would.
 *
 * @example
 * throw new HandlerLoadError('Runtime.HandlerNotFound', 'rotation.handler is undefined or not exported');
 */
export class HandlerLoadError extends PgRotatorError {
  readonly code = 'WORKER_HANDLER_LOAD';
  override readonly name: 'Runtime.ImportModuleError' | 'Runtime.HandlerNotFound';

  constructor(
    errorType: 'Runtime.ImportModuleError' | 'Runtime.HandlerNotFound',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = errorType;
  }
}
