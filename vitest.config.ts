import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Database suites share clusters started once per run; each test works in its own roles and database.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The pinned AWS SDK runs on Node 20; its notice that future releases will need Node 22 is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
