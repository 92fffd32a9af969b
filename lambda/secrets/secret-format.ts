import * as z from 'zod/mini';
import '../schema-messages';
import { SslModeSchema, StrategySchema } from '../config/environment';
import { InvalidInputError } from '../errors';
import { IdentifierSchema } from '../postgres/identifiers';
import { firstIssue } from '../validation';

/**
 * The secret JSON: AWS's RDS format unchanged (reference_secret_json_structure; the keys AWS's PostgreSQL
 * rotation functions read), plus optional pg-rotator extensions. Unknown keys are kept, because createSecret
 * copies the whole current secret and replaces only what rotation changes.
 */
export const DatabaseSecretSchema = z.looseObject({
  engine: z.enum(['postgres', 'aurora-postgresql'], { message: "must be 'postgres' or 'aurora-postgresql'" }),
  host: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(255, 'must be at most 255 characters')),
  // AWS's functions do int(secret['port']): a number or a numeric string both work.
  port: z.optional(
    z.pipe(
      z.pipe(
        z.union([z.number(), z.string().check(z.regex(/^\d+$/, 'must be a number'))], { message: 'must be a number or a numeric string' }),
        z.transform(Number),
      ),
      z.int().check(z.minimum(1, 'must be from 1 to 65535'), z.maximum(65535, 'must be from 1 to 65535')),
    ),
  ),
  username: IdentifierSchema,
  password: z.string().check(z.minLength(1, 'must not be empty'), z.refine((p) => !p.includes('\0'), 'must not contain NUL')),
  // AWS maps a JSON null to the default too.
  dbname: z.nullish(IdentifierSchema),
  masterarn: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  ssl: z.optional(z.union([z.boolean(), z.string()], { message: 'must be a boolean or a string' })),

  sslmode: z.optional(SslModeSchema),
  /** PEM of the CA (or bundle) that signs the server's certificate; replaces the default store. */
  sslrootcertPem: z.optional(z.string().check(z.includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate' }))),
  strategy: z.optional(StrategySchema),
  /** The second login of an alternating pair; without it the pair is `<user>` and `<user>_clone`, as AWS. */
  alternateUsername: z.optional(IdentifierSchema),
  /** The NOLOGIN role both logins of an `alternating-owner` pair belong to and act as. */
  ownerRole: z.optional(IdentifierSchema),
  connectTimeoutMs: z.optional(z.int().check(z.minimum(100), z.maximum(60_000))),
  statementTimeoutMs: z.optional(z.int().check(z.minimum(100), z.maximum(600_000))),
});

export type DatabaseSecret = z.infer<typeof DatabaseSecretSchema>;

/**
 * The admin secret named by `masterarn`. An RDS-managed master secret holds only username and password; its
 * connection facts then come from the user's secret (as AWS's functions do since PR #96/#122).
 */
export const AdminSecretSchema = z.partial(DatabaseSecretSchema, { engine: true, host: true });
export type AdminSecret = z.infer<typeof AdminSecretSchema>;

/** The parsed secret plus the object it came from, so writing back preserves keys and value types exactly. */
export interface ParsedSecret<T> {
  readonly fields: T;
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * Parses a SecretString. Errors name the field (`secret.port: …`) and never carry a value: neither zod's
 * received value nor the JSON parser's message, which can quote the text around the fault.
 */
export function parseSecretString<S extends z.ZodMiniType>(
  secretString: string | undefined,
  schema: S,
  label = 'secret',
): ParsedSecret<z.infer<S>> {
  if (secretString === undefined) throw new InvalidInputError(label, 'has no SecretString');
  let raw: unknown;
  try {
    raw = JSON.parse(secretString);
  } catch {
    throw new InvalidInputError(label, 'is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(label, 'must be a JSON object');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error, label);
  return { fields: parsed.data, raw: raw as Record<string, unknown> };
}

/** The connection facts of a secret with AWS's defaults applied. */
export function databaseName(secret: Pick<DatabaseSecret, 'dbname'>): string {
  return secret.dbname ?? 'postgres';
}

export function databasePort(secret: Pick<DatabaseSecret, 'port'>): number {
  return secret.port ?? 5432;
}
