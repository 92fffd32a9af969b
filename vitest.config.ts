import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Database suites share clusters started once per run; each test works in its own roles and database.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at once even on two cores (vitest's default there is one): a database suite spends much of its time
    // waiting on PostgreSQL, the local endpoints and the function's worker processes. Measured on the 2-core CI
    // machine: one major's database suites in 89 s instead of 151.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
