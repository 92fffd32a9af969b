import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../client/cli';
import { EXIT, runCli } from '../../client/cli';
import type { Response } from '../../lambda/requests/envelope';
import { uniqueName } from '../support/postgres';
import type { Rig, Scenario } from '../actions/rig';
import { PASSWORD_PREFIX, passwordSecretName, scenario, startRig } from '../actions/rig';

let rig: Rig;
let s: Scenario;
beforeAll(async () => {
  // The CLI signs its calls with the caller's AWS credentials, like any AWS client; the local endpoint takes any.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  rig = await startRig({ PASSWORD_SECRET_PREFIX: PASSWORD_PREFIX });
  s = await scenario(rig);
});
afterAll(async () => {
  await rig?.close();
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the CLI in this process against the local endpoints, as `npx pg-rotator --function … --endpoint-url …` would. */
async function cli(args: string[], stdin = ''): Promise<{ status: number; response: Response & Record<string, unknown>; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, readStdin: async () => stdin };
  const status = await runCli(['--function', rig.stack.orchestratorArn, '--region', 'us-east-1', '--endpoint-url', rig.stack.lambda.endpoint, '--caller', 'cli-test', ...args], io);
  return { status, response: JSON.parse(stdout) as Response & Record<string, unknown>, stderr };
}

describe('the pg-rotator command', () => {
  it('drives test and discover requests', async () => {
    const test = await cli(['test', '--secret', s.adminSecretArn, '--admin', '--schema', 'app']);
    const discover = await cli(['discover', '--admin-secret', s.adminSecretArn, '--role', s.owner]);

    expect(test).toMatchObject({ status: EXIT.ok, response: { kind: 'test', ok: true, result: { role: s.admin.name } } });
    expect(discover).toMatchObject({ status: EXIT.ok, response: { kind: 'discover', ok: true, result: { roles: [{ name: s.owner }] } } });
  });

  it('previews an action with --dry-run, runs it, and sends its rollback back from stdin', async () => {
    const role = await s.managedRole('app');
    const lock = ['action', 'lock-user', '--admin-secret', s.adminSecretArn, '--role', role, '--terminate-sessions'];

    const dry = await cli(['--dry-run', ...lock]);
    const real = await cli(lock);
    const back = await cli(['request', '--file', '-'], JSON.stringify(real.response.rollback));

    expect(dry).toMatchObject({ status: EXIT.ok, response: { ok: true, result: { dryRun: true, sql: [`ALTER ROLE "${role}" NOLOGIN`, expect.any(String)] } } });
    expect(real).toMatchObject({ status: EXIT.ok, response: { ok: true, result: { dryRun: false, changed: true } } });
    expect(back).toMatchObject({ status: EXIT.ok, response: { ok: true, result: { action: 'unlock-user', changed: true } } });
  });

  it('runs the password actions and a rotation', async () => {
    const reader = uniqueName('reader');
    const created = await cli(['action', 'create-read-only-user', '--admin-secret', s.adminSecretArn, '--role', reader, '--schemas', 'app', '--secret-name', passwordSecretName('reader')]);
    const rotated = await cli(['rotate', '--secret', await userSecret()]);

    expect(created).toMatchObject({ status: EXIT.ok, response: { ok: true, result: { secret: { operation: 'create' } }, rollback: { action: 'drop-user' } } });
    expect(rotated).toMatchObject({ status: EXIT.ok, response: { kind: 'rotate', ok: true, result: { mode: 'inline' } } });
  });

  it('exits 1 when the function refuses, 2 on a usage or validation error, and prints help', async () => {
    const refused = await cli(['action', 'lock-user', '--admin-secret', s.adminSecretArn, '--role', 'no_such_role']);
    const invalid = await cli(['action', 'lock-user', '--role', 'x']);
    const help = await runCli(['--help'], { stdout: () => undefined, stderr: () => undefined, env: {}, readStdin: async () => '' });

    expect(refused).toMatchObject({ status: EXIT.failed, response: { ok: false, error: { code: 'ROLE_NOT_FOUND' } } });
    expect(invalid).toMatchObject({ status: EXIT.usage, response: { ok: false, error: { code: 'INVALID_INPUT', field: 'request.target.adminSecretArn' } } });
    expect(invalid.stderr).toContain('see --help');
    expect(help).toBe(EXIT.ok);
  });

  it('works as an executable: client/bin/pg-rotator.mjs, configured from the environment', async () => {
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(root, 'client/bin/pg-rotator.mjs'), 'discover', '--admin-secret', s.adminSecretArn, '--role', s.owner], {
        cwd: root,
        env: { ...process.env, AWS_REGION: 'us-east-1', PG_ROTATOR_FUNCTION: rig.stack.orchestratorArn, AWS_ENDPOINT_URL_LAMBDA: rig.stack.lambda.endpoint },
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout }));
    });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'discover', ok: true });
  });
});

/** A single-user application secret on the scenario's database. */
async function userSecret(): Promise<string> {
  const role = await s.managedRole('rotated');
  return s.createSecret(uniqueName('rotated'), { engine: 'postgres', host: s.db.server.host, port: s.db.server.port, username: role, password: `Passw0rd-${role}`, dbname: s.db.name });
}
