import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { belowMinimum, SslModeSchema } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { firstIssue } from '../../lambda/validation';
import type { EventSink } from './pool-events';
import type { PoolSettings } from './pool-generation';
import type { SecretSource } from './secret-source';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isSource = (value: unknown): value is SecretSource => isObject(value) && typeof value.read === 'function';

/** The keys of pg's Pool options that the secret decides; an application setting them is refused. */
const CONNECTION_KEYS = ['host', 'port', 'database', 'user', 'password', 'ssl', 'connectionString'] as const;

/**
 * The options of {@link createRotatingPool}, validated once when the pool is made: a wrong one fails there, naming
 * the field (`options.refreshIntervalMs: …`).
 */
export const RotatingPoolOptionsSchema = z.strictObject({
  /** The secret's name or ARN. */
  secretId: z.string().min(1, 'must not be empty'),
  /**
   * How the secret is read: `secrets-manager` (GetSecretValue through the AWS SDK), `agent` (the Secrets Manager
   * Agent or the Parameters and Secrets Lambda extension on localhost), or a {@link SecretSource} of your own.
   */
  source: z
    .union([z.enum(['secrets-manager', 'agent']), z.custom<SecretSource>(isSource)], { message: "must be 'secrets-manager', 'agent' or an object with a read function" })
    .default('secrets-manager'),
  /** For `source: 'secrets-manager'`: your client, or the config of the one the pool makes. */
  secretsManager: z
    .strictObject({
      client: z.custom<Pick<SecretsManagerClient, 'send'>>((value) => isObject(value) && typeof value.send === 'function', { message: 'must be a Secrets Manager client' }).optional(),
      clientConfig: z.custom<SecretsManagerClientConfig>(isObject, { message: 'must be an object' }).optional(),
    })
    .optional(),
  /** For `source: 'agent'`. */
  agent: z
    .strictObject({
      endpoint: z.url({ protocol: /^https?$/, message: 'must be an http:// URL' }).optional(),
      token: z.string().min(1, 'must not be empty').optional(),
      timeoutMs: z.number().int().min(1).max(60_000).optional(),
    })
    .optional(),
  /**
   * How long a read of AWSCURRENT is used before new connections read it again. A refused login (28P01) reads at
   * once, whatever the interval. docs/applications.md says how to choose it for a rotation schedule.
   */
  refreshIntervalMs: z.number().int().min(0).max(24 * 3_600_000).default(300_000),
  /** Connect here instead of the secret's host, port or database (an RDS Proxy endpoint, say). */
  host: z.string().min(1, 'must not be empty').optional(),
  port: z.number().int().min(1).max(65535).optional(),
  database: z.string().min(1, 'must not be empty').optional(),
  /** The sslmode when the secret names none, as PGSSLMODE for the function. */
  sslmode: z._default(SslModeSchema, 'verify-full'),
  /** No secret connects below it (a secret asking for less is refused, naming its field), as MINIMUM_SSLMODE for the function. */
  minimumSslmode: z._default(SslModeSchema, 'verify-full'),
  /**
   * The CA every server must chain to, as PGSSLROOTCERT for the function: a secret may bring only this one
   * (`sslrootcertPem`). Without it, the secret's CA, else the runtime's CA store.
   */
  caPem: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate' }).optional(),
  /** pg Pool options (max, idleTimeoutMillis, maxUses, …) for each login's pool; not where to connect or as whom. */
  pool: z
    .custom<PoolSettings>(isObject, { message: 'must be an object' })
    .superRefine((settings, ctx) => {
      for (const key of CONNECTION_KEYS) {
        if (key in settings) ctx.addIssue({ code: 'custom', path: [key], message: 'comes from the secret (or the pool option host, port, database)' });
      }
    })
    .default({}),
  /** Told what the pool reads and does; never a password. */
  onEvent: z.custom<EventSink>((value) => typeof value === 'function', { message: 'must be a function' }).optional(),
}).superRefine((options, ctx) => {
  if (belowMinimum(options.sslmode, options.minimumSslmode)) {
    ctx.addIssue({ code: 'custom', path: ['sslmode'], message: `is below minimumSslmode (${options.minimumSslmode}); lower the minimum to use it` });
  }
});

export type RotatingPoolOptions = z.input<typeof RotatingPoolOptionsSchema>;
export type ParsedRotatingPoolOptions = z.output<typeof RotatingPoolOptionsSchema>;

/** @throws InvalidInputError naming the option. */
export function parseRotatingPoolOptions(options: unknown): ParsedRotatingPoolOptions {
  if (!isObject(options)) throw new InvalidInputError('options', 'must be an object');
  const parsed = RotatingPoolOptionsSchema.safeParse(options);
  if (!parsed.success) throw firstIssue(parsed.error, 'options');
  return parsed.data;
}
