/**
 * `npm run demo [-- --database-url postgres://admin:…@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem]`
 *
 * The whole story in under a minute, with nothing but Node.js: a throwaway PostgreSQL with TLS (or yours),
 * the local Secrets Manager and Lambda endpoints, application users with secrets in AWS's format, and real
 * rotations through Secrets Manager's RotateSecret for each strategy, with the proof after each.
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { ClientConfig } from 'pg';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import type { Strategy } from '../lambda/config/environment';
import { superuserClientConfig } from '../local/postgres/client-config';
import { startCluster } from '../local/postgres/cluster';
import { startLocalStack } from '../local/stack';
import { bold, dim, green, red, table } from './terminal';

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is not the demo's story.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: args } = parseArgs({ options: { 'database-url': { type: 'string' }, help: { type: 'boolean' } } });
if (args.help) {
  console.log('usage: npm run demo [-- --database-url postgres://user:password@host:port/db?sslmode=…&sslrootcert=FILE]');
  process.exit(0);
}

/** Where the demo's roles live, and how the function and the demo reach it. */
interface Target {
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly admin: ClientConfig;
  readonly caPem: string | undefined;
  readonly sslmode: string;
  stop(): Promise<void>;
}

interface Row {
  strategy: string;
  role: string;
  steps: string;
  ms: string;
  proof: string;
}

const started = performance.now();
const target = args['database-url'] ? await existingDatabase(args['database-url']) : await embeddedDatabase();
const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-demo-')), 'ca.pem');
writeFileSync(caFile, target.caPem ?? '');
const stack = await startLocalStack({
  env: { PGSSLMODE: target.sslmode, ...(target.caPem ? { PGSSLROOTCERT: caFile } : {}), LOG_LEVEL: 'info' },
  onFunctionLog: showStep,
});
const created: string[] = [];
let failed = false;
try {
  console.log(`${bold('pg-rotator demo')}  ${target.label}`);
  console.log(dim(`local Secrets Manager ${stack.secretsManager.endpoint}, local Lambda ${stack.lambda.endpoint}, function ${stack.rotatorArn}\n`));
  const admin = await createAdmin();
  const rows: Row[] = [];
  for (const strategy of ['single-user', 'admin', 'alternating', 'alternating-owner'] as const) {
    rows.push(await demonstrate(strategy, admin));
  }
  console.log(`\n${bold('Summary')}`);
  console.log(table(['strategy', 'role', 'steps', 'ms', 'proof'], rows.map((r) => [r.strategy, r.role, r.steps, r.ms, r.proof])));
  failed = rows.some((row) => row.proof.includes('✗'));
} catch (error) {
  failed = true;
  console.error(red(`demo failed: ${error instanceof Error ? error.message : String(error)}`));
} finally {
  await cleanUp();
  await stack.close();
  await target.stop();
}
console.log(dim(`\nfinished in ${((performance.now() - started) / 1000).toFixed(1)} s`));
process.exit(failed ? 1 : 0);

