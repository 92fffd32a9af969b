/**
 * fast-check generators of what a hostile or careless caller sends: wrong types, missing and extra fields, huge
 * strings, NUL bytes, identifiers with quotes, semicolons, non-ASCII letters or over 63 bytes, passwords made of
 * every printable character. Every generator mixes well-formed values in, so a good share of inputs pass
 * validation and go on to the code behind it.
 */
import fc from 'fast-check';
import { ROTATION_STEPS } from '../../../lambda/rotation/rotation-event';
import { ACTION_NAMES } from '../../../lambda/actions/action-names';

/** Every printable ASCII character, the alphabet of generated passwords. */
export const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

/** Strings that break naive SQL, shell, JSON or log building, and the edges of PostgreSQL's identifier limit. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\0',
  'a\0b',
  "'",
  '"',
  '""',
  "'; DROP ROLE postgres; --",
  '"; DROP TABLE accounts; --',
  'x" WITH SUPERUSER; --',
  '$$; SELECT 1; $$',
  '\\',
  "\\'; --",
  '%s%n%x',
  '${jndi:ldap://127.0.0.1/a}',
  '\r\n',
  '\u202e',
  '\ud83d\ude00',
  'Ünïcödé role',
  'Ελληνικά',
  '日本語のロール',
  'x'.repeat(63),
  'x'.repeat(64),
  'é'.repeat(31) + 'x',
  'é'.repeat(32),
  PRINTABLE,
  'A'.repeat(70_000),
  'ATTACK'.repeat(200_000),
];

/** A string of any kind: unicode, nasty, huge, printable. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS).chain((a) => fc.constantFrom(...NASTY_STRINGS).map((b) => (a + b).slice(0, 200_000))) },
);

/** A role-like name: mostly legal (quoted identifiers may hold anything but NUL, up to 63 bytes), sometimes not. */
export const hostileIdentifier: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom("x'", 'x"', 'a;b', 'ü', 'Ω', 'r ', '--', '$$', '\\', 'A', ''), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })).map(([a, b]) => a + b) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 70 }) },
);

/** A legal name that breaks naive SQL building: quotes, semicolons, comments, non-ASCII, up to exactly 63 bytes. */
export const legalHostileIdentifier: fc.Arbitrary<string> = hostileIdentifier.map(toIdentifier).filter((name) => name.length > 0);

/** Cuts a string to a legal identifier: NULs removed, at most 63 bytes without splitting a character. */
export function toIdentifier(name: string): string {
  let out = '';
  for (const char of name.replaceAll('\0', '')) {
    if (Buffer.byteLength(out + char, 'utf8') > 63) break;
    out += char;
  }
  return out;
}

/** A password of printable ASCII, at least 12 characters so that finding it in a message is never chance. */
export const printablePassword: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 12, maxLength: 128 }) },
  { weight: 1, arbitrary: fc.constant(PRINTABLE) },
);

/** Any JSON value: for fields given the wrong type. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

type Json = Record<string, unknown>;
type Mutation = { readonly op: 'hostile' | 'wrong type' | 'delete' | 'extra'; readonly path: readonly string[]; readonly value: unknown; readonly key: string };

/** The paths of an object's fields, nested objects included (arrays are leaves). */
function fieldPaths(value: Json, prefix: readonly string[] = []): string[][] {
  return Object.entries(value).flatMap(([key, item]) => {
    const path = [...prefix, key];
    return typeof item === 'object' && item !== null && !Array.isArray(item) ? [path, ...fieldPaths(item as Json, path)] : [path];
  });
}

function apply(base: Json, mutations: readonly Mutation[]): Json {
  const root = structuredClone(base);
  for (const { op, path, value, key: extraKey } of mutations) {
    let parent: Json = root;
    for (const key of path.slice(0, -1)) {
      const next = parent[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) return root;
      parent = next as Json;
    }
    const key = path.at(-1) as string;
    if (op === 'delete') delete parent[key];
    // defineProperty, so that a key named __proto__ is an own property, as JSON.parse makes it.
    else if (op === 'extra') Object.defineProperty(parent, extraKey, { value, enumerable: true, writable: true, configurable: true });
    else parent[key] = value;
  }
  return root;
}

