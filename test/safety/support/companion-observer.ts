/**
 * What a reader of a companion secret (RDS Proxy, say) experiences at one moment: for each login's companion, its
 * AWSCURRENT value, and whether that password logs in as that login right now. And the verdict on it.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type pg from 'pg';
import { uniqueName } from '../../support/postgres';
import { logsInNow } from './label-logins';
import type { Lane } from './lanes';
import type { StrategySecret } from './strategy-secrets';

/**
 * - `current`: the companion names its login, and its password logs in;
 * - `window`: its password is refused because the rotation in flight already gave its login AWSPENDING's password
 *   (setSecret ran, finishSecret has not written the companion yet): the same window AWSPREVIOUS has;
 * - `empty`: no value yet, before the secret's first rotation finished (a deployment creates companions empty);
 * - `wrong`: anything else: another login's credentials, or a stale password outside a rotation's window.
 */
export type CompanionVerdict = 'current' | 'window' | 'empty' | 'wrong';

export interface CompanionMoment {
  readonly at: string;
  readonly login: string;
  readonly verdict: CompanionVerdict;
  /** The companion's AWSCURRENT version id, if any. */
  readonly versionId: string | undefined;
}

/** Creates an empty companion secret per login of the pair and declares them in the rotated secret's binding. */
export async function declareCompanions(lane: Lane, secret: StrategySecret): Promise<Map<string, string>> {
  const logins = [secret.original.username, `${secret.original.username}_clone`];
  const companions = new Map<string, string>();
  const fields: Record<string, string> = {};
  for (const [index, login] of logins.entries()) {
    const arn = (await lane.sm.send(new CreateSecretCommand({ Name: uniqueName('companion') }))).ARN as string;
    companions.set(login, arn);
    fields[index === 0 ? 'usernameCompanionSecretArn' : 'alternateUsernameCompanionSecretArn'] = arn;
  }
  const binding = lane.declarations.fileBinding(secret.arn);
  if (binding === undefined) throw new Error(`secret ${secret.arn} has no binding to declare companions in`);
  lane.declarations.bind({ ...binding, ...fields });
  return companions;
}

interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly dbname: string;
}

export async function observeCompanions(
  sm: SecretsManagerClient,
  superuser: Pick<pg.Client, 'query'>,
  secretArn: string,
  companions: ReadonlyMap<string, string>,
  at: string,
): Promise<CompanionMoment[]> {
  const { VersionIdsToStages: stages = {} } = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
  const rotatedOnce = Object.values(stages).some((labels) => labels.includes('AWSPREVIOUS'));
  const pendingId = Object.entries(stages).find(([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'))?.[0];
  const pending = pendingId === undefined ? undefined : await value(sm, secretArn, pendingId);
  const moments: CompanionMoment[] = [];
  for (const [login, arn] of companions) {
    const held = await value(sm, arn);
    let verdict: CompanionVerdict;
    if (held === undefined) verdict = rotatedOnce ? 'wrong' : 'empty';
    else if (held.credentials.username !== login) verdict = 'wrong';
    else if (await logsInNow(superuser, held.credentials, `the companion of ${login}`)) verdict = 'current';
    else if (pending?.credentials.username === login && (await logsInNow(superuser, pending.credentials, `the pending version of ${secretArn}`))) verdict = 'window';
    else verdict = 'wrong';
    moments.push({ at, login, verdict, versionId: held?.versionId });
  }
  return moments;
}

async function value(sm: SecretsManagerClient, arn: string, versionId?: string): Promise<{ versionId: string; credentials: Credentials } | undefined> {
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: arn, ...(versionId === undefined ? {} : { VersionId: versionId }) }));
    return { versionId: out.VersionId as string, credentials: JSON.parse(out.SecretString as string) as Credentials };
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
