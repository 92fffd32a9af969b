import * as z from 'zod/mini';
import '../schema-messages';

/**
 * A secret ARN, complete (`…:secret:<name>-<6 characters>`) or partial (`…:secret:<name>`, the ARN without the random
 * suffix Secrets Manager appends; "Finding a secret from a partial ARN", Secrets Manager user guide). Deployment
 * declarations name secrets by ARN only: a bare name would mean "this account and region" wherever it is read.
 */
export const SecretArnSchema = z
  .string()
  .check(
    z.maxLength(2048),
    z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/, 'must be a secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)'),
  );

/** The random suffix of a complete secret ARN. */
const SUFFIX = /^-[A-Za-z0-9]{6}$/;

/**
 * Whether two secret ARNs name the same secret: equal, or one is the other's partial ARN (the other plus `-` and six
 * characters), as IAM's `-??????` resource pattern matches it.
 *
 * @example
 * sameSecret('arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/admin', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/admin-AbCdEf'); // true
 */
export function sameSecret(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short) && SUFFIX.test(long.slice(short.length));
}

/** The keys a secret ARN may be declared under: itself, and its partial ARN when it looks complete. */
export function secretArnKeys(arn: string): string[] {
  const suffixAt = arn.length - 7;
  return suffixAt > 0 && SUFFIX.test(arn.slice(suffixAt)) ? [arn, arn.slice(0, suffixAt)] : [arn];
}

/**
 * A set of declared secret ARNs (complete or partial) that answers "is this secret declared" in two map lookups,
 * for deployments declaring thousands.
 */
export class SecretArnIndex<T> {
  readonly #byArn = new Map<string, T>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [arn, value] of entries) this.#byArn.set(arn, value);
  }

  /** The value declared for this secret, by its complete or partial ARN; a complete declaration matches only itself. */
  get(arn: string): T | undefined {
    for (const key of secretArnKeys(arn)) {
      const value = this.#byArn.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  get size(): number {
    return this.#byArn.size;
  }
}