async function demonstrate(strategy: Strategy, admin: { role: string; arn: string }): Promise<Row> {
  const role = `demo_app_${strategy.replace('-', '_')}_${Math.random().toString(36).slice(2, 6)}`;
  const password = 'Demo-Initial-Passw0rd';
  await asAdmin(async (client) => {
    await client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(password)}`);
    // What the admin needs on PostgreSQL 16 and newer to manage a role it did not create (docs/deploy.md).
    await client.query(`GRANT ${escapeIdentifier(role)} TO ${escapeIdentifier(admin.role)} WITH ADMIN OPTION`);
  });
  created.push(role, `${role}_clone`, `${role}_owner`);
  const secret = {
    engine: 'postgres',
    host: target.host,
    port: target.port,
    username: role,
    password,
    dbname: target.database,
    ...(strategy === 'single-user' ? {} : { masterarn: admin.arn, strategy }),
    ...(strategy === 'alternating-owner' ? { ownerRole: `${role}_owner` } : {}),
  };
  const arn = await createSecret(`demo/app-${strategy}`, secret);
  console.log(`${bold(strategy)}  role "${role}"  ${dim(explain(strategy))}`);

  const rotations = strategy.startsWith('alternating') ? 2 : 1;
  let ms = 0;
  let steps = '';
  let previousPassword = password;
  let previousUser = role;
  for (let i = 1; i <= rotations; i++) {
    const t0 = performance.now();
    await stack.secretsClient().send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: stack.rotatorArn }));
    const outcome = await stack.secretsManager.rotations.latest(arn);
    ms = performance.now() - t0;
    steps = outcome.succeeded ? green('4/4') : red(`failed at ${outcome.failedStep}: ${outcome.error?.message}`);
    console.log(`  rotation ${i}: ${steps} in ${ms.toFixed(0)} ms    ${await labels(arn)}`);
    if (!outcome.succeeded) return { strategy, role, steps, ms: ms.toFixed(0), proof: red('✗ rotation failed') };
    const current = await value(arn, 'AWSCURRENT');
    const proofs = [`AWSCURRENT (${current.username}) logs in ${mark(await logsIn(current.username, current.password))}`];
    if (strategy.startsWith('alternating')) {
      const previous = await value(arn, 'AWSPREVIOUS');
      proofs.push(`AWSPREVIOUS (${previous.username}) still logs in ${mark(await logsIn(previous.username, previous.password))}`);
    } else {
      proofs.push(`old password refused ${mark(!(await logsIn(previousUser, previousPassword)))}`);
    }
    console.log(`    ${proofs.join('   ')}`);
    previousPassword = current.password;
    previousUser = current.username;
  }
  const proof = strategy.startsWith('alternating') ? 'current + previous log in' : 'new logs in, old refused';
  return { strategy, role, steps: `${rotations}×${steps}`, ms: ms.toFixed(0), proof: `${green('✓')} ${proof}` };
}

function explain(strategy: Strategy): string {
  return {
    'single-user': 'the user changes its own password',
    admin: "the admin secret (masterarn) changes the user's password",
    alternating: "two logins take turns (AWS's <user>_clone); the one not in AWSCURRENT gets the new password",
    'alternating-owner': 'two logins take turns, both acting as one NOLOGIN owner role',
  }[strategy];
}

/** One progress line per step, from the function's own structured log. */
function showStep(line: string): void {
  try {
    const event = JSON.parse(line) as { step?: string; level?: string; durationMs?: number; message?: string };
    if (!event.step) return;
    const status = event.level === 'error' ? red('✗') : green('✓');
    console.log(dim(`    ${status} ${event.step.padEnd(12)} ${String(event.durationMs ?? '').padStart(4)} ms  ${event.message?.replace(`${event.step}: `, '') ?? ''}`));
  } catch {
    // not a structured line
  }
}

async function labels(arn: string): Promise<string> {
  const out = await stack.secretsClient().send(new DescribeSecretCommand({ SecretId: arn }));
  const entries = Object.entries(out.VersionIdsToStages ?? {}).filter(([, stages]) => stages.length > 0);
  return dim(entries.map(([version, stages]) => `${version.slice(0, 8)}: ${stages.join('+')}`).join('  '));
}

async function value(arn: string, stage: string): Promise<{ username: string; password: string }> {
  const out = await stack.secretsClient().send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
  return JSON.parse(out.SecretString ?? '{}') as { username: string; password: string };
}

function mark(ok: boolean): string {
  return ok ? green('✓') : red('✗');
}

async function logsIn(user: string, password: string): Promise<boolean> {
  const client = new Client({ ...target.admin, user, password });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** The admin pg-rotator acts as: CREATEROLE, not a superuser, as on RDS. */
async function createAdmin(): Promise<{ role: string; arn: string }> {
  const role = `demo_admin_${Math.random().toString(36).slice(2, 6)}`;
  const password = 'Demo-Admin-Passw0rd';
  await asAdmin((client) => client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(password)}`));
  created.push(role);
  const arn = await createSecret('demo/admin-credentials', { engine: 'postgres', host: target.host, port: target.port, username: role, password, dbname: target.database });
  return { role, arn };
}

async function createSecret(name: string, secret: Record<string, unknown>): Promise<string> {
  const out = await stack.secretsClient().send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(secret) }));
  return out.ARN as string;
}

async function asAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(target.admin);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops every role the demo made (on an existing server; a throwaway one simply goes away). */
async function cleanUp(): Promise<void> {
  if (!args['database-url']) return;
  await asAdmin(async (client) => {
    for (const role of [...created].reverse()) {
      await client.query(`DROP OWNED BY ${escapeIdentifier(role)}`).catch(() => undefined);
      await client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`).catch(() => undefined);
    }
  });
}

async function embeddedDatabase(): Promise<Target> {
  const cluster = await startCluster({ variant: 'tls' });
  const { server } = cluster;
  return {
    label: `PostgreSQL ${server.version} (embedded, throwaway, TLS with a test CA, scram-sha-256)`,
    host: server.host,
    port: server.port,
    database: 'postgres',
    admin: superuserClientConfig(server),
    caPem: server.caPem,
    sslmode: 'verify-full',
    stop: () => cluster.stop(),
  };
}

async function existingDatabase(url: string): Promise<Target> {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get('sslmode') ?? 'verify-full';
  const rootCert = parsed.searchParams.get('sslrootcert');
  const caPem = rootCert ? readFileSync(rootCert, 'utf8') : undefined;
  const host = parsed.hostname;
  const port = Number(parsed.port || 5432);
  const database = decodeURIComponent(parsed.pathname.slice(1)) || 'postgres';
  const ssl = sslmode === 'disable' ? false : { rejectUnauthorized: sslmode.startsWith('verify'), ...(caPem ? { ca: caPem } : {}), ...(sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}) };
  return {
    label: `existing PostgreSQL at ${host}:${port}/${database} (sslmode ${sslmode})`,
    host,
    port,
    database,
    admin: { host, port, database, user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password), ssl },
    caPem,
    sslmode,
    stop: async () => undefined,
  };
}

