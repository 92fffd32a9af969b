import type { ParseArgsConfig } from 'node:util';

/** The demo's command line (`npm run demo -- …`), for `parseArgs`; test/docs checks the docs' demo commands with it. */
export const DEMO_OPTIONS = {
  'database-url': { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const DEMO_USAGE = `usage: npm run demo [-- --database-url 'postgres://user:password@host:port/db?sslmode=…&sslrootcert=FILE']

Without --database-url the demo starts a throwaway PostgreSQL (npm's embedded binaries, TLS, scram-sha-256).
With it, the demo works on that server as the URL's user, which must be able to create roles and grant them
(CREATEROLE with ADMIN OPTION, rds_superuser, or a superuser); it creates demo_* roles and drops them afterwards.`;
