import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { DEFAULT_MEMORY_MB } from '../infra/constructs/rotator-function';
import type { Strategy } from '../lambda/config/environment';
import type { RotationBinding } from '../lambda/config/rotation-bindings';
import { ROTATION_BINDINGS_FILE, rotationBindingsFileText } from '../lambda/config/rotation-bindings';
import type { LocalFunction } from '../local/lambda/local-function';
import { createTestCertificates } from '../local/postgres/certificates';
import { superuserClientConfig } from '../local/postgres/client-config';
import type { RunningCluster } from '../local/postgres/cluster';
import { startCluster } from '../local/postgres/cluster';
import type { ServerFacts } from '../local/postgres/server-facts';
import type { LocalStack } from '../local/stack';
import { LOCAL_AWS, startLocalStack } from '../local/stack';
import { bundleFunction } from '../scripts/function-bundle';
import type { CpuShare } from './cpu-share';

/** What the bench compares: one function rotating one kind of secret. */
export interface Subject {
  readonly name: string;
  /** The function that rotates its secret; pg-rotator's is registered once the secrets exist (its bindings name them). */
  functionArn: string;
  readonly strategy: Strategy;
  /** What the command line of the function's worker process contains, to read its CPU time and memory by. */
  readonly processMarker: string;
  /** Extra secret keys this subject's function needs. */
  readonly secretExtras?: Record<string, unknown>;
}

/** A subject's secret, and what a deployment would declare about it for pg-rotator. */
export interface PreparedSecret {
  readonly subject: Subject;
  readonly secretArn: string;
  readonly adminArn: string;
  readonly binding: RotationBinding | undefined;
}

/** The calls a rotation function makes; RotateSecret itself is the caller's. */
export const OPERATIONS = ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage', 'GetRandomPassword'];

/** What a Lambda execution role gives the SDK (Lambda's reserved variables); the local endpoints accept any keys. */
export const LOCAL_CREDENTIALS = {
  AWS_REGION: LOCAL_AWS.region,
  AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
};

