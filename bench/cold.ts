import { readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_MEMORY_MB } from '../infra/constructs/rotator-function';
import type { Strategy } from '../lambda/config/environment';
import type { LocalFunction } from '../local/lambda/local-function';
import type { LocalStack } from '../local/stack';
import { awsReferenceFunction } from './aws-reference';
import type { BenchEnvironment, PreparedSecret, Subject } from './bench-support';
import { awsReferenceDirs, bundleFunctionWorker, declareForBundle, lambdaNodeArgs, markdownTable, median, prepareSecret, startBenchEnvironment } from './bench-support';
import type { CpuShare } from './cpu-share';
import { cpuFractionOf, cpuSharesAvailable, lambdaCpuShare } from './cpu-share';
import { gbSeconds, invocationsCostUsd } from './lambda-cost';
import type { LoadCommand, LoadSample } from './module-load';
import { bareNode, barePython, measureLoad, nodeImporting, pythonImporting } from './module-load';
import { peakRssMibOf } from './process-memory';

/** The cold mode's options (bench/rotation.ts parses them). */
export interface ColdOptions {
  readonly rounds: number;
  readonly awsReference: string | undefined;
  readonly python: string;
  readonly sslmode: string;
  /** Memory sizes to simulate with a CPU quota (root, cgroup v1); none: the machine's whole CPU. */
  readonly memoryMb: readonly number[];
  /** Rotation steps a warm process runs for its peak RSS (four per rotation). */
  readonly rssSteps: number;
  /** NODE_OPTIONS of the bundle's processes, as the construct deploys it (infra/constructs/function-environment.ts). */
  readonly nodeOptions: string;
  /** A bundle directory built elsewhere, instead of this tree's. */
  readonly bundle: string | undefined;
}

/** One function whose cold rotations are measured: a fresh process for every sample. */
interface ColdSubject {
  readonly name: string;
  readonly strategy: Strategy;
  /** The local Lambda function, registered anew (its worker replaced) before every sample. */
  readonly functionName: string;
  readonly make: (marker: string) => LocalFunction;
  secretArn: string;
  readonly samples: RotationSample[];
}

interface RotationSample {
  /** RotateSecret to the end of finishSecret, the process started by the first step. */
  readonly coldMs: number;
  /** The four invocations' durations, the first with its process start and init: what Lambda bills. */
  readonly coldInvocationsMs: readonly number[];
  /** The next rotation, in the same (now warm) process. */
  readonly warmMs: number;
  readonly warmInvocationsMs: readonly number[];
  readonly peakRssMib: number;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const ms = (value: number) => value.toFixed(0);
const mib = (value: number) => value.toFixed(0);

/** Two rotations of the subject's secret: the first in a fresh process (cold), the second in the same one (warm). */
async function coldAndWarm(stack: LocalStack, subject: ColdSubject, marker: string): Promise<RotationSample> {
  const arn = stack.lambda.register(subject.functionName, subject.make(marker));
  const client = stack.secretsClient();
  const rotate = async () => {
    const before = stack.lambda.invocations(arn).length;
    const started = performance.now();
    await client.send(new RotateSecretCommand({ SecretId: subject.secretArn, RotationLambdaARN: arn }));
    const outcome = await stack.secretsManager.rotations.latest(subject.secretArn);
    const elapsed = performance.now() - started;
    if (!outcome.succeeded) throw new Error(`${subject.name}: rotation failed at ${outcome.failedStep}: ${outcome.error?.type}: ${outcome.error?.message}`);
    return { elapsed, invocations: stack.lambda.invocations(arn).slice(before).map((record) => record.durationMs) };
  };
  const cold = await rotate();
  const warm = await rotate();
  return {
    coldMs: cold.elapsed,
    coldInvocationsMs: cold.invocations,
    warmMs: warm.elapsed,
    warmInvocationsMs: warm.invocations,
    peakRssMib: peakRssMibOf(marker) ?? NaN,
  };
}

/** Every subject once per round, round after round, so the machine's other load falls on all of them alike. */
async function rotateInRounds(stack: LocalStack, subjects: readonly ColdSubject[], rounds: number, label: string): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const [index, subject] of subjects.entries()) {
      subject.samples.push(await coldAndWarm(stack, subject, `pg-rotator-bench-${label}-${index}-${round}-${process.pid}`));
    }
    process.stderr.write(`  ${label}: round ${round + 1}/${rounds} done\n`);
  }
}

