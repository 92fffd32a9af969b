/**
 * `npm run bench [-- --rotations N] [--aws-reference DIR] [--python PATH] [--sslmode MODE] [--secrets-manager-latency-ms N]`
 *
 * Times full four-step rotations through the local stack (RotateSecret → Lambda Invoke → each step) for each
 * strategy on a throwaway PostgreSQL with TLS, and counts what each rotation costs: Secrets Manager calls,
 * database connections (from the server's own log_connections lines, so retries and failed probes count), and
 * the CPU time of the function's process (Linux /proc).
 *
 * Every function runs as Lambda runs it, in its own warm process: pg-rotator as its esbuild bundle, AWS's as
 * Python. With --aws-reference, DIR holds AWS's Python rotation functions (a checkout of
 * aws-samples/aws-secrets-manager-rotation-lambdas); the single-user and multi-user PostgreSQL functions then
 * run through the same stack, against the same server with the same TLS (verify-full; see
 * aws-reference-worker.py for how they find the CA), for the same work, side by side. They need a python3 with
 * boto3 and PyGreSQL (Debian: python3-boto3 python3-pygresql).
 *
 * The local Secrets Manager answers in about a millisecond; --secrets-manager-latency-ms holds every answer to a
 * rotation function back by that much, to show how each function's time grows with its distance to the service
 * (a function that waits on fewer calls in a row grows more slowly).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import type { Strategy } from '../lambda/config/environment';
import type { RotationBinding } from '../lambda/config/rotation-bindings';
import { ROTATION_BINDINGS_FILE, rotationBindingsFileText } from '../lambda/config/rotation-bindings';
import { superuserClientConfig } from '../local/postgres/client-config';
import { startCluster } from '../local/postgres/cluster';
import { markLog, readLogSince } from '../local/postgres/server-log';
import type { ServerFacts } from '../local/postgres/server-facts';
import type { LocalStack } from '../local/stack';
import { LOCAL_AWS, startLocalStack } from '../local/stack';
import { typescriptWorker } from '../local/lambda/worker-command';
import { bundleFunction } from '../scripts/function-bundle';
import { awsReferenceFunction } from './aws-reference';
import { cpuMsOfProcesses } from './process-cpu';

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is not the bench's story.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: args } = parseArgs({
  options: {
    rotations: { type: 'string', default: '20' },
    'aws-reference': { type: 'string' },
    python: { type: 'string', default: 'python3' },
    // pg-rotator's PGSSLMODE; verify-full is what a deployment uses, and what AWS's functions do on RDS.
    sslmode: { type: 'string', default: 'verify-full' },
    'secrets-manager-latency-ms': { type: 'string', default: '0' },
  },
});
const ROTATIONS = Number(args.rotations);
const SM_LATENCY_MS = Number(args['secrets-manager-latency-ms']);

interface Figures {
  readonly name: string;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** The four invocations' own durations, summed: the function's work, without the stack's overhead. */
  readonly functionMs: number;
  /** CPU time of the function's process per rotation, user and system. */
  readonly functionCpuMs: number;
  readonly secretsManagerCalls: number;
  readonly connections: number;
  readonly failedLogins: number;
}

interface Subject {
  readonly name: string;
  /** The function that rotates its secret; pg-rotator's is registered once the secrets exist (its bindings name them). */
  functionArn: string;
  readonly strategy: Strategy;
  /** What the command line of the function's worker process contains, to read its CPU time by. */
  readonly processMarker: string;
  /** Extra secret keys this subject's function needs. */
  readonly secretExtras?: Record<string, unknown>;
}

/** One subject's rotations: its secret, and what each rotation cost. */
interface Samples {
  readonly subject: Subject;
  readonly secretArn: string;
  readonly durations: number[];
  readonly functionTimes: number[];
  cpuMs: number;
  calls: number;
  connections: number;
  failedLogins: number;
}

/**
 * Rotates every subject's secret once per round, round after round, so that whatever else the machine is doing
 * falls on all of them alike rather than on whichever ran at the time. Round 0 is the warm-up (worker start,
 * first TLS handshake, clone creation) and is not counted.
 */
