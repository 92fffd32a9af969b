import type { Strategy } from '../../config/environment';
import { ENV } from '../../config/environment';
import { DatabaseError, InvalidInputError, PgRotatorError, RotationStateError } from '../../errors';
import type { ConnectionTarget, Session } from '../../postgres/connect';
import { closeInBackground, logsIn, openSession, withSession } from '../../postgres/connect';
import { toDatabaseError } from '../../postgres/errors';
import { scramSha256VerifierInBackground } from '../../postgres/password-verifier';
import type { ServerFacts } from '../../postgres/role-changes';
import { adminChangeError, inTransaction, isMember, roleExists, serverFacts, setPassword, systemIdentifier, run } from '../../postgres/role-changes';
import { roleSql } from '../../postgres/role-sql';
import type { DatabaseSecret } from '../../secrets/secret-format';
import { databasePort } from '../../secrets/secret-format';
import type { RotationContext, StepOutcome } from '../rotation-context';
import { bound, loadPrevious, requirePending } from '../rotation-context';
import { protectionIn, ROTATION_PROTECTION } from '../../catalog/protected-roles';
import { readLineages } from '../../catalog/protection-facts';
import { awaitedLater } from '../awaited-later';
import { pendingLogin, resolveStrategy } from '../strategy';
import { adminTarget, connectionTarget, credentialsOf } from '../targets';

/**
 * setSecret: make the database accept the pending password. First refuse to touch any role but the one this secret
 * rotates, then change it with the strategy's login: one ALTER ROLE, or one transaction where the change takes
 * several statements. The login is opened, and the server read, while the gate answers; nothing is changed until
 * the gate has let the step run.
 *
 * A retry after a crash past the change must converge, and does without asking first whether the pending password
 * already logs in, as AWS's functions do: that login fails on every rotation but a retry, and each failure is a
 * `password authentication failed` line in the server's log, which login monitoring (GuardDuty's RDS protection,
 * pgaudit alerts) counts. An admin sets the same password again, which changes nothing anyone can log in with. A
 * single user logs in with AWSCURRENT, and only when that is refused asks whether the pending password is already
 * the role's (openOwnSession).
 */
export async function setSecret(ctx: RotationContext): Promise<StepOutcome> {
  const [currentRead, pendingRead] = await Promise.all([ctx.reads.current(), requirePending(ctx)]);
  const current = await bound(ctx, currentRead.fields);
  const pending = await bound(ctx, pendingRead.fields, 'pendingSecret');
  const strategy = resolveStrategy(current, ctx.deps.settings.env[ENV.defaultStrategy]);
  assertSameTarget(current, pending, pendingLogin(strategy, current).username);

  const verifier = awaitedLater(scramSha256VerifierInBackground(pending.password));
  const changer = await openChanger(ctx, strategy, current, pending, verifier);
  if (changer === ALREADY_SET) return { strategy, changed: false, detail: `pending password of role "${pending.username}" already logs in` };
  const { session, login, change } = changer;
  try {
    await ctx.admitted();
    await change().catch((error: unknown) => {
      if (error instanceof PgRotatorError) throw error;
      throw toDatabaseError(error, { doing: `setting the password of role "${pending.username}"`, role: login, host: pending.host });
    });
  } finally {
    closeInBackground(session);
  }
  return { strategy, changed: true, detail: `password of role "${pending.username}" set` };
}

/** A single user's AWSCURRENT was refused because an earlier run of this step already set the pending password. */
const ALREADY_SET = Symbol('already set');

/** An open session, the role it is logged in as, and the change it will make. */
interface Changer {
  readonly session: Session & { end(): Promise<void> };
  readonly login: string;
  change(): Promise<void>;
}

/**
 * Opens the session that will make the change and reads the server's facts on it. `verifier` is the pending
 * password's SCRAM verifier, being computed meanwhile.
 */
function openChanger(
  ctx: RotationContext,
  strategy: Strategy,
  current: DatabaseSecret,
  pending: DatabaseSecret,
  verifier: Promise<string>,
): Promise<Changer | typeof ALREADY_SET> {
  const setPendingPassword = async (session: Session) => setPassword(session, pending.username, { verifier: await verifier });
  switch (strategy) {
    case 'single-user':
      return openOwnSession(ctx, current, pending).then(async (session) => {
        if (session === ALREADY_SET) return ALREADY_SET;
        await readFacts(session, ctx, { role: pending.username, host: current.host });
        return { session, login: pending.username, change: () => setPendingPassword(session) };
      });
    case 'admin':
      // One statement: atomic on its own.
      return openAdminChanger(ctx, current, pending, setPendingPassword);
    case 'alternating':
    case 'alternating-owner': {
      const changer = awaitedLater(
        openAdminChanger(ctx, current, pending, async (session) => prepareAlternateLogin(session, strategy, current, pending, await verifier)),
      );
      return requireCurrentLogsIn(ctx, current).then(
        () => changer,
        async (error: unknown) => {
          await discard(changer);
          throw error;
        },
      );
    }
  }
}

