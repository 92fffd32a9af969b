/**
 * vitest globalSetup: starts the PostgreSQL test servers once per run, before any worker, and hands their
 * facts to the workers through `provide`. Tests read them through test/support/postgres.ts.
 * Environment: see local/postgres/environment.ts (PG_MAJOR, PG_TEST_URL, PG_TEST_CA_FILE,
 * PG_TEST_CONTAINERS, PG_TEST_TMPDIR).
 */
import type { TestProject } from 'vitest/node';
import { readHarnessEnvironment } from '../../local/postgres/environment.js';
import type { TestServers } from '../../local/postgres/server-facts.js';
import { startTestServers } from '../../local/postgres/test-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL servers of this run. Read it through test/support/postgres.ts, not with inject(). */
    postgres: TestServers;
  }
}

/**
 * Starts the servers and returns vitest's teardown, which stops them and deletes their files. Should the
 * vitest process die without a teardown, each server's supervisor stops it (local/postgres/server-process.ts).
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startTestServers(readHarnessEnvironment());
  console.log(`[postgres] ${started.summary}`);
  project.provide('postgres', started.servers);
  return started.stop;
}
