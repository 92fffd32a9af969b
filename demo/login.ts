import type { ClientConfig } from 'pg';
import { Client } from 'pg';

/** What a login attempt showed: it worked, or the server's SQLSTATE (28P01 wrong password, 28000 NOLOGIN, …). */
export type LoginOutcome = { readonly ok: true } | { readonly ok: false; readonly sqlState: string | undefined };

/** Logs in as `user` on the demo's server and disconnects at once: the proof behind every ✓ of the demo. */
export async function tryLogin(server: ClientConfig, user: string, password: string): Promise<LoginOutcome> {
  const client = new Client({ ...server, user, password });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return { ok: true };
  } catch (error) {
    const sqlState = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
    return { ok: false, sqlState };
  }
}

/** An open session of `user`, to show that an action ends sessions and not only new logins. */
export interface OpenSession {
  /** Whether the server still answers on this session. */
  alive(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openSession(server: ClientConfig, user: string, password: string): Promise<OpenSession> {
  const client = new Client({ ...server, user, password });
  // A terminated session emits an error event; the demo asks alive() instead.
  client.on('error', () => undefined);
  await client.connect();
  return {
    alive: async () =>
      client.query('SELECT 1').then(
        () => true,
        () => false,
      ),
    close: () => client.end().catch(() => undefined),
  };
}
