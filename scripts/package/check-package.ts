/**
 * `npm run check:package` (CI): the package as a user gets it. Packs it (prepack builds dist/), installs the tarball
 * with aws-cdk-lib, constructs, the aws-cdk CLI, cdk-nag and TypeScript into a scratch directory outside the
 * repository, then:
 * - synthesizes the scratch CDK app (scratch-app/, set up as docs/deploy.md sets one up) offline with `cdk synth` under
 *   cdk-nag: its app command compiles it and the orchestrator with tsc first, which typechecks the construct, the
 *   attachment, the typed client and `pg-rotator/pg` against the package's declarations;
 * - checks that the functions' asset holds the shipped bundle, byte for byte, with the deployment's
 *   rotation-bindings.json beside it;
 * - imports the client, the pool and the stack at run time (Node's ESM loader, no tsx);
 * - runs the application example (scratch-app/connect.ts): the installed pool connects to a real PostgreSQL over
 *   verified TLS, with the login a secret in the local Secrets Manager holds;
 * - runs the installed `pg-rotator`: `--help`, and a command that loads the rest of the CLI;
 * - plans (npm's dry run) an application's install of the package with pg alone: it must bring no peer dependency it
 *   did not ask for (aws-cdk-lib, constructs, the Secrets Manager SDK, esbuild: all optional peers).
 * esbuild and tsx are not installed there: the package must need neither.
 *
 * Options: `--keep` leaves the scratch directory; `--tarball <path>` checks a tarball already packed.
 */
