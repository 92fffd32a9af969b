import type pg from 'pg';
import type { AuthMethod } from '../config/environment';
import { DatabaseError } from '../errors';

/**
 * What a login accepts of the server: the authentication requests it answers (libpq's require_auth), and SCRAM
 * channel binding (libpq's channel_binding): `prefer` uses SCRAM-SHA-256-PLUS whenever TLS is on and the server offers
 * it; `require` refuses a login without it. node-postgres asks connect.ts for the password only once the server has
 * said how it wants it, so refusing there sends a server that asked for a cleartext or md5 password nothing at all.
 */
export interface AuthenticationFloor {
  readonly allowed: readonly AuthMethod[];
  readonly channelBinding: 'disable' | 'prefer' | 'require';
}

/** The function's defaults (lambda/config/environment.ts): SCRAM only, with channel binding where TLS is on. */
export const STRICT_AUTH: AuthenticationFloor = { allowed: ['scram-sha-256'], channelBinding: 'prefer' };

/** How the server asked this login to authenticate, and whether it offered SCRAM with channel binding. */
export interface ObservedAuthentication {
  readonly method: 'scram-sha-256-plus' | AuthMethod;
  readonly offeredPlus: boolean;
}

/**
 * Listens for the server's authentication request (protocol message 'R'), which node-postgres's connection emits by
 * kind. Registered before the client connects, so these listeners run before node-postgres's own and the method is
 * known by the time it asks for the password. Servers before 16 expose the method to no SQL function.
 *
 * @param binding whether the client offers channel binding (node-postgres then picks SCRAM-SHA-256-PLUS whenever the
 * server lists it, lib/crypto/sasl.js startSession)
 */
export function observeAuthentication(client: pg.Client, binding: boolean): () => ObservedAuthentication {
  let seen: ObservedAuthentication = { method: 'none', offeredPlus: false };
  const connection = (client as unknown as { connection: { once(event: string, listener: (message: { mechanisms?: string[] }) => void): void } }).connection;
  connection.once('authenticationSASL', (message) => {
    const offeredPlus = (message.mechanisms ?? []).includes('SCRAM-SHA-256-PLUS');
    seen = { method: binding && offeredPlus ? 'scram-sha-256-plus' : 'scram-sha-256', offeredPlus };
  });
  connection.once('authenticationMD5Password', () => (seen = { method: 'md5', offeredPlus: false }));
  connection.once('authenticationCleartextPassword', () => (seen = { method: 'password', offeredPlus: false }));
  return () => seen;
}

/**
 * Refuses what the deployment's floor does not allow, before any password leaves the function. With channel binding
 * required, as libpq does, only SCRAM-SHA-256-PLUS will do: md5, cleartext or trust cannot be bound to the channel.
 */
export function refuseAuthentication(seen: ObservedAuthentication, floor: AuthenticationFloor, at: { readonly role: string; readonly host: string }): void {
  const { role, host } = at;
  const method = seen.method === 'scram-sha-256-plus' ? 'scram-sha-256' : seen.method;
  if (!floor.allowed.includes(method)) {
    throw new DatabaseError(
      'authentication',
      `logging in as role "${role}" on ${host}: the server asked for ${describeMethod(seen.method)}, which PGREQUIREAUTH (${floor.allowed.join(',')}) does not allow; nothing was sent`,
    );
  }
  if (floor.channelBinding === 'require' && seen.method !== 'scram-sha-256-plus') {
    throw new DatabaseError('authentication', `logging in as role "${role}" on ${host}: PGCHANNELBINDING is require, but the server offered no SCRAM-SHA-256-PLUS over TLS; nothing was sent`);
  }
}

function describeMethod(method: string): string {
  return method === 'password' ? 'a cleartext password' : method === 'md5' ? 'an md5 password hash' : method === 'none' ? 'no password' : method;
}

