import * as z from 'zod/mini';
import '../schema-messages';
import { IdentifierSchema } from '../postgres/identifiers';
import { CallerSchema } from '../requests/caller';
import { SecretIdSchema } from '../requests/request-target';

/** A `test` request: log in with a secret and report what the connection is, and what an admin can do. */
export const TestRequestSchema = z
  .strictObject({
    kind: z.literal('test'),
    secretArn: SecretIdSchema.check(z.meta({ description: 'The secret to log in with (AWS RDS format).' })),
    connectionSecretArn: z.optional(SecretIdSchema).check(z.meta({ description: 'Where to connect when the secret has no host (RDS-managed master secret).' })),
    database: z.optional(IdentifierSchema),
    admin: z
      .optional(
        z.strictObject({
          managedRoles: z._default(z.array(IdentifierSchema).check(z.maxLength(1000)), []).check(
            z.meta({ description: 'Roles the admin will manage (rotated users, alternates, owner roles, roles granted by grant-role).' }),
          ),
          schemas: z._default(z.array(IdentifierSchema).check(z.maxLength(1000)), []).check(z.meta({ description: 'Schemas the privilege actions will work in.' })),
        }),
      )
      .check(z.meta({ description: 'Treat the secret as an admin secret and check what each action and strategy needs.' })),
    caller: z.optional(CallerSchema),
  })
  .check(z.meta({ title: 'test' }));
export type TestRequest = z.infer<typeof TestRequestSchema>;

/** One thing an admin needs, whether it has it, and the SQL that grants it. */
export const ChecklistItemSchema = z.object({
  id: z.string().check(z.meta({ description: 'Stable identifier, e.g. "createrole" or "admin-option:app".' })),
  ok: z.boolean(),
  neededBy: z.array(z.string()).check(z.meta({ description: 'Actions and rotation strategies that need it.' })),
  detail: z.string(),
  fix: z
    .nullable(z.string())
    .check(z.meta({ description: 'SQL that fixes it, to run as a superuser (or a role holding the privilege); null when ok or when no SQL can.' })),
}).register(z.globalRegistry, { id: 'ChecklistItem' });
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;

/** What a test request reports. */
export const TestResultSchema = z.object({
  role: z.string(),
  database: z.string(),
  serverVersion: z.string(),
  serverVersionNum: z.int(),
  tls: z.nullable(z.object({ protocol: z.string(), cipher: z.string() })).check(z.meta({ description: 'From pg_stat_ssl; null for a plaintext session.' })),
  authentication: z.object({
    method: z
      .nullable(z.string())
      .check(z.meta({ description: 'e.g. scram-sha-256, scram-sha-256-plus (protocol), md5, password, cert; null when the server does not say.' })),
    channelBinding: z.boolean().check(z.meta({ description: 'The login used SCRAM channel binding (SCRAM-SHA-256-PLUS), binding it to this TLS connection.' })),
    source: z
      .enum(['system_user', 'protocol'])
      .check(z.meta({ description: "system_user: the server's SYSTEM_USER (PostgreSQL 16+); protocol: the authentication the server asked of this login." })),
  }),
  latencyMs: z.object({ median: z.number(), min: z.number(), max: z.number(), samples: z.int() }),
  checklist: z.nullable(z.array(ChecklistItemSchema)),
}).register(z.globalRegistry, { id: 'TestResult' });
export type TestResult = z.infer<typeof TestResultSchema>;