/** Reads the server's facts on a session still being handed out: if that fails, nobody else will close it. */
async function readFacts(session: Session & { end(): Promise<void> }, ctx: RotationContext, at: { role: string; host: string }): Promise<ServerFacts> {
  try {
    return await serverFacts(session, ctx.deps.log);
  } catch (error) {
    await session.end().catch(() => undefined);
    throw toDatabaseError(error, { doing: 'reading the server version', ...at });
  }
}

/** Closes a session opened for a change that will not be made; its failure no longer matters. */
async function discard(changer: Promise<Changer>): Promise<void> {
  await changer.then(({ session }) => session.end()).catch(() => undefined);
}

/**
 * The confused-deputy check of AWS's functions: the pending version may only name the role this rotation owns
 * (the same one, or its alternate) on the same server. Made before any login with either version.
 */
function assertSameTarget(current: DatabaseSecret, pending: DatabaseSecret, expectedUsername: string): void {
  if (pending.username !== expectedUsername) {
    throw new RotationStateError(`pending version names role "${pending.username}", but this rotation may only change "${expectedUsername}"`);
  }
  if (pending.host !== current.host || databasePort(pending) !== databasePort(current)) {
    throw new RotationStateError('pending version names a different host or port than the current version');
  }
}

/**
 * Single user: the role changes its own password, logged in with AWSCURRENT. When the server refuses AWSCURRENT's
 * password, either an earlier run of this step already set the pending one (the retry after a crash past the
 * change: nothing left to do), or AWSCURRENT holds a password the database never received, and AWSPREVIOUS logs in
 * instead (AWS's recovery path).
 */
async function openOwnSession(ctx: RotationContext, current: DatabaseSecret, pending: DatabaseSecret): Promise<(Session & { end(): Promise<void> }) | typeof ALREADY_SET> {
  const settings = ctx.deps.settings;
  try {
    return await openSession(connectionTarget(current, settings), credentialsOf(current), 'logging in with AWSCURRENT');
  } catch (error) {
    if (!(error instanceof DatabaseError && error.sqlState === '28P01')) throw error;
    if (await logsIn(connectionTarget(pending, settings, 'pendingSecret'), credentialsOf(pending))) return ALREADY_SET;
    const previous = await loadPrevious(ctx);
    if (previous?.username !== pending.username || previous.host !== pending.host) throw error;
    const target = connectionTarget({ ...previous, sslmode: current.sslmode, ssl: current.ssl }, settings, 'previousSecret');
    return openSession(target, credentialsOf(previous), 'logging in with AWSPREVIOUS');
  }
}

async function requireCurrentLogsIn(ctx: RotationContext, current: DatabaseSecret): Promise<void> {
  // AWS's multi-user function refuses to act for a secret whose own credentials do not work.
  if (!(await logsIn(connectionTarget(current, ctx.deps.settings), credentialsOf(current)))) {
    throw new RotationStateError(`AWSCURRENT of secret ${ctx.secretArn} (role "${current.username}") does not log in; refusing to change its alternate`);
  }
}

/**
 * The admin's session, and its change with PostgreSQL 16's ADMIN OPTION rule explained. The admin acts only on roles
 * that are not its own login and not protected (a superuser, CREATEROLE, BYPASSRLS, REPLICATION, a predefined or
 * managed-service admin role, or a member of one): checked before its login, by name, and on the catalog before the
 * change, so a binding that names such a role (a deployment's mistake, or tags set by someone who should not) changes
 * nothing.
 */
async function openAdminChanger(
  ctx: RotationContext,
  current: DatabaseSecret,
  pending: DatabaseSecret,
  change: (session: Session) => Promise<void>,
): Promise<Changer> {
  const changedRole = pending.username;
  const masterArn = current.masterarn as string; // resolveStrategy guarantees it for every admin strategy
  const admin = await ctx.reads.admin(masterArn);
  for (const [field, role] of [['secret.username', current.username], ['pendingSecret.username', pending.username]] as const) {
    if (role === admin.username) {
      throw new InvalidInputError(field, `is the login of this secret's own admin secret (role "${role}"); an admin rotates its own password as single-user, with its own secret`);
    }
  }
  const target = adminTarget(admin, current, ctx.deps.settings);
  const session = await openSession(target, credentialsOf(admin), 'logging in as the admin');
  const facts = await readFacts(session, ctx, { role: admin.username, host: target.host });
  try {
    await requireSameServer(ctx, session, target, current);
    await refuseProtected(session, facts.versionNum, current, pending);
  } catch (error) {
    closeInBackground(session);
    if (error instanceof PgRotatorError) throw error;
    throw toDatabaseError(error, { doing: 'reading which server this is and which roles are protected', role: admin.username, host: target.host });
  }
  return {
    session,
    login: admin.username,
    change: async () => {
      try {
        await change(session);
      } catch (error) {
        throw adminChangeError(error, facts, { doing: `changing role "${changedRole}" as the admin`, admin: admin.username, host: target.host });
      }
    },
  };
}

