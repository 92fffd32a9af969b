import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../client/cli';
import { EXIT, runCli } from '../../client/cli';
import { ENV } from '../../lambda/config/environment';
import { handleStatusRequest } from '../../lambda/status/handle-status-request';
import { createStatusRuntime } from '../../lambda/status/status-runtime';
import { findFreePort } from '../../local/postgres/free-port';
import { LOCAL_AWS } from '../../local/stack';
import type { StatusResponse } from '../../lambda/requests/envelope';
import { freshDatabase, uniqueName } from '../support/postgres';
import { extractMetrics } from '../support/emf-spec';
import { createLogin } from '../support/rotation-stack';
import type { StatusStack } from '../support/status-stack';
import { startStatusStack } from '../support/status-stack';

// The status check and `pg-rotator status` against the local stack, with secrets whose history was made by real
// rotations on Secrets Manager's clock: one rotated 41 days ago on a 30-day schedule (overdue), one whose rotation
// failed a day ago and left AWSPENDING (stuck), one rotated yesterday (healthy), one with rotation turned off, and
// one rotated by another function (not listed).

const DAY_MS = 86_400_000;
const T0 = new Date('2026-01-01T06:00:00Z');
const at = (days: number, hours = 0) => new Date(T0.getTime() + days * DAY_MS + hours * 3_600_000);

let s: StatusStack;
const prefix = `${uniqueName('status')}/`;
const names = { overdue: `${prefix}overdue`, stuck: `${prefix}stuck`, healthy: `${prefix}healthy`, disabled: `${prefix}disabled`, foreign: `${prefix}foreign` };
let stuckVersion: string;

beforeAll(async () => {
  // The CLI signs its calls with the caller's AWS credentials, like any AWS client; the local endpoint takes any.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  s = await startStatusStack();
  const db = await freshDatabase();
  const login = (name: string) => createLogin(db, uniqueName(name), 'Original-Passw0rd');

  s.setNow(at(0));
  const overdue = await s.createSecret(names.overdue, await login('overdue'), { 'pg-rotator:strategy': 'single-user' });
  expect(await s.rotate(overdue)).toMatchObject({ succeeded: true });

  s.setNow(at(40));
  const healthy = await s.createSecret(names.healthy, await login('healthy'), { 'pg-rotator:strategy': 'single-user' });
  expect(await s.rotate(healthy)).toMatchObject({ succeeded: true });
  const unreachable = { engine: 'postgres', host: '127.0.0.1', port: await findFreePort(), username: 'nobody', password: 'Unused-Passw0rd', dbname: 'postgres' };
  const stuck = await s.createSecret(names.stuck, unreachable);
  const failed = await s.rotate(stuck);
  expect(failed).toMatchObject({ succeeded: false });
  stuckVersion = failed.versionId;
  const disabled = await s.createSecret(names.disabled, await login('disabled'));
  expect(await s.rotate(disabled)).toMatchObject({ succeeded: true });
  await s.cancelRotation(disabled);
  const other = s.stack.lambda.register('someone-else', { kind: 'in-process', handler: () => Promise.resolve(null) });
  const foreign = await s.createSecret(names.foreign, unreachable);
  await s.stack.secretsClient().send(new RotateSecretCommand({ SecretId: foreign, RotationLambdaARN: other, RotateImmediately: false }));
  await s.stack.secretsManager.rotations.settled(foreign);

  s.setNow(at(41, 2));
});
afterAll(async () => {
  await s?.close();
});

async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { PG_ROTATOR_STATUS_FUNCTION: s.statusArn }, readStdin: async () => '' };
  const status = await runCli(['--region', 'us-east-1', '--endpoint-url', s.stack.lambda.endpoint, ...args], io);
  return { status, stdout, stderr };
}

