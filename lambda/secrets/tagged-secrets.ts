import { SecretsManagerError } from '../errors';
import type { SecretsManager } from './secrets-manager-client';

/** A secret as ListSecrets shows it: its ARN and tags, never its value. */
export interface TaggedSecret {
  readonly arn: string;
  readonly tags: readonly { readonly Key?: string; readonly Value?: string }[];
}

/** How far a listing may go before it gives up rather than answer with part of the account. */
export interface ListingBounds {
  /** Secrets in all. @default 10,000 */
  readonly maxSecrets: number;
  /** Calls in all: ListSecrets may answer with fewer than MaxResults while more remain. @default 200 */
  readonly maxPages: number;
}

export const DEFAULT_LISTING_BOUNDS: ListingBounds = { maxSecrets: 10_000, maxPages: 200 };

/** ListSecrets' largest page (API reference, MaxResults: 1 to 100). */
const PAGE_SIZE = 100;

/**
 * Every secret of the account and region carrying a tag whose key starts with one of `tagKeys` (ListSecrets' `tag-key`
 * filter: a case-sensitive prefix match, its values alternatives), with its tags, page by page. Secrets scheduled for deletion are left out, as
 * ListSecrets leaves them out by default. ListSecrets is eventually consistent: a tag added in the last few minutes may
 * not show yet (API reference: "might not reflect changes from the last five minutes").
 *
 * Bounded: past `maxSecrets` secrets or `maxPages` calls it fails rather than answer with part of the list, since a
 * caller that protects what it lists must not take a partial list for the whole.
 *
 * @throws {SecretsManagerError} for a failed call (IAM, throttling), or when the bounds are reached.
 */
export async function listTaggedSecrets(
  client: SecretsManager,
  tagKeys: readonly string[],
  bounds: ListingBounds = DEFAULT_LISTING_BOUNDS,
): Promise<TaggedSecret[]> {
  const found: TaggedSecret[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < bounds.maxPages; page++) {
    const out = await client.call('ListSecrets', { Filters: [{ Key: 'tag-key', Values: [...tagKeys] }], MaxResults: PAGE_SIZE, NextToken: nextToken });
    for (const entry of out.SecretList ?? []) {
      if (entry.ARN !== undefined) found.push({ arn: entry.ARN, tags: entry.Tags ?? [] });
    }
    if (found.length > bounds.maxSecrets) break;
    nextToken = out.NextToken;
    if (nextToken === undefined) return found;
  }
  throw new SecretsManagerError(
    'ListSecrets',
    'TooManySecrets',
    `more than ${bounds.maxSecrets} secrets (or ${bounds.maxPages} pages) carry a ${tagKeys.join(' or ')} tag; bind that many in the deployment's bindings file instead of by tags`,
  );
}
