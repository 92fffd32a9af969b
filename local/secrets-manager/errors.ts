/**
 * The errors the local Secrets Manager answers with. Each class carries the AWS error code that goes on the wire as
 * `__type` and the HTTP status AWS uses for it, so the real SDK rebuilds the matching exception class.
 *
 * Secrets Manager speaks awsJson1_1 and its modelled errors carry no `httpError` trait, so real AWS answers every
 * client error with HTTP 400 (moto's 404 for ResourceNotFoundException is wrong; see fakecloud PR #2477). Only
 * InternalServiceError is a server fault (500). Messages never contain a secret value, password or RotationToken.
 */

/** Every `__type` this endpoint can answer with. */
export type AwsErrorCode =
  | 'ResourceNotFoundException'
  | 'InvalidParameterException'
  | 'InvalidRequestException'
  | 'ResourceExistsException'
  | 'LimitExceededException'
  | 'DecryptionFailure'
  | 'EncryptionFailure'
  | 'InvalidNextTokenException'
  | 'InternalServiceError'
  | 'ThrottlingException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'ValidationException'
  | 'AccessDeniedException'
  | 'NotImplementedException'
  // Signature Version 4 (signature-check.ts)
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException';

/** The codes a fault or a test may ask for by name. */
export const AWS_ERROR_CODES: readonly AwsErrorCode[] = [
  'ResourceNotFoundException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ResourceExistsException',
  'LimitExceededException',
  'DecryptionFailure',
  'EncryptionFailure',
  'InvalidNextTokenException',
  'InternalServiceError',
  'ThrottlingException',
  'UnknownOperationException',
  'SerializationException',
  'ValidationException',
  'AccessDeniedException',
  'NotImplementedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
];

/**
 * An error answered to the client in AWS's shape. Throw it anywhere below the HTTP layer; `protocol.ts` turns it into
 * `{"__type": code, "message": ...}` with {@link AwsApiError.status}.
 *
 * @example
 * throw new AwsApiError('InvalidParameterException', 'ClientRequestToken must be 32-64 characters long.');
 */
export class AwsApiError extends Error {
  /** HTTP status of the answer: 500 for InternalServiceError, 400 for everything else (as AWS). */
  readonly status: number;

  constructor(
    readonly code: AwsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AwsApiError';
    this.status = code === 'InternalServiceError' ? 500 : 400;
  }
}

/** AWS's text when a SecretId resolves to nothing. */
export const SECRET_NOT_FOUND_MESSAGE = "Secrets Manager can't find the specified secret.";

/** AWS's text for an operation on a secret that is scheduled for deletion. */
export const MARKED_FOR_DELETION_MESSAGE =
  "You can't perform this operation on the secret because it was marked for deletion.";

/** AWS's text (console, CLI, aws-cdk#17288) when AWSPENDING sits on a version other than AWSCURRENT's. */
export const PREVIOUS_ROTATION_INCOMPLETE_MESSAGE =
  "A previous rotation isn't complete. That rotation will be reattempted.";

/**
 * AWS's AccessDeniedException text when RotateSecret names a function Secrets Manager cannot invoke (the text
 * infrastructure tools match: terraform-provider-aws retries RotateSecret on exactly this error while a new
 * function's resource policy propagates).
 */
export const CANNOT_INVOKE_MESSAGE =
  'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';

/** `ResourceNotFoundException` with AWS's default text. */
export function secretNotFound(): AwsApiError {
  return new AwsApiError('ResourceNotFoundException', SECRET_NOT_FOUND_MESSAGE);
}

/** `InvalidParameterException`: a value is well-formed but not acceptable. */
export function invalidParameter(message: string): AwsApiError {
  return new AwsApiError('InvalidParameterException', message);
}

/** `InvalidRequestException`: the request is fine but the secret's state forbids it. */
export function invalidRequest(message: string): AwsApiError {
  return new AwsApiError('InvalidRequestException', message);
}

/**
 * `NotImplementedException`: AWS would honour this, the local endpoint does not model it. Refused rather than
 * ignored, so a test never passes on behaviour the endpoint only pretends to have. Not an AWS answer: the code
 * says plainly that the local endpoint is speaking.
 *
 * @example
 * throw notModelled('ReplicateSecretToRegions', 'replica regions');
 */
export function notModelled(what: string, feature: string): AwsApiError {
  return new AwsApiError(
    'NotImplementedException',
    `The local Secrets Manager does not model ${feature}: ${what} is refused rather than ignored. Test it against AWS.`,
  );
}

/**
 * The options given to `startLocalSecretsManager` failed their schema; `field` names the option.
 *
 * @example
 * throw new LocalSecretsManagerConfigError('options.port', 'must be an integer from 0 to 65535');
 */
export class LocalSecretsManagerConfigError extends Error {
  readonly code = 'LOCAL_SECRETS_MANAGER_CONFIG';

  constructor(
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
    this.name = 'LocalSecretsManagerConfigError';
  }
}
