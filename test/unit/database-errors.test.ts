import { describe, expect, it } from 'vitest';
import { DatabaseError } from '../../lambda/errors';
import { SERVER_REFUSED_TLS, failureKind, toDatabaseError } from '../../lambda/postgres/errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const context = { doing: 'logging in', role: 'app', host: 'db.example.com' };

describe('translating database failures', () => {
  it.each([
    ['28P01', 'authentication'],
    ['28000', 'authentication'],
    ['42501', 'permission'],
    ['0LP01', 'permission'],
    ['42704', 'missing-role'],
    ['3D000', 'missing-role'],
    ['57014', 'timeout'],
    ['55P03', 'timeout'],
    ['23505', 'query'],
    ['ECONNREFUSED', 'network'],
    ['ENOTFOUND', 'network'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
  ])('classifies %s as %s', (code, kind) => {
    expect(failureKind(withCode(code))).toBe(kind);
  });

  it("recognises node-postgres's refusal of TLS by its fixed message", () => {
    expect(failureKind(new Error(SERVER_REFUSED_TLS))).toBe('tls');
  });

  it('names what was being done, the role, the host and the SQLSTATE, with a stable code', () => {
    const error = toDatabaseError(withCode('28P01', 'password authentication failed for user "app"'), context);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.code).toBe('DB_AUTHENTICATION');
    expect(error.message).toBe('logging in as role "app" on db.example.com: authentication failed (password authentication failed for user "app") (SQLSTATE 28P01)');
  });

  it('keeps only the code of a socket error, whose message may carry addresses', () => {
    expect(toDatabaseError(withCode('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:5432'), context).message).toBe(
      'logging in as role "app" on db.example.com: could not reach the server (ECONNREFUSED)',
    );
  });

  it('does not repeat the message of an unknown error, which could hold anything', () => {
    const error = toDatabaseError(new Error('something with p4ssw0rd inside'), context);
    expect(error.message).not.toContain('p4ssw0rd');
  });
});
