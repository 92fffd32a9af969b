import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramSha256Verifier, scramSha256VerifierInBackground } from '../../lambda/postgres/password-verifier';
import { saslPrep } from '../../lambda/postgres/saslprep';

describe('password verifiers', () => {
  it('builds a SCRAM-SHA-256 verifier that checks out against the RFC 7677 example exchange', () => {
    // RFC 7677 §3: user "user", password "pencil". A verifier is right when the server keys it holds validate
    // the RFC's client proof and reproduce the RFC's server signature.
    const salt = 'W22ZaJ0SNY7soEsUEjb6gQ==';
    const verifier = scramSha256Verifier('pencil', { salt: Buffer.from(salt, 'base64') });
    const match = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    expect(match?.[1]).toBe(salt);
    const storedKey = Buffer.from(match?.[2] ?? '', 'base64');
    const serverKey = Buffer.from(match?.[3] ?? '', 'base64');

    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,' +
      `r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=${salt},i=4096,` +
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const clientProof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(clientProof.map((byte, i) => byte ^ (clientSignature[i] as number)));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
    expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('salts each SCRAM verifier afresh, so equal passwords give different verifiers', () => {
    expect(scramSha256Verifier('same')).not.toBe(scramSha256Verifier('same'));
  });

  it('never contains the plaintext password', () => {
    const password = 'VeryRecognisablePassword123';
    expect(scramSha256Verifier(password)).not.toContain(password);
  });

  it('computes the same verifier off the event loop as on it, for the salt it drew', async () => {
    const password = 'pässword with ümlauts';
    const background = await scramSha256VerifierInBackground(password);
    const salt = /^SCRAM-SHA-256\$4096:([^$]+)\$/.exec(background)?.[1] ?? '';

    expect(background).toBe(scramSha256Verifier(password, { salt: Buffer.from(salt, 'base64') }));
  });
});

describe('SASLprep', () => {
  it('leaves printable ASCII unchanged', () => {
    expect(saslPrep('p@ss w0rd!~')).toBe('p@ss w0rd!~');
  });

  it('maps non-ASCII spaces to a space and removes characters mapped to nothing', () => {
    expect(saslPrep('a\u00a0b\u00adc')).toBe('a bc');
  });

  it('normalizes to NFKC', () => {
    expect(saslPrep('\u2168')).toBe('IX');
  });

  it('falls back to the original when a prohibited character remains, as PostgreSQL does', () => {
    expect(saslPrep('abc\u0007é')).toBe('abc\u0007é');
  });
});
