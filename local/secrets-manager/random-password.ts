import { randomInt } from 'node:crypto';
import { invalidParameter } from './errors';

/**
 * GetRandomPassword as the API reference documents it: four character classes (lower, upper, digits, AWS's
 * punctuation set), optional space, per-character exclusions, and by default at least one character of every class
 * that is left. Randomness is `crypto.randomInt` (a CSPRNG without modulo bias).
 */

/** AWS's punctuation set, verbatim from the GetRandomPassword reference. */
export const AWS_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Inputs of GetRandomPassword, with AWS's defaults already applied. */
export interface PasswordOptions {
  /** 1..4096 per the model; default 32. */
  readonly passwordLength: number;
  readonly excludeCharacters: string;
  readonly excludeNumbers: boolean;
  readonly excludePunctuation: boolean;
  readonly excludeUppercase: boolean;
  readonly excludeLowercase: boolean;
  readonly includeSpace: boolean;
  /** Default true: the password holds at least one character of each class that is still allowed. */
  readonly requireEachIncludedType: boolean;
}

/** AWS's defaults for every GetRandomPassword parameter. */
export const DEFAULT_PASSWORD_OPTIONS: PasswordOptions = {
  passwordLength: 32,
  excludeCharacters: '',
  excludeNumbers: false,
  excludePunctuation: false,
  excludeUppercase: false,
  excludeLowercase: false,
  includeSpace: false,
  requireEachIncludedType: true,
};

/** A source of uniform integers in [0, max); replaceable in unit tests. */
export type RandomIndex = (max: number) => number;

/**
 * The character classes left after the Exclude* flags and ExcludeCharacters, each as a string of characters. Empty
 * classes are dropped: a class whose every character is excluded is not "included", so RequireEachIncludedType does
 * not ask for it.
 */
export function includedClasses(options: PasswordOptions): string[] {
  const excluded = new Set(options.excludeCharacters);
  const classes: string[] = [];
  if (!options.excludeLowercase) classes.push(LOWER);
  if (!options.excludeUppercase) classes.push(UPPER);
  if (!options.excludeNumbers) classes.push(DIGITS);
  if (!options.excludePunctuation) classes.push(AWS_PUNCTUATION);
  if (options.includeSpace) classes.push(' ');
  return classes.map((chars) => [...chars].filter((c) => !excluded.has(c)).join('')).filter((chars) => chars.length > 0);
}

function pick(chars: string, random: RandomIndex): string {
  return chars[random(chars.length)] ?? '';
}

/**
 * Generates a password.
 *
 * @throws AwsApiError InvalidParameterException when the exclusions leave no character at all, or when
 *   RequireEachIncludedType asks for more classes than the length allows.
 * @example
 * generatePassword({ ...DEFAULT_PASSWORD_OPTIONS, passwordLength: 20, excludePunctuation: true });
 */
export function generatePassword(options: PasswordOptions, random: RandomIndex = randomInt): string {
  const classes = includedClasses(options);
  if (classes.length === 0) {
    throw invalidParameter('The parameters you specified exclude every character, so no password can be generated.');
  }
  if (options.requireEachIncludedType && classes.length > options.passwordLength) {
    throw invalidParameter(
      `RequireEachIncludedType needs one character from each of ${classes.length} included character types, which does not fit in PasswordLength ${options.passwordLength}.`,
    );
  }
  const pool = classes.join('');
  const chars: string[] = options.requireEachIncludedType ? classes.map((chars) => pick(chars, random)) : [];
  while (chars.length < options.passwordLength) chars.push(pick(pool, random));
  // Fisher-Yates, so the guaranteed characters are not always at the front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = random(i + 1);
    const a = chars[i] ?? '';
    chars[i] = chars[j] ?? '';
    chars[j] = a;
  }
  return chars.join('');
}
