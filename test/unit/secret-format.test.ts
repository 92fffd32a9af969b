import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lambda/errors';
import { connectionAttempts, resolveSslMode } from '../../lambda/postgres/tls';
import { DatabaseSecretSchema, parseSecretString } from '../../lambda/secrets/secret-format';

const parse = (value: unknown) => parseSecretString(JSON.stringify(value), DatabaseSecretSchema);
const awsSecret = { engine: 'postgres', host: 'db.abc.us-east-1.rds.amazonaws.com', username: 'app', password: 'Secr3t!' };

describe('secret JSON', () => {
  it("accepts AWS's RDS format unchanged, with AWS's defaults", () => {
    const { fields, raw } = parse({ ...awsSecret, dbInstanceIdentifier: 'db-1' });
    expect(fields.port).toBeUndefined();
    expect(fields.dbname).toBeUndefined();
    expect(raw.dbInstanceIdentifier).toBe('db-1');
  });

  it('takes the port as a number or a numeric string', () => {
    expect(parse({ ...awsSecret, port: 5433 }).fields.port).toBe(5433);
    expect(parse({ ...awsSecret, port: '5433' }).fields.port).toBe(5433);
  });

  it('names the bad field and never echoes its value', () => {
    const attempt = () => parse({ ...awsSecret, engine: 'mysql', password: 'DoNotEchoMe' });
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(/^secret\.engine: /);
    expect(() => parse({ ...awsSecret, port: 'DoNotEchoMe' })).toThrow(/^secret\.port: /);
    try {
      parse({ ...awsSecret, port: 'DoNotEchoMe' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('DoNotEchoMe');
    }
  });

  it('says a required field is required', () => {
    const { password: _password, ...withoutPassword } = awsSecret;
    expect(() => parse(withoutPassword)).toThrow('secret.password: is required');
  });

  it('refuses a role name over 63 bytes instead of letting PostgreSQL truncate it', () => {
    expect(() => parse({ ...awsSecret, username: 'x'.repeat(64) })).toThrow(/secret\.username: must be at most 63 bytes/);
  });

  it('does not quote invalid JSON back', () => {
    expect(() => parseSecretString('{"password": "DoNotEchoMe",', DatabaseSecretSchema)).toThrow('secret: is not valid JSON');
  });
});

describe('sslmode', () => {
  it("prefers the secret's sslmode, then AWS's ssl key, then the function default", () => {
    expect(resolveSslMode({ sslmode: 'require', ssl: true }, 'verify-full')).toBe('require');
    expect(resolveSslMode({ ssl: true }, 'disable')).toBe('verify-full');
    expect(resolveSslMode({ ssl: 'FALSE' }, 'verify-full')).toBe('disable');
    expect(resolveSslMode({}, 'verify-ca')).toBe('verify-ca');
  });

  it("never downgrades silently where AWS would: an absent or odd ssl key means the verified default", () => {
    expect(resolveSslMode({ ssl: 'maybe' }, 'verify-full')).toBe('verify-full');
  });

  it("makes libpq's attempts in libpq's order, verifying the chain whenever a root certificate is given", () => {
    const kinds = (mode: Parameters<typeof connectionAttempts>[0]['mode'], caPem?: string) =>
      connectionAttempts({ mode, ...(caPem ? { caPem } : {}) }).map((a) => (a.tls === false ? 'plain' : a.tls.verification));
    expect(kinds('disable')).toEqual(['plain']);
    expect(kinds('allow')).toEqual(['plain', 'none']);
    expect(kinds('prefer')).toEqual(['none', 'plain']);
    expect(kinds('prefer', 'PEM')).toEqual(['chain', 'plain']);
    expect(kinds('allow', 'PEM')).toEqual(['plain', 'chain']);
    expect(kinds('require')).toEqual(['none']);
    expect(kinds('require', 'PEM')).toEqual(['chain']);
    expect(kinds('verify-ca')).toEqual(['chain']);
    expect(kinds('verify-full')).toEqual(['chain-and-host']);
  });
});
