/**
 * node-postgres logs in with scram-client.ts's functions (installed by lambda/postgres/connect.ts), against a real
 * server that checks every proof itself.
 */
import { escapeIdentifier, escapeLiteral } from 'pg';
import { describe, expect, it } from 'vitest';
import { DatabaseError } from '../../lambda/errors';
import type { ConnectionTarget } from '../../lambda/postgres/connect';
import { openSession } from '../../lambda/postgres/connect';
import { scramSha256VerifierInBackground } from '../../lambda/postgres/password-verifier';
import { rememberSaltedPassword } from '../../lambda/postgres/scram-client';
import { freshDatabase, uniqueName } from '../support/postgres';

async function roleWithVerifier(password: string) {
  const db = await freshDatabase();
  const role = uniqueName('scram');
  const verifier = await scramSha256VerifierInBackground(password);
  await db.withSuperuser((client) => client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(verifier)}`));
  const target: ConnectionTarget = {
    host: db.server.host,
    port: db.server.port,
    database: db.name,
    tls: { mode: 'verify-full', caPem: db.server.caPem as string },
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 5_000,
  };
  const salt = Buffer.from(/^SCRAM-SHA-256\$4096:([^$]+)\$/.exec(verifier)?.[1] ?? '', 'base64');
  return { role, target, salt };
}

const logIn = async (target: ConnectionTarget, username: string, password: string) => {
  const session = await openSession(target, { username, password });
  await session.end();
  return session.authentication;
};

describe('SCRAM logins', () => {
  it('log in with the password whose verifier the function set, and refuse a wrong one', async () => {
    const { role, target } = await roleWithVerifier('Right-Passw0rd');

    // Over TLS, with channel binding (SCRAM-SHA-256-PLUS): the proof covers the server's certificate too.
    expect(await logIn(target, role, 'Right-Passw0rd')).toBe('scram-sha-256-plus');
    expect(await logIn({ ...target, auth: { allowed: ['scram-sha-256'], channelBinding: 'disable' } }, role, 'Right-Passw0rd')).toBe('scram-sha-256');
    await expect(logIn(target, role, 'Wrong-Passw0rd')).rejects.toMatchObject({ sqlState: '28P01' });
  });

  it('use a remembered salted password for the salt the server sends, once', async () => {
    const { role, target, salt } = await roleWithVerifier('Right-Passw0rd');
    // A wrong salted password remembered for the role's salt: the server refuses the proof built from it, which
    // shows the login took it instead of deriving its own. The next login derives its own again.
    rememberSaltedPassword('Right-Passw0rd', salt, 4096, Buffer.alloc(32, 7));

    const poisoned = await logIn(target, role, 'Right-Passw0rd').catch((error: unknown) => error);
    expect(poisoned).toBeInstanceOf(DatabaseError);
    expect(poisoned).toMatchObject({ sqlState: '28P01' });
    expect(await logIn(target, role, 'Right-Passw0rd')).toBe('scram-sha-256-plus');
  });
});
