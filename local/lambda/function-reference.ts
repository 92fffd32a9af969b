import { InvalidParameterValueError, ValidationError } from './errors';

/**
 * What an Invoke request's `FunctionName` (plus its `Qualifier` query parameter) names. Region and account are
 * present only when the caller used a full or partial ARN.
 */
export interface FunctionReference {
  readonly name: string;
  readonly qualifier?: string;
  readonly region?: string;
  readonly accountId?: string;
}

// The forms Invoke's FunctionName accepts (API reference, Invoke, "FunctionName"): `name`,
// `123456789012:function:name` and `arn:aws:lambda:us-west-2:123456789012:function:name`, each optionally with
// `:$LATEST`, a version or an alias. Stricter than AWS's pattern in one way: a full ARN must name its account.
const REGION = String.raw`[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d`;
const FULL_ARN_PREFIX = String.raw`arn:aws[a-zA-Z-]*:lambda:(?<region>${REGION}):(?<arnAccount>\d{12}):function:`;
const PARTIAL_ARN_PREFIX = String.raw`(?<partialAccount>\d{12}):function:`;
const NAME_AND_QUALIFIER = String.raw`(?<name>[A-Za-z0-9_-]{1,64})(?::(?<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?`;
const FUNCTION_NAME_FORMS = new RegExp(`^(?:${FULL_ARN_PREFIX}|${PARTIAL_ARN_PREFIX})?${NAME_AND_QUALIFIER}$`);

const QUALIFIER_PATTERN = /^(?:\$LATEST|[A-Za-z0-9_-]{1,128})$/;

/** Invoke's documented maximum length of FunctionName. */
const MAX_FUNCTION_NAME_LENGTH = 170;

/**
 * Parses a decoded `FunctionName` path segment and the optional `Qualifier` query parameter. Like AWS, a
 * qualifier may come from either place, but two different ones are an error.
 *
 * @example
 * parseFunctionReference('123456789012:function:rotator:$LATEST');
 * // { name: 'rotator', qualifier: '$LATEST', accountId: '123456789012' }
 */
export function parseFunctionReference(functionName: string, queryQualifier?: string): FunctionReference {
  const match = functionName.length <= MAX_FUNCTION_NAME_LENGTH ? FUNCTION_NAME_FORMS.exec(functionName) : null;
  const groups = match?.groups;
  if (!groups?.name) {
    throw new ValidationError(
      "1 validation error detected: Value at 'functionName' failed to satisfy constraint: " +
        'Member must be a function name, a partial ARN or a full ARN, optionally with a qualifier',
    );
  }
  if (queryQualifier !== undefined && !QUALIFIER_PATTERN.test(queryQualifier)) {
    throw new ValidationError(
      "1 validation error detected: Value at 'qualifier' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)',
    );
  }
  const derived = groups.qualifier;
  if (derived !== undefined && queryQualifier !== undefined && derived !== queryQualifier) {
    throw new InvalidParameterValueError(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  }
  const qualifier = derived ?? queryQualifier;
  const accountId = groups.arnAccount ?? groups.partialAccount;
  return {
    name: groups.name,
    ...(qualifier !== undefined && { qualifier }),
    ...(groups.region !== undefined && { region: groups.region }),
    ...(accountId !== undefined && { accountId }),
  };
}

/**
 * Builds a function ARN, qualified when a qualifier is given.
 *
 * @example
 * functionArn('us-east-1', '123456789012', 'rotator'); // 'arn:aws:lambda:us-east-1:123456789012:function:rotator'
 */
export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  const arn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  return qualifier === undefined ? arn : `${arn}:${qualifier}`;
}
