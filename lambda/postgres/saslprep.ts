/**
 * SASLprep (RFC 4013) as PostgreSQL applies it to SCRAM passwords (src/common/saslprep.c): map non-ASCII
 * spaces to U+0020, drop characters "commonly mapped to nothing", normalize NFKC, and if the result holds a
 * prohibited character, use the original bytes unchanged (PostgreSQL does the same rather than refuse).
 * Passwords this function generates are printable ASCII, for which SASLprep is the identity; the full path
 * matters for passwords users bring.
 */
export function saslPrep(password: string): string {
  if (/^[\x20-\x7e]*$/.test(password)) return password;
  const mapped = [...password]
    .filter((char) => !isMappedToNothing(char.codePointAt(0) as number))
    .join('')
    .replace(NON_ASCII_SPACE, ' ')
    .normalize('NFKC');
  if (mapped.length === 0 || PROHIBITED.test(mapped)) return password;
  return mapped;
}

// RFC 3454 table C.1.2.
const NON_ASCII_SPACE = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/gu;
// RFC 3454 table B.1, by code point: a regex class of combining marks trips linters and readers alike.
function isMappedToNothing(cp: number): boolean {
  return (
    cp === 0xad || cp === 0x34f || cp === 0x1806 || (cp >= 0x180b && cp <= 0x180d) || (cp >= 0x200b && cp <= 0x200d) ||
    cp === 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff
  );
}
// RFC 3454 tables C.2 (controls), C.3 (private use), C.4 (non-characters), C.5 (surrogates), C.6-C.9.
// eslint-disable-next-line no-control-regex
const PROHIBITED = /[\u0000-\u001f\u007f-\u009f\u06dd\u070f\u180e\u200c-\u200f\u2028-\u202e\u2060-\u2063\u206a-\u206f\ufeff\ufff9-\ufffd\ue000-\uf8ff\u{f0000}-\u{ffffd}\u{100000}-\u{10fffd}\ufdd0-\ufdef]/u;
