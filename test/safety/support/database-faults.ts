/**
 * Real database faults, done as the superuser on the shared test server: a session ended under the function, a row
 * lock held against it. Each acts only on roles of one scenario (names are unique), so parallel scenarios and
 * other test files are untouched.
 */
import pg from 'pg';
import { superuserClientConfig } from '../../../local/postgres/client-config';
import { postgresServer } from '../../support/postgres';
import { rawQuery } from './rotator-statements';

async function asSuperuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(superuserClientConfig(postgresServer()));
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Ends one backend the way a server shutdown does (FATAL 57P01 "terminating connection due to administrator
 * command"), and waits until the process is gone, so whatever it had not committed is rolled back.
 */
export async function terminateBackend(pid: number): Promise<void> {
  await asSuperuser((client) => client.query('SELECT pg_terminate_backend($1, 5000)', [pid]));
}

/** Ends every session pg-rotator holds as one of `roles`, and waits for each to be gone. */
export async function terminateRotatorSessions(roles: readonly string[]): Promise<number> {
  return asSuperuser(async (client) => {
    const { rowCount } = await client.query(
      "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'pg-rotator' AND usename = ANY($1)",
      [roles],
    );
    return rowCount ?? 0;
  });
}

/**
 * The error node-postgres itself raises for a statement on a session whose server went away. After the backend is
 * terminated, the next statement on the session fails; that genuine driver error is what the caller gets, so the
 * function sees a lost answer exactly as it would on the wire.
 */
export async function errorOfDeadSession(client: pg.Client): Promise<Error> {
  try {
    await rawQuery(client, 'SELECT 1');
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  return new Error('the session survived pg_terminate_backend');
}

/**
 * Holds the row lock of a role's pg_authid entry in an open transaction (an uncommitted ALTER ROLE, rolled back on
 * release), so any ALTER ROLE of that role waits on it until its lock_timeout.
 */
export async function holdRoleLock(role: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client(superuserClientConfig(postgresServer()));
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query(`ALTER ROLE ${pg.escapeIdentifier(role)} VALID UNTIL 'infinity'`);
  return {
    release: async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
