import { escapeIdentifier, escapeLiteral } from 'pg';
import type { ActionResponse, Response, TestResponse } from '../lambda/requests/envelope';
import type { CliRun } from './cli-process';
import { runCli } from './cli-process';
import type { DemoContext } from './context';
import { asResponse, checklistFixes, checklistScore, describeAction, describeTest, headline } from './digest';
import type { LoginOutcome } from './login';
import { openSession, tryLogin } from './login';
import { DEMO_POLICY } from './policy';
import { mark } from './rotations';
import { bold, dim, red } from './terminal';

/** One line of the orchestrator summary. */
export interface CliRow {
  readonly request: string;
  readonly exit: string;
  readonly ms: string;
  readonly proof: string;
  readonly ok: boolean;
}

/** The application user the actions work on: a rotated one, logging in with its secret's AWSCURRENT. */
export interface AppUser {
  readonly role: string;
  readonly secretArn: string;
}

/**
 * An application user the policy covers (`demo_app_*`) that no secret of the deployment rotates, with its credentials
 * in a secret of its own: what an on-call engineer's tooling would lock. A rotated login is protected from actions
 * (protected.rotated-login): locking it would break its rotation.
 */
export async function createOnCallUser(ctx: DemoContext): Promise<AppUser> {
  const role = `demo_app_oncall_${Math.random().toString(36).slice(2, 6)}`;
  const password = 'Demo-OnCall-Passw0rd';
  await ctx.createManagedLogin(role, password);
  ctx.created(role);
  const { target } = ctx;
  // No strategy and no admin: the deployment binds nothing for it.
  const secretArn = await ctx.createSecret(`demo/oncall-${role}`, { engine: 'postgres', host: target.host, port: target.port, username: role, password, dbname: target.database });
  return { role, secretArn };
}

/**
 * The orchestrator API as an operator would drive it, through the `pg-rotator` CLI in a child process against the
 * local Lambda endpoint: a test request with the admin checklist (and its fixes applied), then lock-user on `app` as a
 * dry run, for real, and undone by sending back the rollback the response carried, and last two lock-users the
 * function refuses whatever the policy says: a DBA's login, and `rotated`, a login whose secret the deployment
 * rotates. Each step is proved by logging in as the user.
 */
export async function demonstrateCli(ctx: DemoContext, app: AppUser, rotated: AppUser): Promise<CliRow[]> {
  const global = ['--function', ctx.stack.orchestratorArn, '--endpoint-url', ctx.stack.lambda.endpoint, '--region', 'us-east-1', '--caller', 'npm run demo'];
  console.log(`\n${bold('Orchestrator API through the CLI')}`);
  console.log(dim(`pg-rotator = node client/bin/pg-rotator.mjs ${global.map(shellWord).join(' ')}`));
  console.log(dim(`the function's permission policy (PERMISSION_POLICY): ${JSON.stringify(DEMO_POLICY)}`));
  const rows: CliRow[] = [];
  const credentials = await ctx.secretValue(app.secretArn, 'AWSCURRENT');
  const login = () => tryLogin(ctx.target.admin, credentials.username, credentials.password);

  // 1. Is the admin ready? The checklist names each gap with the SQL that closes it.
  const testArgs = ['test', '--secret', ctx.admin.secretName, '--admin', '--managed-role', app.role];
  const test = await step(global, testArgs);
  const tested = asTest(test.response);
  if (tested) for (const line of describeTest(tested)) console.log(`    ${line}`);
  const fixes = tested ? checklistFixes(tested) : [];
  rows.push(row('test --admin', test, tested?.ok === true, `${mark(tested?.ok === true)} checklist ${tested ? checklistScore(tested) : '?'}, a fix for each gap`));
  if (fixes.length > 0) {
    console.log(dim(`    applying the ${fixes.length} fix(es) as the server's admin, then testing again`));
    for (const fix of fixes) {
      await ctx.asServerAdmin((client) => client.query(fix)).catch((error: unknown) => {
        console.log(red(`    could not apply "${fix}": ${error instanceof Error ? error.message : String(error)}`));
      });
    }
    const again = await step(global, testArgs);
    const retested = asTest(again.response);
    if (retested) for (const line of describeTest(retested).slice(1)) console.log(`    ${line}`);
    rows.push(row('test --admin (fixed)', again, retested?.ok === true, `${mark(retested?.ok === true)} checklist ${retested ? checklistScore(retested) : '?'}`));
  }

  // 2. The dry run: the SQL and the rollback, and nothing changed.
  const lock = ['action', 'lock-user', '--admin-secret', ctx.admin.secretName, '--role', app.role, '--terminate-sessions'];
  const dry = await step(global, ['--dry-run', ...lock]);
  const dryAction = asAction(dry.response);
  const stillLogsIn = (await login()).ok;
  console.log(`    proof: "${app.role}" still logs in ${mark(stillLogsIn)}`);
  const dryOk = dryAction?.ok === true && dryAction.result?.dryRun === true && stillLogsIn;
  rows.push(row('--dry-run action lock-user', dry, dryOk, `${mark(dryOk)} SQL and rollback shown; still logs in`));

  // 3. The action, with a session open to show that it ends sessions, not only new logins.
  const session = await openSession(ctx.target.admin, credentials.username, credentials.password);
  let real: CliRun;
  let refused: LoginOutcome;
  let sessionEnded: boolean;
  try {
    real = await step(global, lock);
    refused = await login();
    sessionEnded = !(await session.alive());
  } finally {
    await session.close();
  }
  const locked = asAction(real.response);
  console.log(`    proof: login refused ${mark(!refused.ok)} ${dim(sqlStateOf(refused))}   open session ended ${mark(sessionEnded)}`);
  const lockOk = locked?.ok === true && locked.result?.changed === true && !refused.ok && sessionEnded;
  rows.push(row('action lock-user', real, lockOk, `${mark(lockOk)} login refused ${sqlStateOf(refused)}, session ended`));

  // 4. The rollback, sent back exactly as the response carried it.
  const rollback = locked?.rollback;
  if (!rollback) {
    rows.push({ request: 'request (rollback)', exit: '-', ms: '-', proof: red('✗ the response carried no rollback'), ok: false });
    return rows;
  }
  const back = await step(global, ['request', '--file', '-'], JSON.stringify(rollback));
  const undone = asAction(back.response);
  const logsInAgain = (await login()).ok;
  console.log(`    proof: "${app.role}" logs in again ${mark(logsInAgain)}`);
  const backOk = undone?.ok === true && undone.result?.action === 'unlock-user' && undone.result.changed && logsInAgain;
  rows.push(row(`request < rollback (${rollback.action})`, back, backOk, `${mark(backOk)} logs in again`));

  // 5. What no policy reaches: a DBA's login (CREATEROLE), which the admin could lock in PostgreSQL itself.
  const dba = `demo_app_dba_${Math.random().toString(36).slice(2, 6)}`;
  const dbaPassword = 'Demo-Dba-Passw0rd';
  await ctx.asServerAdmin((client) => client.query(`CREATE ROLE ${escapeIdentifier(dba)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(dbaPassword)}`));
  ctx.created(dba);
  console.log(dim(`    "${dba}" is named like the application users the policy covers, but has CREATEROLE`));
  rows.push(await demonstrateRefusal(ctx, global, { label: 'a DBA', role: dba, password: dbaPassword, rule: 'protected.createrole' }));
  // 6. And a login whose secret the deployment rotates: locking it would break its rotation.
  const rotatedCredentials = await ctx.secretValue(rotated.secretArn, 'AWSCURRENT');
  console.log(dim(`    "${rotated.role}" is covered by the policy too, but the deployment rotates its secret (its binding names it)`));
  rows.push(await demonstrateRefusal(ctx, global, { label: 'a rotated login', role: rotated.role, password: rotatedCredentials.password, rule: 'protected.rotated-login' }));
  return rows;
}

