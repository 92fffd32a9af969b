import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { generatePassword, passwordPolicyFrom } from '../../lambda/secrets/password-policy';

describe('password policy', () => {
  it("uses AWS's defaults: 32 characters, every type, none of : / @ \" ' \\", () => {
    const policy = passwordPolicyFrom(readEnvironment({}));
    for (let i = 0; i < 200; i++) {
      const password = generatePassword(policy);
      expect(password).toHaveLength(32);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^a-zA-Z0-9]/);
      expect(password).not.toMatch(/[:/@"'\\]/);
    }
  });

  it("reads AWS's variable names and boolean spellings", () => {
    const policy = passwordPolicyFrom(
      readEnvironment({ PASSWORD_LENGTH: '12', EXCLUDE_PUNCTUATION: 'yes', EXCLUDE_UPPERCASE: '1', EXCLUDE_CHARACTERS: 'abc' }),
    );
    const password = generatePassword(policy);
    expect(password).toMatch(/^[d-z0-9]{12}$/);
  });

  it('names the variable when the exclusions leave nothing to draw from', () => {
    const policy = passwordPolicyFrom(
      readEnvironment({ EXCLUDE_PUNCTUATION: 'true', EXCLUDE_UPPERCASE: 'true', EXCLUDE_LOWERCASE: 'true', EXCLUDE_NUMBERS: 'true' }),
    );
    expect(() => generatePassword(policy)).toThrow(new InvalidInputError('environment.EXCLUDE_CHARACTERS', 'the exclusions leave no characters to use'));
  });

  it('names a bad environment variable without echoing its value', () => {
    expect(() => readEnvironment({ PASSWORD_LENGTH: 'lots' })).toThrow(/^environment\.PASSWORD_LENGTH: /);
    expect(() => readEnvironment({ PGSSLMODE: 'sometimes' })).toThrow(/^environment\.PGSSLMODE: /);
    // The default sslmode may not be below the floor; the floor is verify-full unless the deployment lowers it.
    expect(() => readEnvironment({ PGSSLMODE: 'require' })).toThrow(/^environment\.PGSSLMODE: is below MINIMUM_SSLMODE \(verify-full\)/);
    expect(readEnvironment({ PGSSLMODE: 'require', MINIMUM_SSLMODE: 'require' }).MINIMUM_SSLMODE).toBe('require');
    expect(readEnvironment({}).PGREQUIREAUTH).toEqual(['scram-sha-256']);
    expect(() => readEnvironment({ PGREQUIREAUTH: 'scram-sha-256,gss' })).toThrow(/^environment\.PGREQUIREAUTH\.1: /);
  });
});