/** Module loads in turns: each command once per round. */
function loadInRounds(commands: readonly { name: string; load: LoadCommand }[], rounds: number): Map<string, LoadSample[]> {
  const samples = new Map(commands.map(({ name }) => [name, [] as LoadSample[]]));
  for (let round = 0; round < rounds; round++) {
    for (const { name, load } of commands) samples.get(name)?.push(measureLoad(load));
  }
  return samples;
}

const medianOf = (samples: readonly LoadSample[], key: keyof LoadSample) => median(samples.map((sample) => sample[key]));

/**
 * `npm run bench -- --cold`: what the first invocation of a container costs, beside AWS's Python functions when their
 * checkout is given. Prints the code's size, the module load (the runtime importing the function, against the bare
 * runtime), a full rotation whose first step starts the process (Lambda's init, then the four steps), the warm
 * rotation after it, and peak RSS. With --memory, the same rotations under the CPU share Lambda gives each memory
 * size, in milliseconds and GB-seconds. Then the peak RSS of one warm process through --rss-steps steps.
 */
export async function runColdBench(options: ColdOptions): Promise<void> {
  const unavailable = options.memoryMb.length > 0 ? cpuSharesAvailable() : undefined;
  if (unavailable !== undefined) throw new Error(`--memory: ${unavailable}`);
  const env = await startBenchEnvironment(options.bundle);
  const shares: CpuShare[] = [];
  try {
    const aws = options.awsReference === undefined ? [] : awsReferenceDirs(options.awsReference);
    printCodeSizes(env, aws);
    printModuleLoad(env, aws, options);

    // The subjects' secrets, and pg-rotator's declarations for them (bindings file, admin allow list), as deployed.
    const strategies: Strategy[] = ['single-user', 'alternating'];
    const subjects: ColdSubject[] = [];
    const prepared: PreparedSecret[] = [];
    const prepare = async (subject: Omit<ColdSubject, 'secretArn' | 'samples'>, extras?: Record<string, unknown>) => {
      const placeholder: Subject = { name: subject.name, functionArn: '', strategy: subject.strategy, processMarker: subject.functionName, secretExtras: extras };
      const secret = await prepareSecret(placeholder, env.stack, env.cluster.server);
      const cold: ColdSubject = { ...subject, secretArn: secret.secretArn, samples: [] };
      return { cold, secret };
    };
    let functionEnv: Record<string, string> = {};
    const ours = (strategy: Strategy, share?: CpuShare): Omit<ColdSubject, 'secretArn' | 'samples'> => ({
      name: `pg-rotator ${strategy}`,
      strategy,
      functionName: `pg-rotator-${strategy}${share === undefined ? '' : `-${share.memoryMb}`}`,
      make: (marker: string) => bundleFunctionWorker(env.bundle, functionEnv, { marker, share }),
    });
    const theirs = (reference: (typeof aws)[number], share?: CpuShare): Omit<ColdSubject, 'secretArn' | 'samples'> => ({
      name: `AWS ${reference.kind} (Python)`,
      strategy: reference.strategy,
      functionName: `aws-${reference.kind}${share === undefined ? '' : `-${share.memoryMb}`}`,
      make: (marker) => {
        const fn = awsReferenceFunction(reference.dir, options.python, env);
        if (fn.kind !== 'command') return fn;
        const args = [...(fn.args ?? []), marker];
        return { ...fn, ...(share?.wrap(fn.command, args) ?? { args }) };
      },
    });
    // Each of pg-rotator's strategies beside the AWS function that does the same.
    const pairUp = async (share?: CpuShare) => {
      const group: ColdSubject[] = [];
      for (const strategy of strategies) {
        const { cold, secret } = await prepare(ours(strategy, share));
        group.push(cold);
        prepared.push(secret);
        const reference = aws.find((a) => a.strategy === strategy);
        if (reference !== undefined) group.push((await prepare(theirs(reference, share), { strategy: undefined })).cold);
      }
      return group;
    };
    const plain = await pairUp();
    subjects.push(...plain);
    const byMemory: { share: CpuShare; subjects: ColdSubject[] }[] = [];
    for (const memoryMb of options.memoryMb) {
      const share = lambdaCpuShare(memoryMb);
      shares.push(share);
      byMemory.push({ share, subjects: await pairUp(share) });
    }
    functionEnv = { ...declareForBundle(env, prepared, options.sslmode), NODE_OPTIONS: options.nodeOptions };

    process.stderr.write(`cold rotations: ${options.rounds} rounds\n`);
    await rotateInRounds(env.stack, plain, options.rounds, 'cold');
    printColdRotations(plain, options, 'the machine\'s whole CPU');

    if (byMemory.length > 0) {
      // Round by round across memory sizes too, so the machine's load falls on every size alike.
      const all = byMemory.flatMap((entry) => entry.subjects);
      await rotateInRounds(env.stack, all, options.rounds, 'memory');
      printMemoryTable(byMemory, options);
      for (const { share, subjects: group } of byMemory) printRatios(group, `at ${share.memoryMb} MB`);
    }

    await printPeakRss(env, functionEnv, plain.find((s) => s.name === 'pg-rotator alternating') as ColdSubject, options);
  } finally {
    await env.close();
    for (const share of shares) share.close();
  }
  console.log(`\n${cpus().length} cores; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(', ')}; node ${process.version}`);
}

