import { randomInt } from 'node:crypto';

/**
 * Secret ARNs: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random alphanumerics>`, and the three ways
 * a SecretId may name a secret (full ARN, name, or partial ARN = the ARN without the random suffix; see "Finding a
 * secret from a partial ARN" in the Secrets Manager user guide).
 */

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Where secrets of this endpoint live. */
export interface SecretLocation {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * A fresh ARN for `name`.
 *
 * @example
 * secretArn({ partition: 'aws', region: 'eu-west-1', accountId: '123456789012' }, 'db/app');
 * // 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/app-Ab3xYz'
 */
export function secretArn(location: SecretLocation, name: string, random: (max: number) => number = randomInt): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ALPHANUMERIC[random(ALPHANUMERIC.length)];
  return `${secretArnPrefix(location)}${name}-${suffix}`;
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:` */
export function secretArnPrefix(location: SecretLocation): string {
  return `arn:${location.partition}:secretsmanager:${location.region}:${location.accountId}:secret:`;
}

/** What a SecretId can be matched against. */
export interface SecretIdentity {
  readonly arn: string;
  readonly name: string;
}

/**
 * True when `secretId` names this secret: the full ARN, the name, or the partial ARN (prefix plus name, no suffix).
 */
export function secretIdMatches(secretId: string, secret: SecretIdentity, location: SecretLocation): boolean {
  if (secretId === secret.arn || secretId === secret.name) return true;
  return secretId.startsWith('arn:') && secretId === `${secretArnPrefix(location)}${secret.name}`;
}

/** AWS's rule for names: 1-512 characters among ASCII letters, digits and `/_+=.@-`. */
export function isValidSecretName(name: string): boolean {
  return /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name);
}
