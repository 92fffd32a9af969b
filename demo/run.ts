/**
 * `npm run demo [-- --database-url 'postgres://admin:…@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem']`
 *
 * The whole story in under a minute, with nothing but Node.js: a throwaway PostgreSQL with TLS (or yours),
 * the local Secrets Manager and Lambda endpoints, application users with secrets in AWS's format, real
 * rotations through Secrets Manager's RotateSecret for each strategy with the proof after each, then the
 * orchestrator API through the `pg-rotator` CLI, under a declared permission policy: a test request with the
 * admin checklist, an action as a dry run, for real, and rolled back, and one the policy refuses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STRATEGIES } from '../lambda/config/environment';
import { startLocalStack } from '../local/stack';
import type { CliRow } from './cli-story';
import { createOnCallUser, demonstrateCli } from './cli-story';
import type { DemoContext } from './context';
import { createContext } from './context';
import { DEMO_OPTIONS, DEMO_USAGE } from './options';
import { DEMO_POLICY } from './policy';
import type { RotationRow } from './rotations';
import { demonstrateRotation } from './rotations';
import { embeddedDatabase, existingDatabase } from './target';
import { bold, dim, green, red, table } from './terminal';

// Run on a Node older than 22 (outside npm's scripts, which run the pinned Node 24), the SDK notices that its future
// releases need Node 22: not the demo's story.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: args } = parseArgs({ options: DEMO_OPTIONS });
if (args.help) {
  console.log(DEMO_USAGE);
  process.exit(0);
}

const started = performance.now();
const target = args['database-url'] ? existingDatabase(args['database-url']) : await embeddedDatabase();
const caDir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-demo-'));
const caFile = path.join(caDir, 'ca.pem');
writeFileSync(caFile, target.caPem ?? '');
const stack = await startLocalStack({
  // The demo's target decides the sslmode, and the deployment's floor with it (a --database-url may say require).
  env: {
    PGSSLMODE: target.sslmode,
    MINIMUM_SSLMODE: target.sslmode,
    ...(target.caPem ? { PGSSLROOTCERT: caFile } : {}),
    LOG_LEVEL: 'info',
    PERMISSION_POLICY: JSON.stringify(DEMO_POLICY),
  },
  onFunctionLog: showFunctionLog,
});
let ctx: DemoContext | undefined;
let failed = false;
try {
  console.log(`${bold('pg-rotator demo')}  ${target.label}`);
  console.log(dim(`local Secrets Manager ${stack.secretsManager.endpoint}, local Lambda ${stack.lambda.endpoint}, rotation function ${stack.rotatorArn}, orchestrator function ${stack.orchestratorArn}\n`));
  ctx = await createContext(stack, target);
  const rotations: RotationRow[] = [];
  for (const strategy of STRATEGIES) rotations.push(await demonstrateRotation(ctx, strategy));
  const managed = rotations.find((row) => row.strategy === 'admin');
  const cli: CliRow[] = managed?.ok ? await demonstrateCli(ctx, await createOnCallUser(ctx), { role: managed.role, secretArn: managed.secretArn }) : [];

  console.log(`\n${bold('Summary')}`);
  console.log(
    table(
      ['strategy', 'role', 'steps', 'ms', 'proof', 'app: failed/queries'],
      rotations.map((r) => [r.strategy, r.role, r.steps, r.ms, r.proof, r.application]),
    ),
  );
  console.log('');
  console.log(table(['orchestrator request (CLI)', 'exit', 'ms', 'proof'], cli.map((r) => [r.request, r.exit, r.ms, r.proof])));
  failed = rotations.some((row) => !row.ok) || cli.length === 0 || cli.some((row) => !row.ok);
} catch (error) {
  failed = true;
  console.error(red(`demo failed: ${error instanceof Error ? error.message : String(error)}`));
} finally {
  await ctx?.cleanUp().catch((error: unknown) => console.error(red(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`)));
  await stack.close();
  await target.stop();
  rmSync(caDir, { recursive: true, force: true });
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\n${failed ? red('demo failed') : green('demo passed')} ${dim(`in ${seconds} s`)}`);
process.exit(failed ? 1 : 0);

/**
 * One progress line per rotation step and per audit record, from the function's own structured log (the lines
 * CloudWatch Logs would hold).
 */
function showFunctionLog(line: string): void {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return; // not a structured line
  }
  const status = event.level === 'error' ? red('✗') : green('✓');
  if (typeof event.step === 'string') {
    const message = typeof event.message === 'string' ? event.message.replace(`${event.step}: `, '') : '';
    console.log(dim(`    ${status} ${event.step.padEnd(12)} ${String(event.durationMs ?? '').padStart(4)} ms  ${message}`));
  } else if (event.message === 'audit' && typeof event.audit === 'object' && event.audit !== null) {
    const audit = event.audit as Record<string, unknown>;
    const fields = ['caller', 'kind', 'action', 'role', 'dryRun', 'outcome', 'rule', 'changed'].filter((key) => audit[key] !== undefined);
    console.log(dim(`    audit record: ${fields.map((key) => `${key}=${JSON.stringify(audit[key])}`).join(' ')}`));
  }
}
