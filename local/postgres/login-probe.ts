import { Client, DatabaseError, type ClientConfig } from 'pg';

/** The outcome of one login attempt. */
export type LoginResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** PostgreSQL's SQLSTATE when the server refused (28P01 wrong password, 28000 no pg_hba.conf entry). */
      readonly sqlState: string | undefined;
      /** Node's error code when the connection failed before PostgreSQL answered (e.g. a TLS check). */
      readonly errorCode: string | undefined;
      readonly message: string;
    };

/**
 * Tries to log in and says how it went, without throwing: the question "does this password work?" has
 * two normal answers. The connection is closed either way.
 *
 * @example
 * const result = await tryLogIn(config);
 * if (!result.ok && result.sqlState === '28P01') { ... } // wrong password
 */
export async function tryLogIn(config: ClientConfig): Promise<LoginResult> {
  const client = new Client(config);
  // An error after connect (e.g. the server closing an idle session) must not crash the test process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { ok: true };
  } catch (error) {
    // node-postgres raises DatabaseError only for an ErrorResponse from the server; everything else
    // (refused socket, TLS verification, "server does not support SSL") is a plain Error with a Node code.
    if (error instanceof DatabaseError) {
      return { ok: false, sqlState: error.code, errorCode: undefined, message: error.message };
    }
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
    return {
      ok: false,
      sqlState: undefined,
      errorCode: typeof code === 'string' ? code : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
