import { cpus } from 'node:os';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { markLog, readLogSince } from '../local/postgres/server-log';
import type { ServerFacts } from '../local/postgres/server-facts';
import type { LocalStack } from '../local/stack';
import { LOCAL_AWS } from '../local/stack';
import { awsReferenceFunction } from './aws-reference';
import type { PreparedSecret, Subject } from './bench-support';
import { awsReferenceDirs, bundleFunctionWorker, declareForBundle, markdownTable, OPERATIONS, percentile, prepareSecret, startBenchEnvironment } from './bench-support';
import { cpuMsOfProcesses } from './process-cpu';

/** The warm mode's options (bench/rotation.ts parses them). */
export interface WarmOptions {
  readonly rotations: number;
  readonly awsReference: string | undefined;
  readonly python: string;
  readonly sslmode: string;
  readonly secretsManagerLatencyMs: number;
  /** A bundle directory built elsewhere, instead of this tree's. */
  readonly bundle: string | undefined;
}

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
async function measureInRounds(prepared: readonly PreparedSecret[], localStack: LocalStack, server: ServerFacts, rotations: number): Promise<Figures[]> {
  const samples: Samples[] = prepared.map(({ subject, secretArn }) => ({ subject, secretArn, durations: [], functionTimes: [], cpuMs: 0, calls: 0, connections: 0, failedLogins: 0 }));
  const client = localStack.secretsClient();
  for (let round = 0; round <= rotations; round++) {
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
    functionCpuMs: sample.cpuMs / rotations,
    secretsManagerCalls: sample.calls / rotations,
    connections: sample.connections / rotations,
    failedLogins: sample.failedLogins / rotations,
  }));
}

function printTable(rows: Figures[], options: WarmOptions): void {
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
  const latency = options.secretsManagerLatencyMs > 0 ? `${options.secretsManagerLatencyMs} ms late` : 'at once';
  console.log(
    `\nFull four-step rotation through the local stack, PostgreSQL ${process.env.PG_MAJOR ?? 18}, pg-rotator with sslmode ${options.sslmode}, Secrets Manager answering ${latency}, ${options.rotations} rotations each (after one warm-up), taken in turns, per rotation:\n`,
  );
  console.log(markdownTable(header, lines));
  console.log(`\nlocal region ${LOCAL_AWS.region}; ${cpus().length} cores; node ${process.version}`);
}

/** Warm rotations, each function in its own long-lived process: see bench/rotation.ts. */
export async function runWarmBench(options: WarmOptions): Promise<void> {
  const env = await startBenchEnvironment(options.bundle);
  const { stack, cluster, bundle } = env;
  try {
    if (options.secretsManagerLatencyMs > 0) {
      for (const operation of OPERATIONS) stack.secretsManager.faults.add({ operation, kind: 'latency', latencyMs: options.secretsManagerLatencyMs });
    }
    const ours: Subject[] = (['single-user', 'admin', 'alternating', 'alternating-owner'] as const).map((strategy) => ({
      name: `pg-rotator ${strategy}`,
      functionArn: '',
      strategy,
      processMarker: bundle,
    }));
    const subjects: Subject[] = [...ours];
    if (options.awsReference !== undefined) {
      for (const { kind, strategy, dir } of awsReferenceDirs(options.awsReference)) {
        const arn = stack.lambda.register(`aws-${kind}`, awsReferenceFunction(dir, options.python, env));
        subjects.push({ name: `AWS ${kind} (Python)`, functionArn: arn, strategy, processMarker: dir, secretExtras: { strategy: undefined } });
      }
    }

    const prepared: PreparedSecret[] = [];
    for (const subject of subjects) prepared.push(await prepareSecret(subject, stack, cluster.server));
    // As deployed: the rotation bindings beside the handler, the admin allow list in the environment; the default log
    // level, as deployed: one line per step, as AWS's functions log theirs.
    const functionEnv = declareForBundle(env, prepared.filter((p) => ours.includes(p.subject)), options.sslmode);
    const rotatorArn = stack.lambda.register('pg-rotator-bundle', bundleFunctionWorker(bundle, functionEnv));
    for (const subject of ours) subject.functionArn = rotatorArn;

    printTable(await measureInRounds(prepared, stack, cluster.server, options.rotations), options);
  } finally {
    await env.close();
  }
}