/** A login, its admin, and a secret for the subject's strategy, on the test server. */
export async function prepareSecret(subject: Subject, localStack: LocalStack, server: ServerFacts): Promise<PreparedSecret> {
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

/**
 * What a deployment puts beside pg-rotator's handler and in its environment for these secrets: the rotation bindings
 * file in the bundle directory, and the variables (the admin allow list, TLS settings, the execution role's keys).
 */
export function declareForBundle(env: BenchEnvironment, prepared: readonly PreparedSecret[], sslmode: string): Record<string, string> {
  const declared = prepared.filter((p) => p.binding !== undefined);
  writeFileSync(path.join(env.bundleDir, ROTATION_BINDINGS_FILE), rotationBindingsFileText(declared.map((p) => p.binding as RotationBinding)));
  return {
    SECRETS_MANAGER_ENDPOINT: env.stack.secretsManager.endpoint,
    // Lambda's Node trusts AWS's endpoint through its bundled roots; this one's CA is added to them.
    NODE_EXTRA_CA_CERTS: env.secretsManagerCaFile,
    ...LOCAL_CREDENTIALS,
    PGSSLMODE: sslmode,
    MINIMUM_SSLMODE: sslmode,
    PGSSLROOTCERT: env.caFile,
    ADMIN_SECRET_ARNS: declared.map((p) => p.adminArn).join(','),
  };
}

/** AWS's two PostgreSQL rotation functions in a checkout of aws-samples/aws-secrets-manager-rotation-lambdas, those present. */
export function awsReferenceDirs(reference: string): { kind: 'SingleUser' | 'MultiUser'; strategy: Strategy; dir: string }[] {
  const found = [];
  for (const [kind, strategy] of [['SingleUser', 'single-user'], ['MultiUser', 'alternating']] as const) {
    const dir = path.join(reference, `SecretsManagerRDSPostgreSQLRotation${kind}`);
    if (existsSync(path.join(dir, 'lambda_function.py'))) found.push({ kind, strategy, dir });
    else console.log(`--aws-reference: no ${dir}/lambda_function.py, skipping AWS ${kind}`);
  }
  return found;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

/** A Markdown table, first column left-aligned, the others right-aligned, padded for the terminal. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** What every bench mode runs on: the bundle as deployed, a throwaway PostgreSQL with TLS, the local endpoints. */
export interface BenchEnvironment {
  readonly bundleDir: string;
  /** The rotation function's file, rotation.mjs. */
  readonly bundle: string;
  /** The test server's CA, as PGSSLROOTCERT and as AWS's functions' trust store. */
  readonly caFile: string;
  /** The CA of the local Secrets Manager's certificate: it serves HTTPS, as AWS's endpoint does. */
  readonly secretsManagerCaFile: string;
  readonly cluster: RunningCluster;
  readonly stack: LocalStack;
  close(): Promise<void>;
}

/**
 * @param prebuiltBundle a bundle directory built elsewhere (another commit's `bundleFunction`, for before and after
 * figures), copied rather than used in place, since the bench writes the rotation bindings beside the handler; by
 * default this tree's bundle, built for the running Node.
 */
export async function startBenchEnvironment(prebuiltBundle?: string): Promise<BenchEnvironment> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-bench-'));
  const bundleDir = path.join(workDir, 'function');
  if (prebuiltBundle === undefined) await bundleFunction(bundleDir);
  else cpSync(prebuiltBundle, bundleDir, { recursive: true });
  const cluster = await startCluster({ major: Number(process.env.PG_MAJOR ?? 18) as 18, variant: 'tls' });
  const caFile = path.join(workDir, 'ca.pem');
  writeFileSync(caFile, cluster.server.caPem ?? '');
  // HTTPS, as in Lambda: over plain HTTP the first step would skip the TLS handshake a function makes with Secrets
  // Manager, and the SDK would load Node's `http` module (22 ms here, measured alone), which it never loads in Lambda.
  const pki = await createTestCertificates();
  const secretsManagerCaFile = path.join(workDir, 'secrets-manager-ca.pem');
  writeFileSync(secretsManagerCaFile, pki.caPem);
  const stack = await startLocalStack({ secretsManagerTls: { ...pki.localServer, caPem: pki.caPem } });
  return {
    bundleDir,
    bundle: path.join(bundleDir, 'rotation.mjs'),
    caFile,
    secretsManagerCaFile,
    cluster,
    stack,
    close: async () => {
      await stack.close();
      await cluster.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

const BUNDLE_WORKER = fileURLToPath(new URL('./bundle-worker.mjs', import.meta.url));

/**
 * pg-rotator's bundle as a local Lambda function in a process of its own, run as Lambda's Node.js runtime runs it
 * (bundle-worker.mjs: plain node with the runtime's flags, the module imported at start). `marker` makes its command
 * line unique; `share` puts it under the CPU quota of its memory size, the construct's default memory otherwise.
 */
export function bundleFunctionWorker(bundle: string, env: Record<string, string>, options: { marker?: string; share?: CpuShare } = {}): LocalFunction {
  const nodeArgs = lambdaNodeArgs(options.share?.memoryMb ?? DEFAULT_MEMORY_MB);
  const command = { command: process.execPath, args: [...nodeArgs, BUNDLE_WORKER, bundle, 'handler', options.marker ?? bundle] };
  return { kind: 'command', ...(options.share?.wrap(command.command, command.args) ?? command), env, timeoutMs: 60_000 };
}

/**
 * What Lambda's Node.js runtime starts node with for a function of `memoryMb` (the bootstrap script of its base images,
 * /var/runtime/bootstrap): a tenth of the memory for V8's young generation, in two semi-spaces, and the rest for the
 * old one, in its shell's integer arithmetic; besides them, the gc hook and a larger header limit.
 */
export function lambdaNodeArgs(memoryMb: number): string[] {
  const newSpaceMb = Math.floor(memoryMb / 10);
  return ['--expose-gc', '--max-http-header-size', '81920', `--max-semi-space-size=${Math.floor(newSpaceMb / 2)}`, `--max-old-space-size=${memoryMb - newSpaceMb}`];
}
