import type { SecretRecord } from './secret-record';

/**
 * ListSecrets filters, after the API reference (Filter type) and the user guide's "Find secrets":
 * - keys `name`, `description`, `tag-key`, `tag-value`: case-sensitive prefix match on that attribute;
 * - key `all`: every attribute, case-insensitive, matching a word of the attribute by prefix;
 * - a value starting with `!` negates it ("You can prefix your search value with an exclamation mark (!) in order to
 *   perform negation filters");
 * - values of one filter are alternatives (OR); separate filters must all hold (AND).
 * `primary-region` and `owning-service` never match here: local secrets are neither replicated nor managed.
 */

/** One Filter of ListSecrets. */
export interface SecretFilter {
  readonly Key: 'name' | 'description' | 'tag-key' | 'tag-value' | 'primary-region' | 'owning-service' | 'all';
  readonly Values: readonly string[];
}

function attributes(secret: SecretRecord, key: SecretFilter['Key']): string[] {
  switch (key) {
    case 'name':
      return [secret.name];
    case 'description':
      return secret.description === undefined ? [] : [secret.description];
    case 'tag-key':
      return secret.tags.map((t) => t.Key);
    case 'tag-value':
      return secret.tags.map((t) => t.Value);
    case 'all':
      return [
        secret.name,
        ...(secret.description === undefined ? [] : [secret.description]),
        ...secret.tags.flatMap((t) => [t.Key, t.Value]),
      ];
    case 'primary-region':
    case 'owning-service':
      return [];
  }
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[\s/_+=.@-]+/).filter((w) => w.length > 0);
}

function matchesOne(key: SecretFilter['Key'], pattern: string, attribute: string): boolean {
  if (key !== 'all') return attribute.startsWith(pattern);
  const wanted = pattern.toLowerCase();
  return attribute.toLowerCase().startsWith(wanted) || words(attribute).some((w) => w.startsWith(wanted));
}

function filterHolds(secret: SecretRecord, filter: SecretFilter): boolean {
  const values = attributes(secret, filter.Key);
  return filter.Values.some((raw) => {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const hit = values.some((v) => matchesOne(filter.Key, pattern, v));
    return negated ? !hit : hit;
  });
}

/**
 * The secrets a ListSecrets call shows, in creation order (reversed for SortOrder `desc`). Secrets scheduled for
 * deletion appear only with IncludePlannedDeletion.
 *
 * @example
 * listSecrets(store.all(), { filters: [{ Key: 'tag-key', Values: ['team'] }] });
 */
export function listSecrets(
  secrets: readonly SecretRecord[],
  options: { filters?: readonly SecretFilter[]; includePlannedDeletion?: boolean; sortOrder?: 'asc' | 'desc' },
): SecretRecord[] {
  const shown = secrets
    .filter((s) => options.includePlannedDeletion || !s.deletionDate)
    .filter((s) => (options.filters ?? []).every((f) => filterHolds(s, f)))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return options.sortOrder === 'desc' ? shown.reverse() : shown;
}
