import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import pgCrypto from 'pg/lib/crypto/utils.js';

/**
 * The client's side of a SCRAM-SHA-256 login, for node-postgres.
 *
 * node-postgres derives a login's keys through WebCrypto: about ten promise-returning calls, each handed to the
 * thread pool, for what is one PBKDF2 and four small HMACs and hashes. On a Lambda's one or two vCPUs that
 * costs about 1 ms of CPU and as much wall time per login, and a rotation logs in three or four times.
 * {@link useNodeCryptoForScram} gives node-postgres node:crypto's one-shot functions instead: the same OpenSSL
 * code, the same bytes (test/unit/scram-client.test.ts compares them), with the PBKDF2 still off the main thread.
 *
 * It also lets a login skip the PBKDF2 altogether where the function already did it: setSecret derives the
 * pending password's salted password to build the verifier it stores, and testSecret's login with that
 * password gets the very salt back from the server. RFC 5802 §5.1 allows a client to keep the salted password
 * for this. An entry is used once, and kept for {@link SALTED_PASSWORD_TTL_MS} at most.
 */

/** pg/lib/crypto/utils.js: the functions its SASL code looks up on each login. */
interface PgCryptoFunctions {
  deriveKey(password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer | Uint8Array>;
  hmacSha256(key: ArrayBuffer | Uint8Array, message: string): Promise<ArrayBuffer | Uint8Array>;
  sha256(data: ArrayBuffer | Uint8Array): Promise<ArrayBuffer | Uint8Array>;
  /** The server certificate's hash for channel binding (tls-server-end-point), by WebCrypto name: `SHA-256`, … */
  hashByName(hashName: string, data: ArrayBuffer | Uint8Array): Promise<ArrayBuffer | Uint8Array>;
  /** The client nonce's bytes. */
  randomBytes(length: number): Uint8Array;
}

export const SALTED_PASSWORD_TTL_MS = 5 * 60_000;

/**
 * RFC 5802's SaltedPassword, Hi(password, salt, i) with HMAC-SHA-256: PBKDF2 on libuv's thread pool, off the main
 * thread. (Not `util.promisify`: the bundle would then import node:util, whose interop wrapper loads 35 of Node's
 * internal modules at cold start; scripts/function-bundle.ts, BUILTIN_SHIMS.)
 */
export function deriveSaltedPassword(preparedPassword: string, salt: Uint8Array, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(preparedPassword, salt, iterations, 32, 'sha256', (error, key) => (error ? reject(error) : resolve(key)));
  });
}

interface SaltedPassword {
  /** SHA-256 of the password it was derived from: enough to tell which login it serves, without the plaintext. */
  readonly passwordDigest: Buffer;
  readonly value: Buffer;
  readonly expiresAt: number;
}

/** By salt and iteration count: a salt is 16 random bytes, so one entry per password set. */
const saltedPasswords = new Map<string, SaltedPassword>();

const entryKey = (salt: Uint8Array, iterations: number) => `${iterations}:${Buffer.from(salt).toString('base64')}`;

/**
 * Keeps the salted password of a password this function just set, for its next login. `preparedPassword` is
 * the password after SASLprep, as it went into PBKDF2.
 */
export function rememberSaltedPassword(preparedPassword: string, salt: Buffer, iterations: number, saltedPassword: Buffer, now = Date.now()): void {
  const key = entryKey(salt, iterations);
  const entry = { passwordDigest: digest(preparedPassword), value: saltedPassword, expiresAt: now + SALTED_PASSWORD_TTL_MS };
  saltedPasswords.set(key, entry);
  // An entry no login takes (the change failed, or testSecret ran in another container) goes when it expires.
  setTimeout(() => saltedPasswords.get(key) === entry && saltedPasswords.delete(key), entry.expiresAt - now).unref();
}

/** The remembered salted password for exactly this password, salt and count, once; otherwise undefined. */
function takeSaltedPassword(preparedPassword: string, salt: Uint8Array, iterations: number, now = Date.now()): Buffer | undefined {
  const key = entryKey(salt, iterations);
  const entry = saltedPasswords.get(key);
  if (entry === undefined) return undefined;
  saltedPasswords.delete(key);
  const matches = entry.expiresAt > now && timingSafeEqual(digest(preparedPassword), entry.passwordDigest);
  return matches ? entry.value : undefined;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

// pg hands these functions back what they returned; WebCrypto's ArrayBuffer is taken as well.
const bytes = (data: ArrayBuffer | Uint8Array) => (data instanceof ArrayBuffer ? new Uint8Array(data) : data);

export const nodeCryptoScram = {
  deriveKey: async (password: string, salt: Uint8Array, iterations: number): Promise<Buffer> =>
    takeSaltedPassword(password, salt, iterations) ?? deriveSaltedPassword(password, salt, iterations),
  hmacSha256: async (key: ArrayBuffer | Uint8Array, message: string): Promise<Buffer> => createHmac('sha256', bytes(key)).update(message).digest(),
  sha256: async (data: ArrayBuffer | Uint8Array): Promise<Buffer> => createHash('sha256').update(bytes(data)).digest(),
  // WebCrypto's `SHA-256` is node:crypto's `sha256` (pg's cert-signatures.js names SHA-224/256/384/512 only).
  hashByName: async (hashName: string, data: ArrayBuffer | Uint8Array): Promise<Buffer> =>
    createHash(hashName.replace('-', '').toLowerCase()).update(bytes(data)).digest(),
  // The same CSPRNG as WebCrypto's getRandomValues, without WebCrypto's argument checking to load at a cold start.
  randomBytes: (length: number): Buffer => randomBytes(length),
} satisfies PgCryptoFunctions;

/**
 * Points node-postgres's SCRAM at {@link nodeCryptoScram}. pg's SASL code calls these through the module's
 * exports on every login, so replacing them there is enough. Should a later pg rename them, nothing is replaced
 * and logins keep pg's own code; the unit test fails so the upgrade is noticed.
 *
 * @returns whether node-postgres now uses them
 */
export function useNodeCryptoForScram(): boolean {
  const target = pgCrypto as Partial<Record<keyof PgCryptoFunctions, unknown>>;
  const names = Object.keys(nodeCryptoScram) as (keyof PgCryptoFunctions)[];
  if (!names.every((name) => typeof target[name] === 'function')) return false;
  Object.assign(target, nodeCryptoScram);
  return true;
}
