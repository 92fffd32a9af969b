/**
 * Where the functions' code comes from: the construct copies a prebuilt bundle (the one the package ships, or one given)
 * into its asset through CDK's local bundling hook, with the deployment's bindings beside the handlers.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FunctionCodeSource, SHIPPED_BUNDLE_DIR, functionCode, handlerFiles } from '../../infra/constructs/function-code';
import { InvalidInputError } from '../../lambda/errors';
import { buildStack, configWith } from './fixtures';

/** A bundle directory with a distinct handler per entry point and a source map for the first. */
function prebuilt(): string {
  const directory = mkdtempSync(join(tmpdir(), 'pg-rotator-prebuilt-'));
  handlerFiles().forEach((file, i) => writeFileSync(join(directory, file), `export const handler = async () => (${i});\n`));
  writeFileSync(join(directory, `${handlerFiles()[0]}.map`), '{"version":3}');
  // A stale bindings file in the bundle directory is never copied: the deployment writes its own.
  writeFileSync(join(directory, 'rotation-bindings.json'), '{"stale":true}');
  return directory;
}

describe('the function code asset', () => {
  it("copies a prebuilt bundle's handlers and maps byte for byte, and writes the deployment's bindings beside them", () => {
    const directory = prebuilt();
    const { app, outdir } = buildStack(configWith(), { functionCode: FunctionCodeSource.prebuilt(directory) });
    app.synth();
    const [asset] = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    const assetDir = join(outdir, asset ?? '');
    expect(readdirSync(assetDir).sort()).toEqual([...handlerFiles(), `${handlerFiles()[0]}.map`, 'rotation-bindings.json'].sort());
    for (const file of handlerFiles()) expect(readFileSync(join(assetDir, file))).toEqual(readFileSync(join(directory, file)));
    expect(JSON.parse(readFileSync(join(assetDir, 'rotation-bindings.json'), 'utf8'))).toMatchObject({ schema: 'pg-rotator.rotation-bindings/1' });
  });

  it('hashes by output: the same bundle and bindings give the same asset, another bundle another', () => {
    const directory = prebuilt();
    const assetOf = (dir: string) => {
      const { app, outdir } = buildStack(configWith(), { functionCode: FunctionCodeSource.prebuilt(dir) });
      app.synth();
      return readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    };
    const first = assetOf(directory);
    expect(assetOf(directory)).toEqual(first);
    writeFileSync(join(directory, handlerFiles()[0] ?? ''), 'export const handler = async () => "patched";\n');
    expect(assetOf(directory)).not.toEqual(first);
  });

  it('refuses a bundle directory that lacks a handler, naming functionCode and saying how to build one', () => {
    const directory = prebuilt();
    rmSync(join(directory, handlerFiles()[1] ?? ''));
    expect(() => functionCode(FunctionCodeSource.prebuilt(directory))).toThrow(InvalidInputError);
    expect(() => functionCode(FunctionCodeSource.prebuilt(directory))).toThrow(`functionCode: ${directory} lacks ${handlerFiles()[1]}: build one with npm run build`);
  });

  it('builds from source by default in the source tree, and uses the shipped bundle in the built package', () => {
    expect(FunctionCodeSource.default().kind).toBe('source');
    expect(FunctionCodeSource.shipped().directory).toBe(SHIPPED_BUNDLE_DIR);
    // Here, in the source tree, there is no shipped bundle beside the construct: the error says what to do.
    expect(() => functionCode(FunctionCodeSource.shipped())).toThrow(/the package was built without its function bundle .* use FunctionCodeSource\.fromSource\(\)/);
  });
});
