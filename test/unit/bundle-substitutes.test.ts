import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUNDLE_SUBSTITUTES } from '../../scripts/function-bundle';

/** The stand-ins the bundle uses for code that never runs in Lambda (scripts/function-bundle.ts, BUNDLE_SUBSTITUTES). */
describe('bundle substitutes', () => {
  it('replaces exactly pgpass and connection strings', () => {
    expect(Object.keys(BUNDLE_SUBSTITUTES).sort()).toEqual(['pg-connection-string', 'pgpass']);
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