function printCodeSizes(env: BenchEnvironment, aws: readonly { kind: string; dir: string }[]): void {
  const kb = (file: string) => `${(statSync(file).size / 1024).toFixed(1)} KB`;
  console.log('\nWhat each function loads (minified bundle; AWS: the function file, with boto3 and botocore from the Python runtime and PyGreSQL packaged beside it):\n');
  const rows = [['pg-rotator', `rotation.mjs ${kb(env.bundle)} (orchestrator.mjs ${kb(path.join(env.bundleDir, 'orchestrator.mjs'))}): pg and zod inside, and a Secrets Manager client of its own`]];
  for (const { kind, dir } of aws) rows.push([`AWS ${kind}`, `lambda_function.py ${kb(path.join(dir, 'lambda_function.py'))}, ${readFileSync(path.join(dir, 'lambda_function.py'), 'utf8').split('\n').length} lines`]);
  console.log(markdownTable(['function', 'code'], rows));
}

/**
 * Node as Lambda's runtime starts it, and as plain `node`. The difference matters: under Lambda's --expose-gc, V8
 * declines the code cache Node ships for its own modules, so every one a function loads (tls, crypto…) is compiled.
 */
function printModuleLoad(env: BenchEnvironment, aws: readonly { kind: string; dir: string }[], options: ColdOptions): void {
  const noOptions = { ...process.env, NODE_OPTIONS: '' };
  const deployed = { ...process.env, NODE_OPTIONS: options.nodeOptions };
  const lambda = lambdaNodeArgs(DEFAULT_MEMORY_MB);
  const [bareLambda, bare] = ["node -e (bare), Lambda's flags", 'node -e (bare), plain node'];
  const commands: { name: string; load: LoadCommand; baseline: string }[] = [
    { name: bareLambda, load: bareNode(noOptions, lambda), baseline: bareLambda },
    { name: `pg-rotator rotation.mjs, Lambda's flags, NODE_OPTIONS=${JSON.stringify(options.nodeOptions)}: as deployed`, load: nodeImporting(env.bundle, deployed, lambda), baseline: bareLambda },
    { name: "pg-rotator rotation.mjs, Lambda's flags, no NODE_OPTIONS", load: nodeImporting(env.bundle, noOptions, lambda), baseline: bareLambda },
    { name: "pg-rotator orchestrator.mjs, Lambda's flags, as deployed", load: nodeImporting(path.join(env.bundleDir, 'orchestrator.mjs'), deployed, lambda), baseline: bareLambda },
    { name: bare, load: bareNode(noOptions), baseline: bare },
    { name: 'pg-rotator rotation.mjs, plain node', load: nodeImporting(env.bundle, noOptions), baseline: bare },
  ];
  if (aws.length > 0) commands.push({ name: 'python3 -c (bare)', load: barePython(options.python), baseline: 'python3 -c (bare)' });
  for (const { kind, dir } of aws) commands.push({ name: `AWS ${kind} lambda_function`, load: pythonImporting(options.python, dir), baseline: 'python3 -c (bare)' });
  const samples = loadInRounds(commands, Math.max(options.rounds * 2, 10));
  const rows = commands.map(({ name, baseline }) => {
    const own = samples.get(name) ?? [];
    const base = samples.get(baseline) ?? [];
    const above = name === baseline ? '' : ms(medianOf(own, 'wallMs') - medianOf(base, 'wallMs'));
    return [name, ms(medianOf(own, 'wallMs')), above, ms(medianOf(own, 'cpuMs')), mib(medianOf(own, 'peakRssMib'))];
  });
  console.log(
    `\nModule load: a fresh process imports the function and exits, node with the flags Lambda's runtime passes at ${DEFAULT_MEMORY_MB} MB (${lambda.join(' ')}) and without (median of ${Math.max(options.rounds * 2, 10)}, in turns):\n`,
  );
  console.log(markdownTable(['process', 'wall ms', 'above the bare runtime ms', 'CPU ms', 'peak RSS MiB'], rows));
}