/**
 * A valid input (hostile in content where that is legal) with zero to three mutations: a field given a hostile
 * value or one of the wrong type, removed, or joined by an extra one, anywhere in the object.
 */
export function mutated(valid: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return valid.chain((base) => {
    const paths = fieldPaths(base);
    const path = fc.constantFrom(...paths);
    // Extra keys include the ones the entry points route on (Step, kind, type) and prototype-polluting names.
    const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'password', 'kind', 'type', 'Step', 'extra'), fc.string({ maxLength: 12 }));
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ op: fc.constant('hostile' as const), path, value: hostileString, key: fc.constant('') }),
      fc.record({ op: fc.constant('wrong type' as const), path, value: anyJson, key: fc.constant('') }),
      fc.record({ op: fc.constant('delete' as const), path, value: fc.constant(undefined), key: fc.constant('') }),
      fc.record({ op: fc.constant('extra' as const), path, value: fc.oneof(hostileString, anyJson), key }),
    );
    return fc.array(mutation, { maxLength: 3 }).map((mutations) => apply(base, mutations));
  });
}

const arnLike = fc.constantFrom('arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf', 'app/db', 'prod/admin');
const token = fc.oneof(fc.uuid(), fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 64 }));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const defined = (record: Record<string, unknown>): Json => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

/** Events shaped like Secrets Manager's rotation events. */
export const rotationEvent = mutated(
  fc
    .record({
      Step: fc.constantFrom(...ROTATION_STEPS),
      SecretId: fc.oneof(arnLike, fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 300 })),
      ClientRequestToken: token,
      RotationToken: optional(fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 16, maxLength: 64 })),
    })
    .map(defined),
);

/**
 * Events shaped like Pulumi ESC's connector events. The host is loopback and the port closed, so an event that
 * passes validation reaches a loopback port nothing listens on, never the network; mutations make them malformed.
 */
export const escEvent = mutated(
  fc
    .record({
      type: fc.constant('postgres'),
      host: fc.constant('127.0.0.1'),
      port: fc.constant(9),
      database: optional(legalHostileIdentifier),
      managingUser: fc.record({ username: legalHostileIdentifier, password: printablePassword }),
      rotateUser: fc.record({ username: legalHostileIdentifier, password: optional(fc.oneof(printablePassword, fc.constant(null))), newPassword: printablePassword }).map(defined),
    })
    .map(defined),
).map((event) => {
  // A mutated host or port must stay on loopback: never a name to resolve, never a port something listens on.
  if (typeof event.host === 'string' && event.host !== '127.0.0.1' && event.host.length >= 1 && event.host.length <= 255) event.host = '';
  if (typeof event.port === 'number' && event.port !== 9) event.port = 0;
  return event;
});

