/**
 * vitest globalSetup: starts the PostgreSQL test servers once per run, before any worker, and hands their
 * facts to the workers through `provide`. Tests read them through test/support/postgres.ts.
 * Environment: see local/postgres/environment.ts (PG_MAJOR, PG_TEST_URL, PG_TEST_CA_FILE,
 * PG_TEST_CONTAINERS, PG_TEST_TMPDIR).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
 *
 * The workers, started after this, inherit a TMPDIR of the run's own: what tests write to the temp directory (CA
 * files, synthesised apps, CDK's own outdirs) goes under it, and the teardown removes it whole.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startTestServers(readHarnessEnvironment());
  console.log(`[postgres] ${started.summary}`);
  project.provide('postgres', started.servers);
  const scratch = mkdtempSync(path.join(tmpdir(), 'pg-rotator-test-run-'));
  process.env.TMPDIR = scratch;
  return async () => {
    await started.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}
