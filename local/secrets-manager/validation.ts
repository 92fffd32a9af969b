import type { z } from 'zod';
import { AwsApiError } from './errors';

/**
 * Turns a zod failure into the error AWS's front end gives for the same mistake:
 * - a member of the wrong JSON type -> SerializationException;
 * - a missing required member or a broken length/range/enum constraint -> ValidationException, worded like AWS
 *   ("1 validation error detected: Value at 'passwordLength' failed to satisfy constraint: Member must have value
 *   less than or equal to 4096"). Values are never echoed, so no secret can leak through an error.
 * Member paths are AWS's: lowerCamelCase, list items as `name.N.member` (1-based).
 */

type Issue = z.core.$ZodIssue;

function memberPath(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (const segment of path) {
    if (typeof segment === 'number') parts.push(`${segment + 1}`, 'member');
    else {
      const name = String(segment);
      parts.push(name.charAt(0).toLowerCase() + name.slice(1));
    }
  }
  return parts.join('.');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function constraint(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return 'Member must not be null';
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint'
        ? `Member must have value greater than or equal to ${String(issue.minimum)}`
        : `Member must have length greater than or equal to ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint'
        ? `Member must have value less than or equal to ${String(issue.maximum)}`
        : `Member must have length less than or equal to ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.pattern === undefined
        ? 'Member must satisfy its format'
        : `Member must satisfy regular expression pattern: ${issue.pattern.replace(/^\/\^?|\$?\/$/g, '')}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.map(String).join(', ')}]`;
    default:
      return 'Member must satisfy its constraint';
  }
}

/**
 * Parses an operation's input.
 *
 * @throws AwsApiError SerializationException or ValidationException naming the member.
 * @example
 * const input = parseInput(GetRandomPasswordInput, body);
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const wrongType = issues.find((i) => i.code === 'invalid_type' && valueAt(input, i.path) !== undefined);
  if (wrongType) {
    throw new AwsApiError(
      'SerializationException',
      `Unexpected value type for member '${memberPath(wrongType.path)}' (expected ${wrongType.code === 'invalid_type' ? wrongType.expected : 'another type'}).`,
    );
  }
  const details = issues.map((i) => `Value at '${memberPath(i.path)}' failed to satisfy constraint: ${constraint(i)}`);
  const count = `${details.length} validation error${details.length === 1 ? '' : 's'} detected`;
  throw new AwsApiError('ValidationException', `${count}: ${details.join('; ')}`);
}
