import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Strategy } from '../lambda/config/environment';
import type { DemoContext } from './context';
import type { DemoApplication } from './application';
import { startApplication } from './application';
import { tryLogin } from './login';
import { bold, dim, green, red } from './terminal';

/** One line of the rotation summary, plus the application secret it rotated. */
export interface RotationRow {
  readonly strategy: Strategy;
  readonly role: string;
  readonly steps: string;
  readonly ms: string;
  readonly proof: string;
  /** The application's failed queries: through createRotatingPool, and through a pool that read the secret once. */
  readonly application: string;
  readonly ok: boolean;
  readonly secretArn: string;
}

const EXPLAIN: Record<Strategy, string> = {
  'single-user': 'the user changes its own password',
  admin: "the admin secret (masterarn) changes the user's password",
  alternating: "two logins take turns (AWS's <user>_clone); the one not in AWSCURRENT gets the new password",
  'alternating-owner': 'two logins take turns, both acting as one NOLOGIN owner role',
};

/**
 * Creates an application user and its secret in AWS's RDS format, then rotates it through Secrets Manager's
 * RotateSecret (which invokes pg-rotator through the Lambda Invoke API), and proves the outcome after each
 * rotation by logging in: the new password works; single-user and admin refuse the old one; alternating keeps
 * AWSPREVIOUS working. Alternating strategies rotate twice, so both logins of the pair take a turn.
 */
export async function demonstrateRotation(ctx: DemoContext, strategy: Strategy): Promise<RotationRow> {
  const role = `demo_app_${strategy.replace('-', '_')}_${Math.random().toString(36).slice(2, 6)}`;
  const password = 'Demo-Initial-Passw0rd';
  await ctx.createManagedLogin(role, password);
  ctx.created(role);
  ctx.created(`${role}_clone`);
  ctx.created(`${role}_owner`);
  const { target } = ctx;
  const secretArn = await ctx.createSecret(`demo/app-${strategy}`, {
    engine: 'postgres',
    host: target.host,
    port: target.port,
    username: role,
    password,
    dbname: target.database,
    ...(strategy === 'single-user' ? {} : { masterarn: ctx.admin.secretArn, strategy }),
    ...(strategy === 'alternating-owner' ? { ownerRole: `${role}_owner` } : {}),
  });
  console.log(`${bold(strategy)}  role "${role}"  ${dim(EXPLAIN[strategy])}`);
  const app = await startApplication(ctx, secretArn);
  try {
    const row = await rotateAndProve(ctx, strategy, secretArn, role, password, app);
    const counts = await app.stop();
    const application = `${mark(counts.failed === 0)} ${counts.failed}/${counts.queries}  ${dim(`read once: ${counts.naiveFailed}/${counts.naiveQueries}`)}`;
    return { ...row, application, ok: row.ok && counts.failed === 0 };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

async function rotateAndProve(
  ctx: DemoContext,
  strategy: Strategy,
  secretArn: string,
  role: string,
  password: string,
  app: DemoApplication,
): Promise<Omit<RotationRow, 'application'>> {
  const { target } = ctx;
  const alternating = strategy.startsWith('alternating');
  const rotations = alternating ? 2 : 1;
  let ms = 0;
  let steps = '';
  let previous = { username: role, password };
  let proved = true;
  for (let i = 1; i <= rotations; i++) {
    const started = performance.now();
    await ctx.stack.secretsClient().send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: ctx.stack.rotatorArn }));
    const outcome = await ctx.stack.secretsManager.rotations.latest(secretArn);
    ms = performance.now() - started;
    steps = outcome.succeeded ? green('4/4') : red(`failed at ${outcome.failedStep}: ${outcome.error?.message}`);
    console.log(`  rotation ${i}: ${steps} in ${ms.toFixed(0)} ms    ${dim(await ctx.labels(secretArn))}`);
    await app.settle();
    console.log(`    ${app.line()}`);
    if (!outcome.succeeded) {
      return { strategy, role, steps, ms: ms.toFixed(0), proof: red('✗ rotation failed'), ok: false, secretArn };
    }
    const current = await ctx.secretValue(secretArn, 'AWSCURRENT');
    const currentLogsIn = (await tryLogin(target.admin, current.username, current.password)).ok;
    const proofs = [`AWSCURRENT (${current.username}) logs in ${mark(currentLogsIn)}`];
    let second: boolean;
    if (alternating) {
      const before = await ctx.secretValue(secretArn, 'AWSPREVIOUS');
      second = (await tryLogin(target.admin, before.username, before.password)).ok;
      proofs.push(`AWSPREVIOUS (${before.username}) still logs in ${mark(second)}`);
    } else {
      second = !(await tryLogin(target.admin, previous.username, previous.password)).ok;
      proofs.push(`old password refused ${mark(second)}`);
    }
    console.log(`    ${proofs.join('   ')}`);
    proved &&= currentLogsIn && second;
    previous = current;
  }
  const claim = alternating ? 'current + previous log in' : 'new logs in, old refused';
  return { strategy, role, steps: `${rotations}×${steps}`, ms: ms.toFixed(0), proof: `${mark(proved)} ${claim}`, ok: proved, secretArn };
}

export function mark(ok: boolean): string {
  return ok ? green('✓') : red('✗');
}