async function measureInRounds(prepared: readonly PreparedSecret[], localStack: LocalStack, server: ServerFacts): Promise<Figures[]> {
  const samples: Samples[] = prepared.map(({ subject, secretArn }) => ({ subject, secretArn, durations: [], functionTimes: [], cpuMs: 0, calls: 0, connections: 0, failedLogins: 0 }));
  const client = localStack.secretsClient();
  for (let round = 0; round <= ROTATIONS; round++) {
    for (const sample of samples) {
      const { subject, secretArn } = sample;
      const mark = await markLog(server.logFile as string);
      localStack.secretsManager.resetCalls();
      const invocationsBefore = localStack.lambda.invocations(subject.functionArn).length;
      const cpuBefore = cpuMsOfProcesses(subject.processMarker);
      const started = performance.now();
      await client.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: subject.functionArn }));
      const outcome = await localStack.secretsManager.rotations.latest(secretArn);
      const elapsed = performance.now() - started;
      if (!outcome.succeeded) throw new Error(`${subject.name}: rotation failed at ${outcome.failedStep}: ${outcome.error?.message}`);
      if (round === 0) continue;
      sample.cpuMs += cpuMsOfProcesses(subject.processMarker) - cpuBefore;
      sample.durations.push(elapsed);
      sample.functionTimes.push(localStack.lambda.invocations(subject.functionArn).slice(invocationsBefore).reduce((sum, r) => sum + r.durationMs, 0));
      sample.calls += OPERATIONS.reduce((sum, op) => sum + localStack.secretsManager.calls(op), 0);
      const log = await readLogSince(mark);
      sample.connections += (log.match(/connection received:/g) ?? []).length;
      sample.failedLogins += (log.match(/password authentication failed/g) ?? []).length;
    }
  }
  return samples.map((sample) => ({
    name: sample.subject.name,
    medianMs: percentile(sample.durations, 0.5),
    p95Ms: percentile(sample.durations, 0.95),
    functionMs: percentile(sample.functionTimes, 0.5),
    functionCpuMs: sample.cpuMs / ROTATIONS,
    secretsManagerCalls: sample.calls / ROTATIONS,
    connections: sample.connections / ROTATIONS,
    failedLogins: sample.failedLogins / ROTATIONS,
  }));
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

/** The calls a rotation function makes; RotateSecret itself is the caller's. */
const OPERATIONS = ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage', 'GetRandomPassword'];

/** A subject's secret, and what a deployment would declare about it for pg-rotator. */
interface PreparedSecret {
  readonly subject: Subject;
  readonly secretArn: string;
  readonly adminArn: string;
  readonly binding: RotationBinding | undefined;
}

