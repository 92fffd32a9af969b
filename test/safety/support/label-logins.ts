/**
 * What a client of the secret experiences at one moment: for each staging label it could hold (AWSCURRENT, the
 * label every client reads; AWSPREVIOUS, what a client cached before the last rotation; AWSPENDING, the value in
 * flight), whether its credentials log in to the real server right now. And the verdict on that moment.
 */
import { createHash } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type pg from 'pg';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Strategy } from '../../../lambda/config/environment';
import { canLogIn } from '../../support/postgres';
import { isAlternating } from './strategy-secrets';

export const STAGES = ['AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING'] as const;
export type Stage = (typeof STAGES)[number];

export interface LabelLogin {
  readonly stage: Stage;
  readonly versionId: string;
  readonly username: string;
  readonly logsIn: boolean;
}

/** One observed moment: where it was taken, and each label that holds a value. */
export interface Moment {
  readonly at: string;
  readonly labels: Readonly<Partial<Record<Stage, LabelLogin>>>;
}

/**
 * - `usable`: AWSCURRENT logs in, and for alternating users AWSPREVIOUS too (when there is one);
 * - `current-stale`: single login (single-user, admin) between setSecret and finishSecret: the database already
 *   holds AWSPENDING's password, AWSCURRENT's is refused. Inherent to one login; AWS documents it.
 * - `previous-stale`: alternating users between setSecret and finishSecret: the login in AWSPREVIOUS is the one
 *   receiving AWSPENDING's password, so AWSPREVIOUS's old password is refused while AWSCURRENT logs in. Inherent to
 *   two logins taking turns (AWS's multi-user rotation has the same window).
 * - `lockout`: anything else: no label a client could hold logs in, or a label the strategy promises is refused.
 */
export type Verdict = 'usable' | 'current-stale' | 'previous-stale' | 'lockout';

/** Real logins made by observations, and answers reused because nothing the login depends on had changed. */
export const loginProbes = { real: 0, reused: 0 };

const decided = new Map<string, boolean>();
/** A version's value never changes once written (PutSecretValue with its token again must carry the same value). */
const values = new Map<string, string>();

/** The passwords of every version observed so far, for leak searches. */
export function observedPasswords(): string[] {
  return [...values.values()].map((value) => (JSON.parse(value) as { password?: unknown }).password).filter((p): p is string => typeof p === 'string');
}

async function versionValue(client: SecretsManagerClient, arn: string, versionId: string): Promise<string | undefined> {
  const key = `${arn} ${versionId}`;
  const known = values.get(key);
  if (known !== undefined) return known;
  const value = await client
    .send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }))
    .then((out) => out.SecretString)
    .catch((error: unknown) => {
      // The pending version RotateSecret created holds no value until createSecret writes one.
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    });
  if (value !== undefined) values.set(key, value);
  return value;
}

/**
 * Reads every label's value through the local Secrets Manager and tries each login on the real server. The
 * question is whether the password is accepted, so the probes skip TLS (the test server accepts both; the
 * function's own sessions verify TLS as deployed, and the TLS table tests the sslmodes).
 *
 * Whether a SCRAM login succeeds depends on pg_hba.conf (fixed for the run) and on the role's pg_authid row: its
 * verifier, LOGIN, VALID UNTIL and connection limit. That row is read at every moment; when it is exactly what it
 * was at an earlier real login with the same password, the earlier answer is the answer, and the login is not
 * repeated. Any change to the role (a new verifier has a new salt) forces a real login.
 */
export async function observeLabels(client: SecretsManagerClient, superuser: Pick<pg.Client, 'query'>, arn: string, at: string): Promise<Moment> {
  const { VersionIdsToStages: stages = {} } = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  const labels: Partial<Record<Stage, LabelLogin>> = {};
  const versions = new Map<string, Promise<{ username: string; logsIn: boolean } | undefined>>();
  const catalog = oneQueryAtATime(superuser);
  await Promise.all(
    STAGES.map(async (stage) => {
      const versionId = Object.entries(stages).find(([, s]) => s.includes(stage))?.[0];
      if (versionId === undefined) return;
      // AWSPENDING stays on the new AWSCURRENT after finishSecret: one version, one login.
      if (!versions.has(versionId)) versions.set(versionId, tryVersion(client, catalog, arn, versionId));
      const login = await versions.get(versionId);
      if (login) labels[stage] = { stage, versionId, ...login };
    }),
  );
  return { at, labels };
}