/**
 * AWS's multi-user function refuses an admin secret whose host is not the rotated secret's (unless the RDS API calls
 * it a replica): the admin would change the role of that name on another server, locking out whoever logs in as it
 * there. A host spelled otherwise may still reach the same server, or a physical replica of it, so where the addresses
 * differ the servers' system identifiers decide (a replica shares its primary's), read on the admin's session and on a
 * login with AWSCURRENT.
 */
async function requireSameServer(ctx: RotationContext, adminSession: Session, admin: ConnectionTarget, current: DatabaseSecret): Promise<void> {
  const own = connectionTarget(current, ctx.deps.settings);
  if (admin.host.toLowerCase() === own.host.toLowerCase() && admin.port === own.port) return;
  const refusal = (why: string) =>
    new InvalidInputError(
      'adminSecret.host',
      `names ${admin.host}:${admin.port}, not the secret's ${own.host}:${own.port}, and ${why}: the admin would change role "${current.username}" on another server. Bind the admin secret of the secret's own server, or leave out its host so that it connects to the secret's`,
    );
  const adminServer = await systemIdentifier(adminSession);
  const ownServer = await withSession(own, credentialsOf(current), 'logging in with AWSCURRENT to compare servers', systemIdentifier).then(
    (id) => ({ id }),
    () => undefined,
  );
  if (ownServer === undefined) throw refusal('AWSCURRENT does not log in there to show that they are one server');
  if (adminServer === undefined || ownServer.id === undefined) throw refusal('pg_control_system() is not available to show that they are one server');
  if (adminServer !== ownServer.id) throw refusal('they are different servers (their system identifiers differ)');
}

/**
 * Refuses a rotation whose logins or owner role are, or reach, a protected role: the one definition the orchestrator's
 * actions use too (catalog/protected-roles.ts), read on the admin's session before the change, with the rules that
 * apply to rotation (ROTATION_PROTECTION).
 */
async function refuseProtected(session: Session, versionNum: number, current: DatabaseSecret, pending: DatabaseSecret): Promise<void> {
  // Later entries do not replace earlier ones: the same login in both versions is named as the current one's.
  const fields = new Map<string, string>();
  for (const [role, field] of [
    [current.username, 'secret.username'],
    [pending.username, 'pendingSecret.username'],
    [current.ownerRole, 'secret.ownerRole'],
  ] as const) {
    if (role !== undefined && !fields.has(role)) fields.set(role, field);
  }
  const lineages = await readLineages(session, [...fields.keys()], versionNum);
  for (const [role, field] of fields) {
    const found = protectionIn(lineages, role, ROTATION_PROTECTION);
    if (found === undefined) continue;
    throw new InvalidInputError(
      field,
      `names role "${role}", which is protected: it ${found.message} (${found.rule}); the admin changes no protected role; rotate it as single-user with its own secret`,
    );
  }
}

/**
 * Alternating users. AWS's way creates `<user>_clone` on first use as a member of the original role; two named
 * logins must both exist already. alternating-owner makes both logins members of the owner role and default to
 * it, so whatever either creates is owned by the owner and usable by both. Where that takes more than one
 * statement, they run in one transaction: all of it lands, or none.
 */
async function prepareAlternateLogin(
  session: Session,
  strategy: Strategy,
  current: DatabaseSecret,
  pending: DatabaseSecret,
  verifier: string,
): Promise<void> {
  const exists = await roleExists(session, pending.username);
  // Every rotation but the first: one statement, atomic on its own.
  if (exists && strategy === 'alternating') return setPassword(session, pending.username, { verifier });
  await inTransaction(session, () => changeAlternateLogin(session, strategy, current, pending, verifier, exists));
}

async function changeAlternateLogin(
  session: Session,
  strategy: Strategy,
  current: DatabaseSecret,
  pending: DatabaseSecret,
  verifier: string,
  exists: boolean,
): Promise<void> {
  if (exists) {
    await setPassword(session, pending.username, { verifier });
  } else if (strategy === 'alternating' && current.alternateUsername !== undefined) {
    throw new DatabaseError('missing-role', `role "${pending.username}" (alternateUsername) does not exist; create it, or drop alternateUsername to let pg-rotator create "${current.username}_clone"`);
  } else {
    await run(session, roleSql.createLogin(pending.username, verifier));
  }
  if (strategy === 'alternating') {
    if (!exists) await run(session, roleSql.grantMembership(current.username, pending.username));
    return;
  }
  const owner = current.ownerRole as string; // resolveStrategy guarantees it for alternating-owner
  if (!(await roleExists(session, owner))) await run(session, roleSql.createGroup(owner));
  for (const login of [current.username, pending.username]) {
    if (!(await isMember(session, owner, login))) await run(session, roleSql.grantMembership(owner, login));
    await run(session, roleSql.defaultToRole(login, owner));
  }
}