async function prepareSecret(subject: Subject, localStack: LocalStack, server: ServerFacts): Promise<PreparedSecret> {
  const suffix = `${subject.strategy.replace('-', '_')}_${Math.random().toString(36).slice(2, 8)}`;
  const [user, admin, owner] = [`bench_${suffix}`, `bench_admin_${suffix}`, `bench_owner_${suffix}`];
  const password = 'Bench-Passw0rd-1';
  const superuser = new Client(superuserClientConfig(server));
  await superuser.connect();
  try {
    await superuser.query(`CREATE ROLE ${escapeIdentifier(user)} LOGIN PASSWORD ${escapeLiteral(password)}`);
    await superuser.query(`CREATE ROLE ${escapeIdentifier(admin)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(password)}`);
    await superuser.query(`GRANT ${escapeIdentifier(user)} TO ${escapeIdentifier(admin)} WITH ADMIN OPTION`);
  } finally {
    await superuser.end();
  }
  const base = { engine: 'postgres', host: server.host, port: server.port, dbname: 'postgres' };
  const client = localStack.secretsClient();
  const create = async (name: string, value: Record<string, unknown>) =>
    (await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN as string;
  const adminArn = await create(`${admin}-secret`, { ...base, username: admin, password });
  const extras = subject.strategy === 'single-user' ? {} : { masterarn: adminArn, strategy: subject.strategy };
  const ownerRole = subject.strategy === 'alternating-owner' ? { ownerRole: owner } : {};
  const secretArn = await create(`${user}-secret`, JSON.parse(JSON.stringify({ ...base, username: user, password, ...extras, ...ownerRole, ...subject.secretExtras })));
  const binding: RotationBinding | undefined =
    subject.strategy === 'single-user' ? undefined : { secretArn, strategy: subject.strategy, adminSecretArn: adminArn, username: user, ...ownerRole };
  return { subject, secretArn, adminArn, binding };
}

function printTable(rows: Figures[]): void {
  const header = ['function', 'rotation ms (median)', 'p95', 'in the function ms (median)', 'function CPU ms (mean)', 'SM calls', 'DB connections', 'failed logins'];
  const lines = rows.map((r) => [
    r.name,
    r.medianMs.toFixed(0),
    r.p95Ms.toFixed(0),
    r.functionMs.toFixed(0),
    r.functionCpuMs.toFixed(0),
    r.secretsManagerCalls.toFixed(1),
    r.connections.toFixed(1),
    r.failedLogins.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(`\nFull four-step rotation through the local stack, PostgreSQL ${process.env.PG_MAJOR ?? 18}, pg-rotator with sslmode ${args.sslmode}, Secrets Manager answering ${SM_LATENCY_MS > 0 ? `${SM_LATENCY_MS} ms late` : 'at once'}, ${ROTATIONS} rotations each (after one warm-up), taken in turns, per rotation:\n`);
  console.log(format(header));
  for (const line of lines) console.log(format(line));
  console.log(`\nlocal region ${LOCAL_AWS.region}; ${cpus().length} cores`);
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-bench-'));
  const bundleDir = path.join(workDir, 'function');
  await bundleFunction(bundleDir);
  const bundle = path.join(bundleDir, 'rotation.mjs');
  const cluster = await startCluster({ major: Number(process.env.PG_MAJOR ?? 18) as 18, variant: 'tls' });
  const caFile = path.join(workDir, 'ca.pem');
  writeFileSync(caFile, cluster.server.caPem ?? '');
  const stack = await startLocalStack();
  try {
    if (SM_LATENCY_MS > 0) {
      for (const operation of OPERATIONS) stack.secretsManager.faults.add({ operation, kind: 'latency', latencyMs: SM_LATENCY_MS });
    }
    const ours: Subject[] = (['single-user', 'admin', 'alternating', 'alternating-owner'] as const).map((strategy) => ({
      name: `pg-rotator ${strategy}`,
      functionArn: '',
      strategy,
      processMarker: bundle,
    }));
    const subjects: Subject[] = [...ours];
    const reference = args['aws-reference'];
    if (reference !== undefined) {
      for (const [kind, strategy] of [['SingleUser', 'single-user'], ['MultiUser', 'alternating']] as const) {
        const dir = path.join(reference, `SecretsManagerRDSPostgreSQLRotation${kind}`);
        if (!existsSync(path.join(dir, 'lambda_function.py'))) {
          console.log(`--aws-reference: no ${dir}/lambda_function.py, skipping AWS ${kind}`);
          continue;
        }
        const arn = stack.lambda.register(`aws-${kind}`, awsReferenceFunction(dir, args.python, stack.secretsManager.endpoint, caFile));
        subjects.push({ name: `AWS ${kind} (Python)`, functionArn: arn, strategy, processMarker: dir, secretExtras: { strategy: undefined } });
      }
    }

    const prepared: PreparedSecret[] = [];
    for (const subject of subjects) prepared.push(await prepareSecret(subject, stack, cluster.server));
    // As deployed: the rotation bindings beside the handler (the construct's bindings file), the admin allow list in
    // the environment.
    const declared = prepared.filter((p) => ours.includes(p.subject) && p.binding !== undefined);
    writeFileSync(path.join(bundleDir, ROTATION_BINDINGS_FILE), rotationBindingsFileText(declared.map((p) => p.binding as RotationBinding)));
    const rotatorArn = stack.lambda.register(
      'pg-rotator-bundle',
      typescriptWorker(bundle, 'handler', {
        // The default log level, as deployed: one line per step, as AWS's functions log theirs.
        env: {
          SECRETS_MANAGER_ENDPOINT: stack.secretsManager.endpoint,
          ...LOCAL_CREDENTIALS,
          PGSSLMODE: args.sslmode,
          MINIMUM_SSLMODE: args.sslmode,
          PGSSLROOTCERT: caFile,
          ADMIN_SECRET_ARNS: declared.map((p) => p.adminArn).join(','),
        },
      }),
    );
    for (const subject of ours) subject.functionArn = rotatorArn;

    printTable(await measureInRounds(prepared, stack, cluster.server));
  } finally {
    await stack.close();
    await cluster.stop();
  }
}

/** What a Lambda execution role gives the SDK; the local endpoints accept any. */
const LOCAL_CREDENTIALS = {
  AWS_REGION: LOCAL_AWS.region,
  AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
};

await main();