/**
 * A lock-user the function refuses whatever the policy says: it names the rule, and the role still logs in.
 */
async function demonstrateRefusal(
  ctx: DemoContext,
  global: readonly string[],
  target: { readonly label: string; readonly role: string; readonly password: string; readonly rule: string },
): Promise<CliRow> {
  const attempt = await step(global, ['action', 'lock-user', '--admin-secret', ctx.admin.secretName, '--role', target.role]);
  const refused = asAction(attempt.response);
  const stillLogsIn = (await tryLogin(ctx.target.admin, target.role, target.password)).ok;
  console.log(`    proof: "${target.role}" still logs in ${mark(stillLogsIn)}`);
  const ok = attempt.status === 1 && refused?.error?.code === 'ACTION_REFUSED' && refused.error.rule === target.rule && stillLogsIn;
  return { request: `action lock-user (${target.label})`, exit: String(attempt.status), ms: attempt.ms.toFixed(0), proof: `${mark(ok)} refused (${refused?.error?.rule ?? '?'}); still logs in`, ok };
}

/** Prints the command, runs it, prints the headline and, for actions, the digest. */
async function step(global: readonly string[], args: readonly string[], stdin?: string): Promise<CliRun> {
  const shown = stdin === undefined ? '' : dim(`  < ${stdin.length > 160 ? `${stdin.slice(0, 159)}…` : stdin}`);
  console.log(`  $ pg-rotator ${args.map(shellWord).join(' ')}${shown}`);
  const run = await runCli([...global, ...args], stdin);
  const response = asResponse(run.response);
  if (response === null) {
    console.log(red(`    exit ${run.status}: no response envelope. ${run.stderr.trim().slice(0, 300)}`));
    return run;
  }
  console.log(`    exit ${run.status}, ${headline(response)} ${dim(`${run.ms.toFixed(0)} ms with the CLI's start-up`)}`);
  if (response.kind === 'action') for (const line of describeAction(response)) console.log(`    ${line}`);
  return run;
}

function row(request: string, run: CliRun, ok: boolean, proof: string): CliRow {
  return { request, exit: String(run.status), ms: run.ms.toFixed(0), proof, ok: ok && run.status === 0 };
}

function asTest(stdout: unknown): TestResponse | null {
  const response: Response | null = asResponse(stdout);
  return response?.kind === 'test' ? response : null;
}

function asAction(stdout: unknown): ActionResponse | null {
  const response: Response | null = asResponse(stdout);
  return response?.kind === 'action' ? response : null;
}

function sqlStateOf(outcome: LoginOutcome): string {
  return outcome.ok ? '' : `(SQLSTATE ${outcome.sqlState ?? '?'})`;
}

/** A word as a POSIX shell would need it, for showing commands that can be pasted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
