import { ENV } from '../../config/environment';
import { MembershipDriftError } from '../../errors';
import type { Session } from '../../postgres/connect';
import { withSession } from '../../postgres/connect';
import { membershipsOf } from '../../postgres/role-changes';
import type { DatabaseSecret } from '../../secrets/secret-format';
import type { RotationContext, StepOutcome } from '../rotation-context';
import { bound, requirePending } from '../rotation-context';
import { cloneUsername, resolveStrategy } from '../strategy';
import { adminTarget, connectionTarget, credentialsOf } from '../targets';

/**
 * testSecret: log in with the pending credentials and run a query. For alternating-owner, also prove the
 * pending login holds exactly the memberships the current one holds, so a client moving to it keeps every
 * privilege.
 *
 * With RotateImmediately=false Secrets Manager runs this step alone, to test the configuration, against a pending
 * version that holds a copy of AWSCURRENT's value: moto's test of that case, run against AWS
 * (tests/test_secretsmanager/test_secretsmanager.py, test_rotate_secret_using_lambda_dont_rotate_immediately), saw
 * GetSecretValue(VersionId=token, VersionStage=AWSPENDING) answer the current SecretString. A pending value that
 * holds the current login's own password is that copy (createSecret always draws a new password, and alternating
 * strategies a new login): we then test the configuration, that the current credentials log in and, where the
 * strategy needs one, the admin's too; logging in with the copy alone would prove only the first. AWSCURRENT is
 * read alongside the pending value; in a warm container it is remembered, so a rotation's testSecret reads nothing
 * more.
 */
export async function testSecret(ctx: RotationContext): Promise<StepOutcome> {
  const settings = ctx.deps.settings;
  const [read, current] = await Promise.all([requirePending(ctx).then((version) => version.fields), ctx.reads.current()]);
  if (isCopyOf(read, current.fields)) return testConfiguration(ctx, await bound(ctx, current.fields));
  const pending = await bound(ctx, read, 'pendingSecret');
  // The pending value is a copy of the current one, so it resolves to the same strategy and names its partner.
  const strategy = resolveStrategy(pending, settings.env[ENV.defaultStrategy]);

  const test = async (session: Session) => {
    await session.query('SELECT 1');
    if (strategy === 'alternating-owner') {
      const partner = pending.alternateUsername ?? cloneUsername(pending.username);
      await assertSameMemberships(session, pending.username, partner);
    }
  };
  await withSession(connectionTarget(pending, settings, 'pendingSecret'), credentialsOf(pending), 'testing AWSPENDING', test, { waitForClose: false });
  // finishSecret in this container may rely on this login instead of making its own.
  ctx.deps.memory.rememberLoggedIn(ctx.secretArn, ctx.token);
  return { strategy, changed: false, detail: `pending role "${pending.username}" logs in` };
}

/** The pending value names the current login with its current password: RotateImmediately=false's copy. */
function isCopyOf(pending: DatabaseSecret, current: DatabaseSecret): boolean {
  return pending.username === current.username && pending.password === current.password;
}

async function testConfiguration(ctx: RotationContext, current: DatabaseSecret): Promise<StepOutcome> {
  const settings = ctx.deps.settings;
  const strategy = resolveStrategy(current, settings.env[ENV.defaultStrategy]);
  await checkLogin(current, connectionTarget(current, settings), 'testing AWSCURRENT');
  if (current.masterarn !== undefined && strategy !== 'single-user') {
    const admin = await ctx.reads.admin(current.masterarn);
    await checkLogin(admin, adminTarget(admin, current, settings), 'testing the admin secret');
  }
  return { strategy, changed: false, detail: 'the pending value is a copy of AWSCURRENT (RotateImmediately=false): the current and admin credentials log in' };
}

async function assertSameMemberships(session: Session, pending: string, current: string): Promise<void> {
  const pendingRoles = await membershipsOf(session, pending);
  const currentRoles = await membershipsOf(session, current);
  const missing = currentRoles.filter((role) => !pendingRoles.includes(role));
  const extra = pendingRoles.filter((role) => !currentRoles.includes(role));
  if (missing.length === 0 && extra.length === 0) return;
  const list = (roles: string[]) => roles.map((role) => `"${role}"`).join(', ');
  throw new MembershipDriftError(
    `role "${pending}" does not hold the same memberships as "${current}"` +
      (missing.length ? `; missing: ${list(missing)}` : '') +
      (extra.length ? `; extra: ${list(extra)}` : '') +
      '. Grant the same roles to both logins (or to the owner role only).',
  );
}

async function checkLogin(secret: Pick<DatabaseSecret, 'username' | 'password'>, target: Parameters<typeof withSession>[0], doing: string): Promise<void> {
  await withSession(target, credentialsOf(secret), doing, (session) => session.query('SELECT 1'));
}
