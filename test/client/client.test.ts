import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidResponseError, InvocationError } from '../../client/client-errors';
import { parseCli } from '../../client/cli-args';
import { createPgRotatorClient } from '../../client/pg-rotator-client';
import { InvalidInputError } from '../../lambda/errors';
import type { LocalLambda } from '../../local/lambda/server';
import { startLocalLambda } from '../../local/lambda/server';

let lambda: LambdaClient;
let local: LocalLambda;
beforeAll(async () => {
  local = await startLocalLambda();
  lambda = new LambdaClient({ endpoint: local.endpoint, region: local.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  await local?.close();
});

const target = { adminSecretArn: 'db/admin' };

describe('the typed client', () => {
  it('refuses a malformed request before invoking anything, naming the field', async () => {
    const arn = local.register('never-called', { kind: 'in-process', handler: () => ({}) });
    const client = createPgRotatorClient({ functionName: arn, lambda });

    // @ts-expect-error: role is required, and the types say so too
    const sent = client.action({ action: 'lock-user', target, params: {} });

    await expect(sent).rejects.toBeInstanceOf(InvalidInputError);
    await expect(sent).rejects.toMatchObject({ field: 'request.params.role' });
    expect(local.invocations('never-called')).toHaveLength(0);
  });

  it('sends the caller in the Lambda client context', async () => {
    let seen: unknown;
    const arn = local.register('context', {
      kind: 'in-process',
      handler: (_event, context) => {
        seen = context.clientContext;
        return { kind: 'test', ok: false, requestId: 'r', durationMs: 0, error: { code: 'X', message: 'm' }, result: null };
      },
    });

    await createPgRotatorClient({ functionName: arn, lambda, caller: 'pipeline 7' }).test({ secretArn: 'db/app' });

    expect(seen).toMatchObject({ custom: { caller: 'pipeline 7' } });
  });

  it('turns a missing function, a crashed function and a foreign answer into typed errors', async () => {
    const crashed = local.register('crashes', { kind: 'in-process', handler: () => { throw new Error('boom'); } });
    const foreign = local.register('foreign', { kind: 'in-process', handler: () => ({ code: 200, message: 'ok' }) });

    await expect(createPgRotatorClient({ functionName: 'no-such-function', lambda }).rotate({ secretId: 'x' })).rejects.toMatchObject({
      code: 'INVOCATION_FAILED',
      awsErrorName: 'ResourceNotFoundException',
    });
    await expect(createPgRotatorClient({ functionName: crashed, lambda }).rotate({ secretId: 'x' })).rejects.toBeInstanceOf(InvocationError);
    await expect(createPgRotatorClient({ functionName: foreign, lambda }).rotate({ secretId: 'x' })).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe('the command line', () => {
  const env = { PG_ROTATOR_FUNCTION: 'pg-rotator' };

  it('builds action parameters from flags, typed by the action\'s own schema', () => {
    const command = parseCli(
      ['--dry-run', 'action', 'create-read-only-user', '--admin-secret', 'db/admin', '--role', 'reporting', '--schemas', 'app', '--connection-limit', '5', '--reveal-password'],
      env,
    );

    expect(command).toEqual({
      kind: 'request',
      options: { functionName: 'pg-rotator', region: undefined, endpointUrl: undefined, caller: undefined, dryRun: true },
      request: {
        kind: 'action',
        action: 'create-read-only-user',
        target: { adminSecretArn: 'db/admin' },
        params: { role: 'reporting', schemas: ['app'], connectionLimit: 5, revealPassword: true },
        dryRun: true,
      },
    });
  });

  it('repeats a flag for a list, takes JSON for objects, and --params as a base', () => {
    const command = parseCli(
      ['action', 'grant-privileges', '--admin-secret', 'a', '--params', '{"role":"r"}', '--grants', '{"on":"schema","schema":"app","privileges":["USAGE"],"grantable":false,"grantor":"o"}'],
      env,
    );
    expect(command).toMatchObject({ request: { params: { role: 'r', grants: [{ on: 'schema', schema: 'app' }] } } });
    expect(parseCli(['test', '--secret', 's', '--admin', '--managed-role', 'a', '--managed-role', 'b'], env)).toMatchObject({
      request: { kind: 'test', secretArn: 's', admin: { managedRoles: ['a', 'b'], schemas: [] } },
    });
  });

  it('takes a date-time parameter as the string it is', () => {
    const command = parseCli(['action', 'create-temporary-user', '--admin-secret', 'a', '--role', 'r', '--valid-until', '2030-01-01T18:00:00Z', '--secret-name', 's'], env);
    expect(command).toMatchObject({ request: { params: { validUntil: '2030-01-01T18:00:00Z' } } });
  });

  it('refuses unknown options, unknown commands and a missing function, naming them', () => {
    expect(() => parseCli(['discover', '--admin-secret', 'a', '--colour', 'red'], env)).toThrow(/--colour: is not an option/);
    expect(() => parseCli(['drop-database'], env)).toThrow(/is not one of action/);
    expect(() => parseCli(['rotate', '--secret', 's'], {})).toThrow(/--function: is required/);
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('takes --flag=value, refuses a single flag given twice, a flag without its value and another command\'s option', () => {
    expect(parseCli(['rotate', '--secret=db/app', '--mode=inline'], env)).toMatchObject({ request: { kind: 'rotate', secretId: 'db/app', mode: 'inline' } });
    expect(() => parseCli(['rotate', '--secret', 'a', '--secret', 'b'], env)).toThrow(/--secret: is given more than once/);
    expect(() => parseCli(['--function', 'a', '--function', 'b', 'rotate', '--secret', 's'], {})).toThrow(/--function: is given more than once/);
    expect(() => parseCli(['rotate', '--secret'], env)).toThrow(/--secret: needs a value/);
    expect(() => parseCli(['rotate', '--secret', 's', '--admin-secret', 'a'], env)).toThrow(/--admin-secret: is not an option/);
    expect(() => parseCli(['action', 'lock-user', '--admin-secret', 'a', '--role', 'r', '--terminate-sessions=yes'], env)).toThrow(/--terminate-sessions: takes no value/);
    expect(() => parseCli(['rotate', '--secret', 's', 'extra'], env)).toThrow(/arguments: unexpected "extra"/);
  });

  it('builds a status request for the status function, shown as a table unless --json', () => {
    const statusEnv = { PG_ROTATOR_FUNCTION: 'pg-rotator', PG_ROTATOR_STATUS_FUNCTION: 'pg-rotator-status' };

    expect(parseCli(['status'], statusEnv)).toEqual({
      kind: 'request',
      options: { functionName: 'pg-rotator-status', region: undefined, endpointUrl: undefined, caller: undefined, dryRun: false },
      request: { kind: 'status' },
      view: 'status-table',
    });
    expect(parseCli(['--caller', 'oncall', 'status', '--name-prefix', 'orders/', '--findings-only', '--json'], statusEnv)).toMatchObject({
      request: { kind: 'status', namePrefix: 'orders/', list: 'findings', caller: 'oncall' },
    });
    expect(parseCli(['status', '--json'], statusEnv)).not.toHaveProperty('view');
    expect(() => parseCli(['status'], env)).toThrow(/--function: is required \(or set PG_ROTATOR_STATUS_FUNCTION\)/);
  });
});