import { execFile, execFileSync, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { startCluster } from '../../local/postgres/cluster';
import { startLocalSecretsManager } from '../../local/secrets-manager/server';
import { LOCAL_AWS } from '../../local/stack';
import { FUNCTION_ENTRIES } from '../function-bundle';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRATCH_SOURCES = path.join(ROOT, 'scripts/package/scratch-app');

/** The versions this repository locks, so the install is served from npm's cache. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

function run(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options }) as string;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`package check failed: ${message}`);
  console.log(`  ok  ${message}`);
}

const { values } = parseArgs({ options: { keep: { type: 'boolean' }, tarball: { type: 'string' } } });
const started = performance.now();
const work = mkdtempSync(path.join(tmpdir(), 'pg-rotator-package-'));
try {
  let tarball = values.tarball === undefined ? undefined : path.resolve(values.tarball);
  if (tarball === undefined) {
    // What prepack does, run apart so its output stays out of npm pack's JSON.
    const building = performance.now();
    run('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    console.log(`built dist/ (${seconds(building)})`);
    const packing = performance.now();
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT })) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
    if (packed === undefined) throw new Error('npm pack wrote nothing');
    tarball = path.join(work, packed.filename);
    console.log(`packed ${packed.filename}: ${(packed.size / 1024).toFixed(0)} KiB, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.entryCount} files (${seconds(packing)})`);
  }

  const scratchStarted = performance.now();
  const app = path.join(work, 'app');
  mkdirSync(app);
  for (const file of readdirSync(SCRATCH_SOURCES)) copyFileSync(path.join(SCRATCH_SOURCES, file), path.join(app, file));
  const dependencies = Object.fromEntries(
    ['aws-cdk-lib', 'constructs', 'aws-cdk', 'cdk-nag', 'typescript', '@types/node', '@types/pg', 'pg', '@aws-sdk/client-secrets-manager'].map((name) => [name, lockedVersion(name)]),
  );
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'scratch-cdk-app', private: true, type: 'module', dependencies: { 'pg-rotator': `file:${tarball}`, ...dependencies } }, null, 2)}\n`);
  writeFileSync(path.join(app, '.npmrc'), 'fund=false\naudit=false\n');
  const installing = performance.now();
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
  console.log(`installed the tarball into ${app} (${seconds(installing)})`);
  const installed = path.join(app, 'node_modules/pg-rotator');
  check(!existsSync(path.join(app, 'node_modules/esbuild')) && !existsSync(path.join(app, 'node_modules/tsx')), 'neither esbuild nor tsx is installed');
  check(!existsSync(path.join(installed, 'lambda')) && !existsSync(path.join(installed, 'infra')), 'the package ships no TypeScript source tree');

  // cdk.json's app command compiles first (`npx tsc && node out/app.js`, as docs/deploy.md sets an app up): a type
  // error in the app or the orchestrator fails the synth.
  const synthesizing = performance.now();
  run(path.join(app, 'node_modules/.bin/cdk'), ['synth', '--no-notices', '--quiet'], {
    cwd: app,
    stdio: 'inherit',
    // Offline: no credentials, no telemetry.
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
  });
  check(true, `the CDK app and the orchestrator typecheck against the package's declarations, and cdk synth under cdk-nag is clean (${seconds(synthesizing)})`);
  run('node', ['--input-type=module', '-e', "await import('pg-rotator/client'); await import('pg-rotator/pg'); await import('pg-rotator/stack');"], { cwd: app });
  check(true, 'pg-rotator/client, pg-rotator/pg and pg-rotator/stack load as plain JavaScript');

  const connected = await connectLikeAnApplication(app);
  check(connected.login === 'scratch_app' && connected.tls, `the application example's pool connects with the secret's login over verified TLS (${JSON.stringify(connected)})`);

  const cdkOut = path.join(app, 'cdk.out');
  const template = JSON.parse(readFileSync(path.join(cdkOut, 'PgRotatorCentral.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const rotation = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler === 'rotation.handler');
  const key = (rotation?.Properties.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
  const assetDir = path.join(cdkOut, `asset.${key.replace(/\.zip$/, '')}`);
  check(existsSync(assetDir), `the rotation function's code is the asset ${path.basename(assetDir)}`);
  for (const handler of Object.keys(FUNCTION_ENTRIES).map((entry) => `${entry}.mjs`)) {
    const shipped = readFileSync(path.join(installed, 'dist/function', handler));
    check(shipped.equals(readFileSync(path.join(assetDir, handler))), `${handler} in the asset is the shipped bundle, byte for byte (${(shipped.length / 1024).toFixed(0)} KiB)`);
  }
  const bindings = JSON.parse(readFileSync(path.join(assetDir, 'rotation-bindings.json'), 'utf8')) as { bindings: { secretArn: string }[] };
  check(bindings.bindings.map((b) => b.secretArn).join() === 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/reporting-DeF456', "the deployment's rotation-bindings.json is beside the handlers");

  const help = run(path.join(app, 'node_modules/.bin/pg-rotator'), ['--help'], { cwd: app });
  check(help.startsWith('Usage: pg-rotator'), 'the installed pg-rotator command runs as built JavaScript (--help)');
  // Any other command loads the rest of the CLI (its chunk): a usage error, found before anything is invoked.
  const refused = spawnSync(path.join(app, 'node_modules/.bin/pg-rotator'), ['--function', 'pg-rotator', 'action', 'no-such-action'], { cwd: app, encoding: 'utf8' });
  check(refused.status === 2 && refused.stderr.includes('INVALID_INPUT'), 'and loads the rest of the CLI for a command (a usage error, exit status 2)');
  console.log(`scratch app: ${seconds(scratchStarted)} (install, typecheck, synth and checks); total ${seconds(started)}`);

  // An application that installs the package for its pool gets neither CDK nor any other peer it did not ask for.
  const application = path.join(work, 'application');
  mkdirSync(application);
  writeFileSync(path.join(application, 'package.json'), `${JSON.stringify({ name: 'scratch-application', private: true, dependencies: { 'pg-rotator': `file:${tarball}`, pg: lockedVersion('pg') } }, null, 2)}\n`);
  // A dry run prints what it would add, a line `add <name> <version>` each.
  const planned = run('npm', ['install', '--dry-run', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: application });
  const added = [...planned.matchAll(/^add (\S+) /gm)].map((match) => match[1] as string);
  check(added.includes('pg-rotator') && added.includes('pg'), `npm plans the application's install (${added.length} packages)`);
  const unasked = added.filter((name) => ['aws-cdk-lib', 'constructs', '@aws-sdk/client-secrets-manager', 'esbuild'].includes(name));
  check(unasked.length === 0, `an application installing pg-rotator and pg gets no peer it did not ask for${unasked.length === 0 ? '' : ` (npm would add ${unasked.join(', ')})`}`);
} finally {
  if (values.keep === true) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}


/** Runs scratch-app/connect.ts (compiled by the synth's tsc) against a throwaway server and the local Secrets Manager. */
async function connectLikeAnApplication(app: string): Promise<{ login: string; tls: boolean }> {
  const cluster = await startCluster({ variant: 'tls' });
  const secretsManager = await startLocalSecretsManager({ region: LOCAL_AWS.region });
  try {
    const { server } = cluster;
    const password = `Scratch-${Math.random().toString(36).slice(2)}-App1`;
    const superuser = new pg.Client({ host: server.host, port: server.port, user: server.superuser.username, password: server.superuser.password, database: 'postgres', ssl: { ca: server.caPem } });
    await superuser.connect();
    try {
      await superuser.query(`CREATE ROLE scratch_app LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
    } finally {
      await superuser.end();
    }
    const client = new SecretsManagerClient({ ...LOCAL_AWS, endpoint: secretsManager.endpoint });
    const secret = { engine: 'postgres', host: server.host, port: server.port, dbname: 'postgres', username: 'scratch_app', password, sslrootcertPem: server.caPem };
    await client.send(new CreateSecretCommand({ Name: 'scratch/app', SecretString: JSON.stringify(secret) }));
    client.destroy();
    const env = {
      ...process.env,
      SECRET_ID: 'scratch/app',
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    };
    const output = await new Promise<string>((resolve, reject) => {
      execFile('node', ['out/connect.js'], { cwd: app, env, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });
    return JSON.parse(output) as { login: string; tls: boolean };
  } finally {
    await secretsManager.close();
    await cluster.stop();
  }
}
