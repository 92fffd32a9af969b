import { AwsApiError } from './errors';

/**
 * MaxResults / NextToken paging shared by ListSecrets and ListSecretVersionIds. The token is opaque to clients (a
 * base64url offset tagged with the operation), and a token from another listing is InvalidNextTokenException.
 */

/** One page and, when more remain, the token for the next. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

function encode(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset })).toString('base64url');
}

function decode(scope: string, token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'scope' in parsed && 'offset' in parsed) {
      const { scope: s, offset } = parsed;
      if (s === scope && typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
    }
  } catch {
    // Falls through to the error below: any token we did not issue is simply invalid.
  }
  throw new AwsApiError('InvalidNextTokenException', 'The NextToken value is invalid.');
}

/**
 * Cuts `items` into a page.
 *
 * @example
 * paginate('ListSecrets', ['a', 'b', 'c'], 2, undefined); // { items: ['a', 'b'], nextToken: '...' }
 */
export function paginate<T>(scope: string, items: readonly T[], maxResults: number | undefined, nextToken: string | undefined): Page<T> {
  const offset = nextToken === undefined ? 0 : decode(scope, nextToken);
  const size = maxResults ?? 100;
  const end = offset + size;
  const page = items.slice(offset, end);
  return end < items.length ? { items: page, nextToken: encode(scope, end) } : { items: page };
}
