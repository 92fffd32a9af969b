import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/bundle-banner';
import { typescriptWorker } from '../../local/lambda/worker-command';
import { LOCAL_AWS } from '../../local/stack';
import { freshDatabase, uniqueName } from '../support/postgres';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';
import { buildStack, configWith } from './fixtures';

/**
 * The one test that runs esbuild for real (the others skip bundling): the function must bundle offline from
 * lambda/handler.ts with the esbuild in node_modules, as `npm run synth` and `cdk deploy` will.
 */
describe('function bundle', () => {
  it('bundles lambda/handler.ts into minified ESM with the require banner, a source map and the SDK inside', { timeout: 120_000 }, () => {
    const { app, outdir } = buildStack(configWith(), { bundle: true });
    app.synth();

    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const assetDir = join(outdir, assets[0] ?? '');
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);

    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    // ESM exports the handler Lambda's `index.handler` names.
    expect(code).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s*\{[^}]*\bhandler\b[^}]*\}/);
    // Minified: long lines (the few line breaks left are inside template literals).
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
    // The pinned SDK is bundled, not imported from the runtime.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);

    bundledHandler = join(assetDir, 'index.mjs');
  });

  it('rotates a secret as deployed: the asset itself, in its own process, through RotateSecret', { timeout: 60_000 }, async (context) => {
    if (bundledHandler === undefined) context.skip();
    const stack = await startRotationStack();
    try {
      const functionArn = stack.lambda.register(
        'pg-rotator-asset',
        typescriptWorker(bundledHandler as string, 'handler', {
          env: {
            SECRETS_MANAGER_ENDPOINT: stack.secretsManager.endpoint,
            AWS_REGION: LOCAL_AWS.region,
            AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
          },
        }),
      );
      const db = await freshDatabase();
      const user = await createLogin(db, uniqueName('bundled'), 'Original-Passw0rd');
      // verify-full (the default) against the test server's CA, given in the secret.
      const arn = await stack.createSecret(uniqueName('bundled_secret'), { ...user, sslrootcertPem: db.server.caPem });

      await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: functionArn }));

      expect(await stack.secretsManager.rotations.latest(arn)).toMatchObject({ succeeded: true });
      expect(await logsIn(await stack.value(arn))).toEqual({ ok: true });
      expect(await logsIn(user)).toMatchObject({ ok: false, sqlState: '28P01' });
    } finally {
      await stack.close();
    }
  });
});

/** The asset the first test bundled, for the second to run. */
let bundledHandler: string | undefined;