function printColdRotations(subjects: readonly ColdSubject[], options: ColdOptions, cpu: string): void {
  const rows = subjects.map((subject) => {
    const s = subject.samples;
    return [
      subject.name,
      ms(median(s.map((x) => x.coldMs))),
      ms(median(s.map((x) => sum(x.coldInvocationsMs)))),
      ms(median(s.map((x) => x.coldInvocationsMs[0] ?? NaN))),
      ms(median(s.map((x) => x.warmMs))),
      mib(median(s.map((x) => x.peakRssMib))),
    ];
  });
  console.log(
    `\nCold rotation on ${cpu}: RotateSecret → four steps, the first starting a fresh process (Lambda's init: the runtime starts and imports the function), pg-rotator with sslmode ${options.sslmode} and NODE_OPTIONS=${JSON.stringify(options.nodeOptions)}; then the next rotation in the same process (warm). Median of ${options.rounds}, in turns:\n`,
  );
  console.log(markdownTable(['function', 'cold rotation ms', 'in the function ms', 'first step (init + createSecret) ms', 'warm rotation ms', 'peak RSS MiB'], rows));
  printRatios(subjects, 'on the whole CPU');
}

/** How many times faster pg-rotator's cold and warm rotations are than AWS's function doing the same. */
function printRatios(subjects: readonly ColdSubject[], where: string): void {
  for (const [ours, theirs] of [
    ['pg-rotator single-user', 'AWS SingleUser (Python)'],
    ['pg-rotator alternating', 'AWS MultiUser (Python)'],
  ] as const) {
    const a = subjects.find((s) => s.name === ours);
    const b = subjects.find((s) => s.name === theirs);
    if (a === undefined || b === undefined) continue;
    const ratio = (key: 'coldMs' | 'warmMs') => median(b.samples.map((x) => x[key])) / median(a.samples.map((x) => x[key]));
    console.log(`${ours} ${where}: cold rotation ${ratio('coldMs').toFixed(2)}× faster than ${theirs}, warm ${ratio('warmMs').toFixed(2)}×`);
  }
}

