import { randomInt } from 'node:crypto';
import type { Environment } from '../config/environment';
import { ENV } from '../config/environment';
import { InvalidInputError } from '../errors';

/** The same knobs as Secrets Manager's GetRandomPassword, with AWS's rotation-function defaults. */
export interface PasswordPolicy {
  readonly length: number;
  readonly excludeCharacters: string;
  readonly excludeNumbers: boolean;
  readonly excludePunctuation: boolean;
  readonly excludeUppercase: boolean;
  readonly excludeLowercase: boolean;
  readonly requireEachIncludedType: boolean;
}

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUMBERS = '0123456789';
/** GetRandomPassword's punctuation set (API reference, ExcludePunctuation). */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The policy the function's environment describes (AWS's variable names and defaults). */
export function passwordPolicyFrom(env: Environment): PasswordPolicy {
  return {
    length: env[ENV.passwordLength],
    excludeCharacters: env[ENV.excludeCharacters],
    excludeNumbers: env[ENV.excludeNumbers],
    excludePunctuation: env[ENV.excludePunctuation],
    excludeUppercase: env[ENV.excludeUppercase],
    excludeLowercase: env[ENV.excludeLowercase],
    requireEachIncludedType: env[ENV.requireEachIncludedType],
  };
}

/** The character classes the policy allows, each already stripped of excluded characters. */
export function characterClasses(policy: PasswordPolicy): string[] {
  const classes = [
    policy.excludeLowercase ? '' : LOWERCASE,
    policy.excludeUppercase ? '' : UPPERCASE,
    policy.excludeNumbers ? '' : NUMBERS,
    policy.excludePunctuation ? '' : PUNCTUATION,
  ];
  const excluded = new Set(policy.excludeCharacters);
  return classes.map((chars) => [...chars].filter((c) => !excluded.has(c)).join('')).filter((chars) => chars.length > 0);
}

/**
 * Why no password can be made under the policy, naming the variable to change; undefined when one can. The function
 * checks it before each password, and the construct at synth, so a policy that excludes every character is refused
 * there rather than at the first rotation.
 */
export function passwordPolicyProblem(policy: PasswordPolicy): { readonly variable: string; readonly message: string } | undefined {
  const classes = characterClasses(policy);
  if (classes.join('').length === 0) return { variable: ENV.excludeCharacters, message: 'the exclusions leave no characters to use' };
  if (policy.requireEachIncludedType && classes.length > policy.length) {
    return { variable: ENV.passwordLength, message: `must be at least ${classes.length} to include every character type` };
  }
  return undefined;
}

/**
 * A password drawn from the CSPRNG (`crypto.randomInt`, uniform, no modulo bias). With
 * `requireEachIncludedType`, one character of each allowed class is placed at a random position, as
 * GetRandomPassword does.
 *
 * @throws InvalidInputError when the exclusions leave nothing to draw from, or too little room for every class.
 */
export function generatePassword(policy: PasswordPolicy): string {
  const problem = passwordPolicyProblem(policy);
  if (problem) throw new InvalidInputError(`environment.${problem.variable}`, problem.message);
  const classes = characterClasses(policy);
  const alphabet = classes.join('');
  const chars = Array.from({ length: policy.length }, () => alphabet[randomInt(alphabet.length)] as string);
  if (policy.requireEachIncludedType) {
    const positions = shuffledIndexes(policy.length).slice(0, classes.length);
    classes.forEach((members, i) => {
      chars[positions[i] as number] = members[randomInt(members.length)] as string;
    });
  }
  return chars.join('');
}

function shuffledIndexes(n: number): number[] {
  const indexes = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return indexes;
}