/** The labels are tried at once, but one pg client runs one query at a time: later ones wait their turn. */
function oneQueryAtATime(client: Pick<pg.Client, 'query'>): Pick<pg.Client, 'query'> {
  let turn: Promise<unknown> = Promise.resolve();
  const query = (...args: unknown[]) => {
    const result = turn.then(() => (client.query as (...a: unknown[]) => Promise<unknown>)(...args));
    turn = result.catch(() => undefined);
    return result;
  };
  return { query } as Pick<pg.Client, 'query'>;
}

async function tryVersion(
  client: SecretsManagerClient,
  superuser: Pick<pg.Client, 'query'>,
  arn: string,
  versionId: string,
): Promise<{ username: string; logsIn: boolean } | undefined> {
  const value = await versionValue(client, arn, versionId);
  if (value === undefined) return undefined;
  const secret = JSON.parse(value) as { username: string; password: string; dbname: string };
  return { username: secret.username, logsIn: await logsInNow(superuser, secret, `version ${versionId} of ${arn}`) };
}

/**
 * Whether a login's password is accepted by the server right now, asked for real only when the role's pg_authid row
 * changed since the last time these credentials were tried (see {@link observeLabels}). `what` names the credentials
 * in an error, never their password.
 */
export async function logsInNow(
  superuser: Pick<pg.Client, 'query'>,
  secret: { readonly username: string; readonly password: string; readonly dbname: string },
  what: string,
): Promise<boolean> {
  const { rows } = await superuser.query<{ auth: string }>(
    "SELECT concat_ws('|', rolpassword, rolcanlogin, rolvaliduntil, rolconnlimit) AS auth FROM pg_catalog.pg_authid WHERE rolname = $1",
    [secret.username],
  );
  const key = createHash('sha256').update(JSON.stringify([secret.username, secret.password, secret.dbname, rows[0]?.auth ?? 'no such role'])).digest('hex');
  const known = decided.get(key);
  if (known !== undefined) {
    loginProbes.reused += 1;
    return known;
  }
  const login = await canLogIn({ user: secret.username, password: secret.password, database: secret.dbname, ssl: 'disable' });
  if (!login.ok && login.sqlState !== '28P01') {
    throw new Error(`observing ${what}: the login failed for another reason than a wrong password: ${login.sqlState ?? login.errorCode}`);
  }
  loginProbes.real += 1;
  decided.set(key, login.ok);
  return login.ok;
}

export function verdict(strategy: Strategy, moment: Moment): Verdict {
  const { AWSCURRENT: current, AWSPREVIOUS: previous, AWSPENDING: pending } = moment.labels;
  if (current === undefined) return 'lockout';
  const pendingInFlight = pending !== undefined && pending.versionId !== current.versionId && pending.logsIn;
  if (!isAlternating(strategy)) {
    if (current.logsIn) return 'usable';
    return pendingInFlight && pending?.username === current.username ? 'current-stale' : 'lockout';
  }
  if (!current.logsIn) return 'lockout';
  if (previous === undefined || previous.logsIn) return 'usable';
  return pendingInFlight && pending?.username === previous.username ? 'previous-stale' : 'lockout';
}

/** A moment in words, for a failing assertion: labels, logins and versions, never a password. */
export function describeMoment(moment: Moment): string {
  const parts = STAGES.map((stage) => {
    const label = moment.labels[stage];
    return label ? `${stage}=${label.username}@${label.versionId.slice(0, 8)}:${label.logsIn ? 'logs in' : 'refused'}` : `${stage}=none`;
  });
  return `${moment.at}: ${parts.join(', ')}`;
}
