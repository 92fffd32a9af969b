/**
 * The application module's shape: what it pulls in (so an application does not load the Lambda), and its options
 * refused with the field named.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { agentToken } from '../../client/pg/agent-source';
import { createRotatingPool } from '../../client/pg/rotating-pool';

/** The function's files the module reuses: the secret format, sslmodes, errors. Nothing that rotates or runs. */
const SHARED_WITH_THE_FUNCTION = [
  'lambda/config/environment.ts',
  'lambda/errors.ts',
  'lambda/postgres/errors.ts',
  'lambda/postgres/identifiers.ts',
  'lambda/postgres/tls.ts',
  // zod/mini's English messages, which the function's schemas install (zod/mini loads no locale).
  'lambda/schema-messages.ts',
  'lambda/secrets/secret-arn.ts',
  'lambda/secrets/secret-format.ts',
  'lambda/validation.ts',
];

describe('what createRotatingPool pulls in', () => {
  it('only its own files and the few of the function it shares; pg and zod at load, the AWS SDK only when used', async () => {
    const { metafile } = await build({ entryPoints: ['client/pg/rotating-pool.ts'], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external' });
    const files = Object.keys(metafile.inputs).sort();
    const imports = Object.values(metafile.outputs).flatMap((output) => output.imports);

    expect(files.filter((file) => !file.startsWith('client/pg/'))).toEqual(SHARED_WITH_THE_FUNCTION);
    const packages = new Set(imports.filter((i) => !i.path.startsWith('node:')).map((i) => `${i.path} (${i.kind})`));
    // zod three ways, one package: classic for the pool's options, zod/mini and its English locale for the function's
    // schemas it shares.
    expect(packages).toEqual(
      new Set(['pg (import-statement)', 'zod (import-statement)', 'zod/mini (import-statement)', 'zod/v4/locales/en.js (import-statement)', '@aws-sdk/client-secrets-manager (dynamic-import)']),
    );
  });
});

describe('options', () => {
  it.for([
    [{}, 'options.secretId: is required'],
    [{ secretId: '' }, 'options.secretId: must not be empty'],
    [{ secretId: 's', refreshIntervalMs: -1 }, 'options.refreshIntervalMs: '],
    [{ secretId: 's', source: 'vault' }, "options.source: must be 'secrets-manager', 'agent' or an object with a read function"],
    [{ secretId: 's', sslmode: 'verify' }, 'options.sslmode: '],
    [{ secretId: 's', sslmode: 'require' }, 'options.sslmode: is below minimumSslmode (verify-full)'],
    [{ secretId: 's', caPem: 'not a pem' }, 'options.caPem: must be a PEM certificate'],
    [{ secretId: 's', pool: { max: 5, password: 'x' } }, 'options.pool.password: comes from the secret'],
    [{ secretId: 's', pool: { connectionString: 'postgres://a:b@h/d' } }, 'options.pool.connectionString: comes from the secret'],
    [{ secretId: 's', agent: { endpoint: 'ftp://x' } }, 'options.agent.endpoint: must be an http:// URL'],
    [{ secretId: 's', poolSize: 3 }, 'options: '],
  ] as const)('%o is refused: %s', ([options, message]) => {
    expect(() => createRotatingPool(options as never)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining(message) }));
  });

  it('never echoes a value it refused', () => {
    expect(() => createRotatingPool({ secretId: 's', pool: { password: 'Hunter2-Secret' } as never })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('Hunter2-Secret') }),
    );
  });
});

describe('the Agent token', () => {
  it("is found where the Agent looks for it: AWS_TOKEN, then AWS_SESSION_TOKEN (Lambda's), then AWS_CONTAINER_AUTHORIZATION_TOKEN", () => {
    expect(agentToken(undefined, { AWS_SESSION_TOKEN: 'session', AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container' })).toBe('session');
    expect(agentToken(undefined, { AWS_TOKEN: 'given', AWS_SESSION_TOKEN: 'session' })).toBe('given');
    expect(agentToken(undefined, { AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container' })).toBe('container');
    expect(agentToken('option', { AWS_TOKEN: 'given' })).toBe('option');
  });

  it('is missing: the error names where to set it', () => {
    expect(() => agentToken(undefined, {})).toThrow('agent.token: is required: set it, or one of AWS_TOKEN, AWS_SESSION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN');
    expect(() => agentToken(undefined, { AWS_TOKEN: 'file:///nonexistent/awssmatoken' })).toThrow('environment.AWS_TOKEN: names a token file that cannot be read');
  });
});
