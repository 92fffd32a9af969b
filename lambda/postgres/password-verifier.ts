import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { saslPrep } from './saslprep';
import { deriveSaltedPassword, rememberSaltedPassword } from './scram-client';

/**
 * PostgreSQL stores whatever verifier `ALTER ROLE … PASSWORD` hands it when the text is already one, so the
 * verifier is computed here and the plaintext never reaches the server, its statement log,
 * pg_stat_statements or pgaudit.
 */

/** PostgreSQL's default iteration count (`scram_iterations`, src/include/common/scram-common.h). */
export const SCRAM_ITERATIONS = 4096;
const SCRAM_SALT_BYTES = 16;

/**
 * A SCRAM-SHA-256 verifier in PostgreSQL's own format (RFC 5802 / RFC 7677, as `pg_be_scram_build_secret`):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, all base64.
 *
 * @example
 * scramSha256Verifier('s3cret') // 'SCRAM-SHA-256$4096:…$…:…'
 */
export function scramSha256Verifier(
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): string {
  const salt = options.salt ?? randomBytes(SCRAM_SALT_BYTES);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  return formatVerifier(pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256'), salt, iterations);
}

/**
 * {@link scramSha256Verifier} with the key derivation on libuv's thread pool: setSecret starts it with its
 * logins, so the ~1 ms of PBKDF2 is done by the time the change is made. The salted password is kept for the
 * next login with this password (testSecret's), which then skips its own PBKDF2 (see scram-client.ts).
 */
export async function scramSha256VerifierInBackground(password: string): Promise<string> {
  const salt = randomBytes(SCRAM_SALT_BYTES);
  const prepared = saslPrep(password);
  const saltedPassword = await deriveSaltedPassword(prepared, salt, SCRAM_ITERATIONS);
  rememberSaltedPassword(prepared, salt, SCRAM_ITERATIONS, saltedPassword);
  return formatVerifier(saltedPassword, salt, SCRAM_ITERATIONS);
}

function formatVerifier(saltedPassword: Buffer, salt: Buffer, iterations: number): string {
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