describe('the status check', () => {
  it('reports the stuck, the overdue, the healthy and the disabled secret, from metadata alone', async () => {
    const reads = s.stack.secretsManager.calls('GetSecretValue');

    const { status, stdout } = await cli(['status', '--name-prefix', prefix, '--json']);
    const response = JSON.parse(stdout) as StatusResponse;
    const byName = Object.fromEntries((response.result?.secrets ?? []).map((secret) => [secret.name, secret]));

    expect(status).toBe(EXIT.findings);
    expect(response.result).toMatchObject({ complete: true, counts: { managed: 4, healthy: 1, stuck: 1, overdue: 1, rotationDisabled: 1 } });
    expect(Object.keys(byName).sort()).toEqual([names.disabled, names.healthy, names.overdue, names.stuck]);
    expect(byName[names.stuck]).toMatchObject({
      strategy: 'unknown',
      stages: [['AWSCURRENT'], ['AWSPENDING']],
      pending: { versionId: stuckVersion, createdAt: at(40).toISOString(), ageSeconds: 26 * 3600 },
      lastFailure: { since: at(40).toISOString() },
      findings: [{ kind: 'stuck' }],
    });
    expect(byName[names.overdue]).toMatchObject({
      strategy: 'single-user',
      lastRotated: at(0).toISOString(),
      dueBy: '2026-02-01T00:00:00.000Z',
      stages: [['AWSCURRENT', 'AWSPENDING'], ['AWSPREVIOUS']],
      findings: [{ kind: 'overdue' }],
    });
    expect(byName[names.healthy]).toMatchObject({ lastRotated: at(40).toISOString(), pending: null, findings: [] });
    expect(byName[names.disabled]).toMatchObject({ rotationEnabled: false, findings: [{ kind: 'rotation-disabled' }] });
    expect(s.stack.secretsManager.calls('GetSecretValue')).toBe(reads);
  });

  it('prints a table with one row per secret and a summary, findings first', async () => {
    const { status, stdout } = await cli(['status', '--name-prefix', prefix]);
    const lines = stdout.trimEnd().split('\n');

    expect(status).toBe(EXIT.findings);
    expect(lines[0]).toMatch(/^SECRET\s+STRATEGY\s+LAST ROTATED\s+NEXT ROTATION\s+STAGES\s+PENDING\s+LAST FAILURE\s+FINDINGS$/);
    expect(lines.slice(1, 4).map((line) => line.split(/\s{2,}/)[0])).toEqual([names.disabled, names.overdue, names.stuck]);
    expect(lines.find((line) => line.startsWith(names.stuck))).toMatch(/CURRENT \| PENDING\s+26h\s+2026-02-10 06:00Z, unfinished\s+stuck$/);
    expect(lines.find((line) => line.startsWith(names.overdue))).toMatch(/2026-01-01 06:00Z \(41d ago\).*CURRENT\+PENDING \| PREVIOUS.*overdue$/);
    expect(lines.find((line) => line.startsWith(names.healthy))).toMatch(/\s-$/);
    expect(lines.at(-1)).toBe('4 managed: 1 healthy, 1 stuck, 1 overdue, 1 rotation disabled (1 page read; complete)');
  });

  it('exits 0 when nothing listed is stuck or overdue, and lists only findings with --findings-only', async () => {
    const healthy = await cli(['status', '--name-prefix', names.healthy]);
    const disabledOnly = await cli(['status', '--name-prefix', names.disabled, '--json']);
    const findings = JSON.parse((await cli(['status', '--name-prefix', prefix, '--findings-only', '--json'])).stdout) as StatusResponse;

    expect(healthy.status).toBe(EXIT.ok);
    expect(healthy.stdout).toContain('1 managed: 1 healthy, 0 stuck, 0 overdue, 0 rotation disabled');
    expect(disabledOnly.status).toBe(EXIT.ok);
    expect(findings.result?.secrets.map((secret) => secret.name).sort()).toEqual([names.disabled, names.overdue, names.stuck]);
  });

  it('logs each finding with its secret, and the counts of a full check as valid EMF', async () => {
    const from = s.statusLog.length;
    await s.stack.lambdaClient().send(new InvokeCommand({ FunctionName: s.statusArn, Payload: JSON.stringify({ kind: 'status', list: 'none' }) }));
    const lines = s.statusLog.slice(from);
    const metrics = extractMetrics(lines);

    const findings = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === 'status finding');
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ finding: 'stuck', secretArn: expect.stringContaining(names.stuck) })]));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'StuckSecrets', dimensions: {} }));
    expect((metrics.find((m) => m.name === 'StuckSecrets')?.value as number) >= 1).toBe(true);
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'Requests', dimensions: { Kind: 'status', Outcome: 'ok' } }));
  });

  it('exits 5 and says so when the check ran out of time before it listed everything', async () => {
    // A status function whose invocation leaves less time than the answer's reserve: it stops before the first page.
    const runtime = createStatusRuntime(
      { [ENV.rotationFunctionArn]: s.stack.rotatorArn, [ENV.secretsManagerEndpoint]: s.stack.secretsManager.endpoint },
      { secretsManager: { ...LOCAL_AWS }, writeLog: () => undefined },
    );
    const hurried = s.stack.lambda.register('pg-rotator-status-hurried', {
      kind: 'in-process',
      handler: (event, context) => handleStatusRequest(event, runtime, context),
      timeoutMs: 5_000,
    });

    const json = await cli(['--function', hurried, 'status', '--name-prefix', prefix, '--json']);
    const table = await cli(['--function', hurried, 'status', '--name-prefix', prefix]);

    expect(json.status).toBe(EXIT.incomplete);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, result: { complete: false, stoppedBy: 'time-limit', pagesRead: 0 } });
    expect(table.status).toBe(EXIT.incomplete);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toBe('0 managed: 0 healthy, 0 stuck, 0 overdue, 0 rotation disabled (0 pages read; INCOMPLETE: stopped by the time-limit)');
  });

  it('is refused by the orchestrator, which names the function that answers it', async () => {
    const { status, stdout } = await cli(['--function', s.stack.orchestratorArn, 'status', '--json']);

    expect(status).toBe(EXIT.failed);
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'status', ok: false, error: { code: 'INVALID_INPUT', field: 'request.kind', message: expect.stringContaining('status function') } });
  });
});