const target = fc.record({ adminSecretArn: arnLike, connectionSecretArn: optional(arnLike), database: optional(legalHostileIdentifier) }).map(defined);
const role = legalHostileIdentifier;
const secretName = fc.constantFrom('app/db-password', 'ro/reporting', 'tmp/alice');
const grant = fc.oneof(
  fc.record({ on: fc.constant('schema'), schema: role, privileges: fc.constant(['USAGE']), grantable: fc.boolean(), grantor: role }),
  fc.record({ on: fc.constant('table'), schema: role, name: role, privileges: fc.constant(['SELECT', 'INSERT']), grantable: fc.boolean(), grantor: role }),
  fc.record({ on: fc.constant('function'), schema: role, name: role, arguments: fc.constantFrom('', 'a integer, b integer'), privileges: fc.constant(['EXECUTE']), grantable: fc.constant(false), grantor: role }),
);
const actionParams: Record<string, fc.Arbitrary<Json>> = {
  'rotate-password': fc.record({ role, secretName, revealPassword: optional(fc.boolean()) }).map(defined),
  'restore-password': fc.record({ role, secretName, versionId: fc.uuid() }),
  'create-read-only-user': fc.record({ role, schemas: fc.array(role, { minLength: 1, maxLength: 3 }), secretName, connectionLimit: optional(fc.integer({ min: -1, max: 100 })) }).map(defined),
  'create-temporary-user': fc.record({ role, validUntil: fc.constant('2030-01-01T00:00:00Z'), memberOf: fc.array(role, { minLength: 1, maxLength: 3 }), secretName }),
  'expire-temporary-users': fc.record({ terminateSessions: optional(fc.boolean()), reassignOwnedTo: optional(role) }).map(defined),
  'lock-user': fc.record({ role, terminateSessions: optional(fc.boolean()) }).map(defined),
  'unlock-user': fc.record({ role }),
  'drop-user': fc.record({ role, reassignOwnedTo: optional(role), terminateSessions: optional(fc.boolean()) }).map(defined),
  'grant-role': fc.record({ role, grantedRole: role, adminOption: optional(fc.boolean()) }).map(defined),
  'revoke-role': fc.record({ role, grantedRole: role }),
  'revoke-all-privileges': fc.record({ role, schema: role }),
  'grant-privileges': fc.record({ role, grants: fc.array(grant, { minLength: 1, maxLength: 2 }) }),
  'revoke-privileges': fc.record({ role, grants: fc.array(grant, { minLength: 1, maxLength: 2 }) }),
};
const caller = optional(fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 40 }));

/** Orchestrator requests of every kind and action, hostile in content, then mutated. */
export const orchestratorRequest = mutated(
  fc.oneof(
    fc.constantFrom(...ACTION_NAMES).chain((action) =>
      fc.record({ kind: fc.constant('action'), action: fc.constant(action), target, params: actionParams[action] as fc.Arbitrary<Json>, dryRun: optional(fc.boolean()), caller }).map(defined),
    ),
    fc.record({ kind: fc.constant('test'), secretArn: arnLike, database: optional(role), admin: optional(fc.record({ managedRoles: fc.array(role, { maxLength: 3 }), schemas: fc.array(role, { maxLength: 3 }) })), caller }).map(defined),
    fc.record({ kind: fc.constant('rotate'), secretId: arnLike, mode: optional(fc.constantFrom('inline', 'secrets-manager')), caller }).map(defined),
    fc.record({ kind: fc.constant('discover'), target, roles: optional(fc.array(role, { maxLength: 3 })), schemas: optional(fc.array(role, { maxLength: 3 })), caller }).map(defined),
  ),
);

/** A secret JSON in AWS's RDS format plus pg-rotator's extensions, hostile in content, then mutated. */
export const secretObject = mutated(
  fc
    .record({
      engine: fc.constantFrom('postgres', 'aurora-postgresql'),
      host: fc.constantFrom('127.0.0.1', 'db.example.internal'),
      port: optional(fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom('5432', '05432'))),
      username: legalHostileIdentifier,
      password: printablePassword,
      dbname: optional(fc.oneof(legalHostileIdentifier, fc.constant(null))),
      masterarn: optional(arnLike),
      ssl: optional(fc.oneof(fc.boolean(), fc.constantFrom('true', 'false', 'maybe'))),
      sslmode: optional(fc.constantFrom('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full')),
      strategy: optional(fc.constantFrom('single-user', 'admin', 'alternating', 'alternating-owner')),
      alternateUsername: optional(legalHostileIdentifier),
      ownerRole: optional(legalHostileIdentifier),
      connectTimeoutMs: optional(fc.integer({ min: 100, max: 60_000 })),
      statementTimeoutMs: optional(fc.integer({ min: 100, max: 600_000 })),
    })
    .map(defined),
);

/** SecretString text: a JSON object, broken JSON, or JSON that is not an object. */
export const secretString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: secretObject.map((secret) => JSON.stringify(secret)) },
  { weight: 1, arbitrary: secretObject.map((secret) => JSON.stringify(secret).slice(0, -1)) },
  { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? 'undefined') },
  { weight: 1, arbitrary: hostileString },
);
