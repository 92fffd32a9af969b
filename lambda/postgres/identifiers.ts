import * as z from 'zod/mini';
import '../schema-messages';

/** PostgreSQL truncates identifiers to NAMEDATALEN-1 bytes; we refuse longer ones instead of letting it. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * A role or database name as PostgreSQL stores it (case-sensitive, any characters but NUL). Quoting makes any
 * such name safe in SQL text; what must be refused is what PostgreSQL would silently change.
 */
export const IdentifierSchema = z.string().check(
  z.minLength(1, 'must not be empty'),
  z.refine((name) => !name.includes('\0'), 'must not contain NUL'),
  z.refine((name) => Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES, `must be at most ${MAX_IDENTIFIER_BYTES} bytes`),
);

/**
 * Double-quotes an identifier, doubling embedded quotes (PostgreSQL lexical rules, §4.1.1). The only way a name
 * enters SQL text in this code base; callers validate with {@link IdentifierSchema} first.
 */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0')) throw new RangeError('identifier contains NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A standard-conforming string literal ('' doubling; E'' with doubled backslashes when one is present, so the
 * meaning does not depend on standard_conforming_strings). For values PostgreSQL cannot take as `$n` parameters,
 * such as `ALTER ROLE … PASSWORD`.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new RangeError('literal contains NUL');
  const body = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}
