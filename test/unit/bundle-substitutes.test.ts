import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../lambda/bundle-substitutes/credential-provider-node';
import { EventStreamSerde, eventStreamSerdeProvider } from '../../lambda/bundle-substitutes/event-streams';
import { BUNDLE_SUBSTITUTES } from '../../scripts/function-bundle';

/** The stand-ins the bundle uses for code that never runs in Lambda (scripts/function-bundle.ts, BUNDLE_SUBSTITUTES). */
describe('bundle substitutes', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('replaces exactly the credential chain, event streams, pgpass and connection strings', () => {
    expect(Object.keys(BUNDLE_SUBSTITUTES).sort()).toEqual(['@aws-sdk/credential-provider-node', '@smithy/core/event-streams', 'pg-connection-string', 'pgpass']);
  });

  it("the credential provider gives the execution role's keys from Lambda's environment variables", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'example-secret-key';
    process.env.AWS_SESSION_TOKEN = 'example-session-token';

    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret-key', sessionToken: 'example-session-token' });
  });

  it('the credential provider looks nowhere else: without the variables it fails, though a credentials file has keys', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    // The SDK's own chain would take these (its ini provider); Lambda has no such file.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-credentials-')), 'credentials');
    writeFileSync(file, '[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = from-file\n');
    process.env.AWS_SHARED_CREDENTIALS_FILE = file;
    process.env.AWS_CONFIG_FILE = file;

    await expect(defaultProvider()()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });

  it('event streams fail loudly if anything ever reaches them', () => {
    expect(() => new EventStreamSerde()).toThrow(/event streams are not bundled/);
    expect(() => eventStreamSerdeProvider()).toThrow(/event streams are not bundled/);
  });

  it('connection strings fail loudly if anything ever parses one', () => {
    const connectionString = createRequire(import.meta.url)('../../lambda/bundle-substitutes/pg-connection-string.cjs') as { parse: (text: string) => unknown };
    expect(() => connectionString.parse('postgres://u@h/db')).toThrow(/connection strings are not bundled/);
  });

  it('pgpass answers as pgpass does without a ~/.pgpass: no password', () => {
    const pgPass = createRequire(import.meta.url)('../../lambda/bundle-substitutes/pgpass.cjs') as (connection: unknown, callback: (password?: string) => void) => void;
    const answers: unknown[] = [];
    pgPass({ user: 'u' }, (password) => answers.push(password));
    expect(answers).toEqual([undefined]);
  });
});
