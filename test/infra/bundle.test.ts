import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/bundle-banner';
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
  });
});
