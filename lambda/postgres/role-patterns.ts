import * as z from 'zod/mini';
import '../schema-messages';
import { MAX_IDENTIFIER_BYTES } from './identifiers';

/**
 * A role name as a permission policy writes it: the exact name (case-sensitive, as pg_roles stores it), or a
 * pattern in which `*` stands for any run of characters, possibly empty (`app_*`, `*_readonly`, `*`). No other
 * character is special, so a name with quotes, dots or brackets is written as it is.
 */
export const RolePatternSchema = z.string().check(
  z.minLength(1, 'must not be empty'),
  z.refine((pattern) => !pattern.includes('\0'), 'must not contain NUL'),
  z.refine((pattern) => Buffer.byteLength(pattern.replaceAll('*', ''), 'utf8') <= MAX_IDENTIFIER_BYTES, `must match names of at most ${MAX_IDENTIFIER_BYTES} bytes`),
  z.meta({ description: 'A role name, or a pattern where * matches any run of characters (app_*, *_readonly).' }),
);

/**
 * Whether `name` matches `pattern` (see {@link RolePatternSchema}). Pure string work: no regular expression is
 * built from the pattern, so nothing in a name or pattern can change what is matched.
 *
 * @example
 * roleMatches('app_*', 'app_reader') // true
 * roleMatches('app_*', 'App_reader') // false: names are case-sensitive
 */
export function roleMatches(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  // The middle parts, in order and without overlapping, in what lies between the fixed start and end.
  let at = first.length;
  const end = name.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** The first pattern of `patterns` that matches `name`, or undefined. */
export function firstMatch(patterns: readonly string[], name: string): string | undefined {
  return patterns.find((pattern) => roleMatches(pattern, name));
}
