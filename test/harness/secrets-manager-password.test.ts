import { GetRandomPasswordCommand, InvalidParameterException } from '@aws-sdk/client-secrets-manager';
import type { GetRandomPasswordCommandInput } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { AWS_PUNCTUATION, DEFAULT_PASSWORD_OPTIONS, generatePassword } from '../../local/secrets-manager/random-password';
import { rejectionOf, useLocalSecretsManager } from './support/local-aws';

// GetRandomPassword: every parameter of the API reference, through the real SDK. Passwords are only inspected,
// never printed.

const local = useLocalSecretsManager();

const LOWER = /[a-z]/;
const UPPER = /[A-Z]/;
const DIGIT = /[0-9]/;
const hasPunctuation = (password: string) => [...password].some((c) => AWS_PUNCTUATION.includes(c));

async function password(input: GetRandomPasswordCommandInput = {}): Promise<string> {
  const { RandomPassword } = await local.client.send(new GetRandomPasswordCommand(input));
  if (RandomPassword === undefined) throw new Error('no RandomPassword in the answer');
  return RandomPassword;
}

describe('GetRandomPassword', () => {
  it('defaults to 32 characters with at least one lower, upper, digit and AWS punctuation character', async () => {
    for (let i = 0; i < 20; i++) {
      const value = await password();
      expect(value).toHaveLength(32);
      expect(value).toMatch(LOWER);
      expect(value).toMatch(UPPER);
      expect(value).toMatch(DIGIT);
      expect(hasPunctuation(value)).toBe(true);
      expect(value).not.toContain(' ');
    }
  });

  it('uses only letters, digits and the punctuation set !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', async () => {
    const allowed = new Set([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', ...AWS_PUNCTUATION]);
    const value = await password({ PasswordLength: 4096 });
    expect(value).toHaveLength(4096);
    expect([...value].every((c) => allowed.has(c))).toBe(true);
    expect(AWS_PUNCTUATION).toBe('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
  });

  it('honours PasswordLength', async () => {
    for (const length of [4, 17, 100]) expect(await password({ PasswordLength: length })).toHaveLength(length);
  });

  it('leaves out each excluded character class', async () => {
    expect(await password({ PasswordLength: 200, ExcludeNumbers: true })).not.toMatch(DIGIT);
    expect(await password({ PasswordLength: 200, ExcludeUppercase: true })).not.toMatch(UPPER);
    expect(await password({ PasswordLength: 200, ExcludeLowercase: true })).not.toMatch(LOWER);
    expect(hasPunctuation(await password({ PasswordLength: 200, ExcludePunctuation: true }))).toBe(false);
  });

  it('never uses a character listed in ExcludeCharacters', async () => {
    const excluded = ':/@"\'\\';
    const value = await password({ PasswordLength: 1000, ExcludeCharacters: excluded });
    expect([...value].some((c) => excluded.includes(c))).toBe(false);
  });

  it('includes a space when IncludeSpace is set (RequireEachIncludedType makes it certain)', async () => {
    for (let i = 0; i < 10; i++) expect(await password({ PasswordLength: 8, IncludeSpace: true })).toContain(' ');
  });

  it('fits one character of every included type even in a 4-character password', async () => {
    for (let i = 0; i < 50; i++) {
      const value = await password({ PasswordLength: 4 });
      expect([LOWER.test(value), UPPER.test(value), DIGIT.test(value), hasPunctuation(value)]).toEqual([true, true, true, true]);
    }
  });

  it('refuses a length too short for RequireEachIncludedType, and allows it when that is off', async () => {
    const error = await rejectionOf(password({ PasswordLength: 3 }));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(await password({ PasswordLength: 3, RequireEachIncludedType: false })).toHaveLength(3);
    expect(await password({ PasswordLength: 3, ExcludePunctuation: true })).toHaveLength(3);
  });

  it('does not require a class whose every character is excluded', async () => {
    const value = await password({ PasswordLength: 50, ExcludeCharacters: '0123456789' });
    expect(value).not.toMatch(DIGIT);
    expect(value).toMatch(UPPER);
  });

  it('refuses exclusions that leave no character at all', async () => {
    const error = await rejectionOf(
      password({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    const byCharacters = await rejectionOf(password({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeCharacters: '0123456789' }));
    expect(byCharacters).toBeInstanceOf(InvalidParameterException);
  });

  it('refuses PasswordLength outside 1-4096 with ValidationException', async () => {
    for (const length of [0, 4097]) expect((await rejectionOf(password({ PasswordLength: length }))).name).toBe('ValidationException');
  });

  it('gives different passwords on each call', async () => {
    const values = new Set(await Promise.all(Array.from({ length: 20 }, () => password())));
    expect(values.size).toBe(20);
  });
});

describe('generatePassword (pure)', () => {
  it('shuffles the guaranteed characters instead of leaving them at the front', () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const value = generatePassword({ ...DEFAULT_PASSWORD_OPTIONS, passwordLength: 4, excludeLowercase: true, excludeUppercase: true, excludePunctuation: true, includeSpace: true });
      firsts.add(value[0] === ' ' ? 'space' : 'digit');
    }
    expect(firsts).toEqual(new Set(['space', 'digit']));
  });
});
