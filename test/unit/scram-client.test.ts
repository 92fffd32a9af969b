import type * as NodeCrypto from 'node:crypto';
import { pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import pgCrypto from 'pg/lib/crypto/utils.js';
import { describe, expect, it, vi } from 'vitest';
import { scramSha256VerifierInBackground } from '../../lambda/postgres/password-verifier';
import { nodeCryptoScram, rememberSaltedPassword, SALTED_PASSWORD_TTL_MS, useNodeCryptoForScram } from '../../lambda/postgres/scram-client';

// Counts key derivations, to tell a remembered salted password from a derived one.
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof NodeCrypto>();
  return { ...original, pbkdf2: vi.fn(original.pbkdf2) };
});

const derive = (password: string, salt: Buffer) => pbkdf2Sync(password, salt, 4096, 32, 'sha256');

describe('the SCRAM client functions given to node-postgres', () => {
  it('replace the ones node-postgres looks up on each login', () => {
    // Fails when a pg upgrade renames them: logins would silently go back to WebCrypto.
    expect(useNodeCryptoForScram()).toBe(true);
    expect(pgCrypto.deriveKey).toBe(nodeCryptoScram.deriveKey);
    expect(pgCrypto.hmacSha256).toBe(nodeCryptoScram.hmacSha256);
    expect(pgCrypto.sha256).toBe(nodeCryptoScram.sha256);
    expect(pgCrypto.hashByName).toBe(nodeCryptoScram.hashByName);
    expect(pgCrypto.randomBytes).toBe(nodeCryptoScram.randomBytes);
    // The client nonce: 18 random bytes, never repeated.
    const nonces = Array.from({ length: 100 }, () => Buffer.from(nodeCryptoScram.randomBytes(18)));
    expect(nonces.every((nonce) => nonce.length === 18)).toBe(true);
    expect(new Set(nonces.map((nonce) => nonce.toString('hex'))).size).toBe(100);
  });

  it('give the bytes WebCrypto gives, for ArrayBuffer and Buffer inputs alike', async () => {
    // What node-postgres would compute itself (pg/lib/crypto/utils.js calls crypto.subtle the same way).
    const subtle = crypto.subtle;
    const salt = randomBytes(16);
    const passwordKey = await subtle.importKey('raw', new TextEncoder().encode('pencil'), 'PBKDF2', false, ['deriveBits']);
    const saltedPassword = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 4096 }, passwordKey, 256);
    const hmacKey = await subtle.importKey('raw', saltedPassword, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const clientKey = await subtle.sign('HMAC', hmacKey, new TextEncoder().encode('Client Key'));
    const storedKey = await subtle.digest('SHA-256', clientKey);

    expect(await nodeCryptoScram.deriveKey('pencil', salt, 4096)).toEqual(Buffer.from(saltedPassword));
    expect(await nodeCryptoScram.hmacSha256(saltedPassword, 'Client Key')).toEqual(Buffer.from(clientKey));
    expect(await nodeCryptoScram.hmacSha256(Buffer.from(saltedPassword), 'Client Key')).toEqual(Buffer.from(clientKey));
    expect(await nodeCryptoScram.sha256(clientKey)).toEqual(Buffer.from(storedKey));
    expect(await nodeCryptoScram.sha256(Buffer.from(clientKey))).toEqual(Buffer.from(storedKey));
    // Channel binding hashes the server's certificate by its signature's hash (pg/lib/crypto/cert-signatures.js).
    const certificate = randomBytes(600);
    for (const name of ['SHA-256', 'SHA-384', 'SHA-512']) {
      expect(await nodeCryptoScram.hashByName(name, certificate), name).toEqual(Buffer.from(await subtle.digest(name, certificate)));
    }
  });
});

describe('a remembered salted password', () => {
  it('serves the next login with that password and salt once, then PBKDF2 runs again', async () => {
    const salt = randomBytes(16);
    // A marker no PBKDF2 would produce shows which path answered.
    const marker = Buffer.alloc(32, 7);
    rememberSaltedPassword('pencil', salt, 4096, marker);

    expect(await nodeCryptoScram.deriveKey('pencil', salt, 4096)).toEqual(marker);
    expect(await nodeCryptoScram.deriveKey('pencil', salt, 4096)).toEqual(derive('pencil', salt));
  });

  it("is kept by setSecret's verifier for the first login with the new password", async () => {
    const verifier = await scramSha256VerifierInBackground('New-Passw0rd');
    const salt = Buffer.from(/^SCRAM-SHA-256\$4096:([^$]+)\$/.exec(verifier)?.[1] ?? '', 'base64');
    vi.mocked(pbkdf2).mockClear();

    const first = await nodeCryptoScram.deriveKey('New-Passw0rd', salt, 4096);
    expect(pbkdf2).not.toHaveBeenCalled();
    expect(first).toEqual(derive('New-Passw0rd', salt));
  });

  it('is never served for another password, another salt or another iteration count', async () => {
    const salt = randomBytes(16);
    const marker = Buffer.alloc(32, 7);

    rememberSaltedPassword('pencil', salt, 4096, marker);
    expect(await nodeCryptoScram.deriveKey('pencil2', salt, 4096)).toEqual(derive('pencil2', salt));

    rememberSaltedPassword('pencil', salt, 4096, marker);
    const otherSalt = randomBytes(16);
    expect(await nodeCryptoScram.deriveKey('pencil', otherSalt, 4096)).toEqual(derive('pencil', otherSalt));

    const fewer = pbkdf2Sync('pencil', salt, 4095, 32, 'sha256');
    expect(await nodeCryptoScram.deriveKey('pencil', salt, 4095)).toEqual(fewer);
  });

  it('is forgotten after its time to live', async () => {
    const salt = randomBytes(16);
    rememberSaltedPassword('pencil', salt, 4096, Buffer.alloc(32, 7), Date.now() - SALTED_PASSWORD_TTL_MS - 1);

    expect(await nodeCryptoScram.deriveKey('pencil', salt, 4096)).toEqual(derive('pencil', salt));
  });
});
