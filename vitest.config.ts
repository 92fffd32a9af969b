import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Database suites share clusters started once per run; each test works in its own roles and database.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