function printMemoryTable(byMemory: readonly { share: CpuShare; subjects: readonly ColdSubject[] }[], options: ColdOptions): void {
  const rows: string[][] = [];
  for (const { share, subjects } of byMemory) {
    for (const subject of subjects) {
      const s = subject.samples;
      const coldBilled = median(s.map((x) => sum(x.coldInvocationsMs)));
      const warmBilled = median(s.map((x) => sum(x.warmInvocationsMs)));
      const coldGbs = median(s.map((x) => gbSeconds(share.memoryMb, x.coldInvocationsMs)));
      const warmGbs = median(s.map((x) => gbSeconds(share.memoryMb, x.warmInvocationsMs)));
      const coldUsd = median(s.map((x) => invocationsCostUsd(share.memoryMb, x.coldInvocationsMs)));
      const warmUsd = median(s.map((x) => invocationsCostUsd(share.memoryMb, x.warmInvocationsMs)));
      rows.push([
        `${share.memoryMb} MB (${(cpuFractionOf(share.memoryMb) * 100).toFixed(1)} % of a core): ${subject.name}`,
        ms(median(s.map((x) => x.coldMs))),
        ms(coldBilled),
        coldGbs.toFixed(4),
        ms(median(s.map((x) => x.warmMs))),
        ms(warmBilled),
        warmGbs.toFixed(4),
        `${(coldUsd * 1e6).toFixed(2)} / ${(warmUsd * 1e6).toFixed(2)}`,
        mib(median(s.map((x) => x.peakRssMib))),
      ]);
    }
  }
  console.log(
    `\nMemory size by cost: the same rotations with the function's process under the CPU share Lambda gives each size (a cgroup CFS quota of memory/1,769 of a core; the database and the local endpoints unthrottled). Billed: the four invocations, init included, arm64 price. Median of ${options.rounds}, in turns:\n`,
  );
  console.log(
    markdownTable(['memory: function', 'cold rotation ms', 'cold billed ms', 'cold GB-s', 'warm rotation ms', 'warm billed ms', 'warm GB-s', 'USD per million rotations, cold / warm', 'peak RSS MiB'], rows),
  );
}

async function printPeakRss(env: BenchEnvironment, functionEnv: Record<string, string>, subject: ColdSubject, options: ColdOptions): Promise<void> {
  const rows: string[][] = [];
  const client = env.stack.secretsClient();
  for (const nodeOptions of ['', '--enable-source-maps']) {
    const marker = `pg-rotator-bench-rss-${nodeOptions === '' ? 'plain' : 'maps'}-${process.pid}`;
    const arn = env.stack.lambda.register('pg-rotator-rss', bundleFunctionWorker(env.bundle, { ...functionEnv, NODE_OPTIONS: nodeOptions }, { marker }));
    for (let step = 0; step < options.rssSteps; step += 4) {
      await client.send(new RotateSecretCommand({ SecretId: subject.secretArn, RotationLambdaARN: arn }));
      const outcome = await env.stack.secretsManager.rotations.latest(subject.secretArn);
      if (!outcome.succeeded) throw new Error(`peak RSS run: rotation failed at ${outcome.failedStep}`);
    }
    rows.push([`NODE_OPTIONS=${JSON.stringify(nodeOptions)}`, mib(peakRssMibOf(marker) ?? NaN)]);
  }
  console.log(`\nPeak RSS of one warm process through ${options.rssSteps} rotation steps (alternating, TLS):\n`);
  console.log(markdownTable(['pg-rotator rotation.mjs', 'peak RSS MiB'], rows));
}
