/**
 * What is valid, written again from the specifications rather than from the zod schemas, so a property test can
 * check that the schemas accept exactly that: AWS's rotation event (printable ASCII fields, rotate-secrets_lambda),
 * AWS's RDS secret JSON plus pg-rotator's documented extensions (README, docs/api.md), and PostgreSQL's limits on
 * names (NAMEDATALEN - 1 = 63 bytes, no NUL).
 */
import { ROTATION_STEPS } from '../../../lambda/rotation/rotation-event';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const has = (record: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(record, key) && record[key] !== undefined;
const printableAscii = (value: unknown, max = 2048) => typeof value === 'string' && value.length >= 1 && value.length <= max && /^[\x20-\x7e]+$/.test(value);
const integerIn = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** A PostgreSQL name as pg-rotator accepts it: not empty, no NUL, at most 63 bytes of UTF-8. */
export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !value.includes('\0') && Buffer.byteLength(value, 'utf8') <= 63;
}

/** Whether the rotation function takes this object as a valid Secrets Manager rotation event. */
export function isValidRotationEvent(event: Record<string, unknown>): boolean {
  return (
    (ROTATION_STEPS as readonly unknown[]).includes(event.Step) &&
    printableAscii(event.SecretId) &&
    printableAscii(event.ClientRequestToken) &&
    (!has(event, 'RotationToken') || printableAscii(event.RotationToken))
  );
}

/** Whether a parsed SecretString is a valid database secret. */
export function isValidSecret(raw: unknown): boolean {
  if (!isObject(raw)) return false;
  const optional = (key: string, valid: (value: unknown) => boolean) => !has(raw, key) || valid(raw[key]);
  const port = (value: unknown) => integerIn(value, 1, 65535) || (typeof value === 'string' && /^\d+$/.test(value) && integerIn(Number(value), 1, 65535));
  return (
    ['postgres', 'aurora-postgresql'].includes(raw.engine as string) &&
    typeof raw.host === 'string' && raw.host.length >= 1 && raw.host.length <= 255 &&
    optional('port', port) &&
    isIdentifier(raw.username) &&
    typeof raw.password === 'string' && raw.password.length > 0 && !raw.password.includes('\0') &&
    optional('dbname', (value) => value === null || isIdentifier(value)) &&
    optional('masterarn', (value) => typeof value === 'string' && value.length > 0) &&
    optional('ssl', (value) => typeof value === 'boolean' || typeof value === 'string') &&
    optional('sslmode', (value) => ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].includes(value as string)) &&
    optional('sslrootcertPem', (value) => typeof value === 'string' && value.includes('-----BEGIN CERTIFICATE-----')) &&
    optional('strategy', (value) => ['single-user', 'admin', 'alternating', 'alternating-owner'].includes(value as string)) &&
    optional('alternateUsername', isIdentifier) &&
    optional('ownerRole', isIdentifier) &&
    optional('connectTimeoutMs', (value) => integerIn(value, 100, 60_000)) &&
    optional('statementTimeoutMs', (value) => integerIn(value, 100, 600_000))
  );
}

/**
 * The credentials an input carries, to look for in everything the function says back: long enough (12+
 * characters, 3+ distinct) that finding one in a message cannot be chance.
 */
/**
 * The other strings of an input (role names, hosts, databases), which the function may rightly say back, and does
 * so in double quotes. A generated password can lie inside one of them as said back (a role name plus a quote,
 * say): see {@link echoes}.
 */
export function identifiersIn(input: unknown, secretKeys: readonly string[] = SECRET_KEYS): string[] {
  const found: string[] = [];
  const walk = (value: unknown, depth: number) => {
    if (depth > 4 || !isObject(value)) return;
    for (const [key, item] of Object.entries(value)) {
      if (!secretKeys.includes(key) && typeof item === 'string' && item.length > 0) found.push(item);
      walk(item, depth + 1);
    }
  };
  walk(input, 0);
  return found.sort((a, b) => b.length - a.length);
}

const SECRET_KEYS = ['password', 'newPassword', 'RotationToken'];

export function secretsIn(input: unknown, keys: readonly string[] = SECRET_KEYS): string[] {
  const found: string[] = [];
  const walk = (value: unknown, depth: number) => {
    if (depth > 4 || !isObject(value)) return;
    for (const [key, item] of Object.entries(value)) {
      if (keys.includes(key) && typeof item === 'string' && item.length >= 12 && new Set(item).size >= 3) found.push(item);
      walk(item, depth + 1);
    }
  };
  walk(input, 0);
  return found;
}

/**
 * Whether `text` says `secret` back. An occurrence lying wholly inside an identifier of the input as said back
 * (bare or in double quotes) is not an echo: the function named the role, and the same characters happen to form
 * the password. Identifiers are short and quoted, so a secret of 12 or more characters is excused only when it
 * really is (part of) one.
 */
export function echoes(text: string, secret: string, identifiers: readonly string[]): boolean {
  const covered = (start: number) =>
    identifiers.some((identifier) =>
      [identifier, `"${identifier}"`].some((form) => {
        for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
          if (at <= start && start + secret.length <= at + form.length) return true;
        }
        return false;
      }),
    );
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    if (!covered(at)) return true;
  }
  return false;
}
