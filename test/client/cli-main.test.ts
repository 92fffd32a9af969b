/**
 * The `pg-rotator` executable answers `--help` (and no arguments) before loading the rest of the CLI: what it prints
 * must be what runCli prints for help, and help asked among other arguments still goes through runCli.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../client/cli';
import { USAGE } from '../../client/cli-usage';

const ROOT = path.resolve(import.meta.dirname, '../..');
const bin = (...args: string[]) => execFileSync(process.execPath, [path.join(ROOT, 'client/bin/pg-rotator.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('the pg-rotator executable', () => {
  it("prints runCli's help for --help and for no arguments, exiting 0", async () => {
    let fromRunCli = '';
    await runCli(['--help'], { stdout: (text) => (fromRunCli += text), stderr: () => undefined, env: {}, readStdin: async () => '' });
    expect(fromRunCli).toBe(`${USAGE}\n`);
    expect(bin('--help')).toBe(fromRunCli);
    expect(bin()).toBe(fromRunCli);
    // Help among other options is runCli's to answer (same text, same exit status 0).
    expect(bin('--region', 'eu-west-1', '--help')).toBe(fromRunCli);
  }, 30_000);
});
