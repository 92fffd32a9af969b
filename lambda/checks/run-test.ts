import { DatabaseError } from '../errors';
import type { Session } from '../postgres/connect';
import { run } from '../postgres/role-changes';
import { withSession } from '../postgres/connect';
import type { ConnectionDeps } from '../requests/request-target';
import { resolveConnection } from '../requests/request-target';
import { adminChecklist } from './admin-checklist';
import { readChecklistFacts } from './checklist-facts';
import type { TestRequest, TestResult } from './test-request';

const LATENCY_SAMPLES = 5;

/**
 * Logs in with the request's secret and reports the server version, TLS protocol and cipher (pg_stat_ssl, the
 * server's own view), the authentication method (SYSTEM_USER, PostgreSQL 16+), the round-trip latency of
 * `SELECT 1` and, for an admin secret, the checklist of what each action and strategy needs.
 */
export async function runTest(request: TestRequest, deps: ConnectionDeps): Promise<TestResult> {
  const connection = await resolveConnection(
    { secretId: request.secretArn, connectionSecretId: request.connectionSecretArn, database: request.database },
    deps,
    { secret: 'request.secretArn', connectionSecret: 'request.connectionSecretArn' },
  );
  return withSession(connection.target, connection.credentials, 'testing a secret', async (session) => {
    const server = (
      await run<{ role: string; database: string; version: string; versionNum: number; protocol: string | null; cipher: string | null }>(session, {
        text: `SELECT current_user AS role, current_database() AS database, current_setting('server_version') AS version,
                      current_setting('server_version_num')::int AS "versionNum", s.version AS protocol, s.cipher
                 FROM pg_catalog.pg_stat_ssl s WHERE s.pid = pg_catalog.pg_backend_pid()`,
      })
    ).rows[0];
    if (!server) throw new DatabaseError('query', 'could not read the session from pg_stat_ssl');
    const checklist = request.admin === undefined ? null : adminChecklist(await readChecklistFacts(session, request.admin.managedRoles, request.admin.schemas));
    return {
      role: server.role,
      database: server.database,
      serverVersion: server.version,
      serverVersionNum: server.versionNum,
      tls: server.protocol === null || server.cipher === null ? null : { protocol: server.protocol, cipher: server.cipher },
      authentication: await authentication(session, server.versionNum),
      latencyMs: await latency(session),
      checklist,
    };
  });
}

async function authentication(session: Session, versionNum: number): Promise<TestResult['authentication']> {
  // SYSTEM_USER is "auth_method:identity" (PostgreSQL 16+), the server's own word; before 16 no SQL function
  // says, so report what the server asked of this login on the wire.
  const channelBinding = session.authentication === 'scram-sha-256-plus';
  if (versionNum < 160000) return { method: session.authentication, source: 'protocol', channelBinding };
  const value = (await run<{ systemUser: string | null }>(session, { text: 'SELECT system_user AS "systemUser"' })).rows[0]?.systemUser ?? null;
  return value === null
    ? { method: session.authentication, source: 'protocol', channelBinding }
    : { method: value.split(':')[0] ?? null, source: 'system_user', channelBinding };
}

async function latency(session: Session): Promise<TestResult['latencyMs']> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const started = performance.now();
    await session.query('SELECT 1');
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { median: round(samples[Math.floor(samples.length / 2)] ?? 0), min: round(samples[0] ?? 0), max: round(samples.at(-1) ?? 0), samples: samples.length };
}
