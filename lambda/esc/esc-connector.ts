import type { Settings } from '../config/settings';
import { InvalidInputError, PgRotatorError } from '../errors';
import type { Logger } from '../log/logger';
import { logsIn, withSession } from '../postgres/connect';
import { adminChangeError, serverFacts, setPassword } from '../postgres/role-changes';
import { connectionTarget } from '../rotation/targets';
import type { EscEvent, EscResponse } from './esc-event';
import { EscEventSchema } from './esc-event';
import { firstIssue } from '../validation';

/**
 * Answers Pulumi ESC's Lambda connector exactly as its own Lambda does ({code, message}; 400 for every
 * failure), so ESC users can point their lambdaArn here. Unlike it we connect with TLS (PGSSLMODE, verify-full
 * by default), send a verifier instead of the password, log in with the new password before answering, and
 * never log a credential.
 */
export async function handleEscEvent(input: Record<string, unknown>, settings: Settings, log: Logger): Promise<EscResponse> {
  const started = performance.now();
  if (input.type !== 'postgres') {
    // String() of an arbitrary JSON object can throw (a "toString" key that is not a function): name its kind instead.
    const named = typeof input.type === 'string' ? input.type.slice(0, 40) : `(${input.type === null ? 'null' : typeof input.type})`;
    return { code: 400, message: `unknown event type ${named}` };
  }
  const parsed = EscEventSchema.safeParse(input);
  if (!parsed.success) {
    const problem = firstIssue(parsed.error, 'event');
    // The connector's own wording for its most common failure, which ESC surfaces to users.
    return { code: 400, message: problem.field.startsWith('event.rotateUser.newPassword') ? 'no password provided' : problem.message };
  }
  const event = parsed.data;
  const username = event.rotateUser.username;
  try {
    await rotate(event, settings, log);
    log.info('esc: password rotated', { role: username, host: event.host, durationMs: Math.round(performance.now() - started) });
    return { code: 200, message: 'ok' };
  } catch (error) {
    const reason = error instanceof PgRotatorError ? error.message : 'unexpected error';
    log.error('esc: rotation failed', { role: username, host: event.host, reason });
    return { code: 400, message: `error rotating user "${username}": ${reason}` };
  }
}

async function rotate(event: EscEvent, settings: Settings, log: Logger): Promise<void> {
  const newPassword = event.rotateUser.newPassword;
  const target = connectionTarget({ host: event.host, port: event.port, dbname: event.database }, settings, 'event');
  const rotated = { username: event.rotateUser.username, password: newPassword };
  // ESC retries a failed rotation with the same new password: if it already works, there is nothing to do.
  if (await logsIn(target, rotated)) return;
  await withSession(target, event.managingUser, 'rotating for Pulumi ESC', async (session) => {
    const facts = await serverFacts(session, log);
    try {
      await setPassword(session, rotated.username, rotated.password);
    } catch (error) {
      throw adminChangeError(error, facts, { doing: `setting the password of role "${rotated.username}"`, admin: event.managingUser.username, host: event.host });
    }
  });
  if (!(await logsIn(target, rotated))) {
    throw new InvalidInputError('rotateUser.newPassword', 'was set but does not log in (check pg_hba.conf and the role\'s LOGIN attribute)');
  }
}
