import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import '../schema-messages';
import { InvalidInputError } from '../errors';
import { IdentifierSchema } from '../postgres/identifiers';
import { SecretArnSchema, sameSecret } from '../secrets/secret-arn';
import { firstIssue } from '../validation';
import { StrategySchema } from './environment';

/**
 * Rotation bindings: what a deployment declares about each secret it rotates, so that none of it comes from the
 * secret's value, which anyone who may write that one secret controls. The strategy, the admin secret whose login
 * changes the password, the owner role both logins of an alternating-owner pair act as, and the login(s) the secret
 * may hold. A value that disagrees is refused, naming the field (rotation/bound-secret.ts).
 *
 * The construct writes them into the code asset as {@link ROTATION_BINDINGS_FILE}, beside the handlers: a file
 * scales to 10,000 secrets, where Lambda's environment (4 KB in all) holds a few dozen. Secrets attached from other
 * stacks are bound by `pg-rotator:*` tags instead (rotation/binding-tags.ts), when the deployment lets tags bind.
 */
export const ROTATION_BINDINGS_FILE = 'rotation-bindings.json';
export const ROTATION_BINDINGS_SCHEMA = 'pg-rotator.rotation-bindings/1';

/** Strategies in which the admin secret's login changes the password. */
export const ADMIN_STRATEGIES = ['admin', 'alternating', 'alternating-owner'] as const;

export const RotationBindingSchema = z
  .strictObject({
    secretArn: SecretArnSchema.check(z.meta({ description: 'The rotated secret (complete or partial ARN).' })),
    strategy: StrategySchema,
    adminSecretArn: z.optional(SecretArnSchema).check(z.meta({ description: "The admin secret (masterarn) of the admin strategies; a declared admin secret." })),
    ownerRole: z.optional(IdentifierSchema).check(z.meta({ description: 'alternating-owner: the NOLOGIN role both logins act as.' })),
    username: z.optional(IdentifierSchema).check(z.meta({ description: 'The login the secret holds (required for the admin strategies).' })),
    alternateUsername: z.optional(IdentifierSchema).check(z.meta({ description: "alternating strategies: the pair's second login; default <username>_clone." })),
    usernameCompanionSecretArn: z.optional(SecretArnSchema).check(
      z.meta({ description: "The companion secret of `username`: it always holds that login's newest password (rotation/companion-secrets.ts)." }),
    ),
    alternateUsernameCompanionSecretArn: z.optional(SecretArnSchema).check(
      z.meta({ description: 'The companion secret of `alternateUsername` (or `<username>_clone`).' }),
    ),
  })
  .check(
    z.superRefine((binding, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      const admin = (ADMIN_STRATEGIES as readonly string[]).includes(binding.strategy);
      const alternating = binding.strategy === 'alternating' || binding.strategy === 'alternating-owner';
      if (admin && binding.adminSecretArn === undefined) issue('adminSecretArn', `is required for the ${binding.strategy} strategy`);
      if (!admin && binding.adminSecretArn !== undefined) issue('adminSecretArn', 'is only for the admin, alternating and alternating-owner strategies');
      // The login an admin acts on must come from the deployment too, or a writer of the secret could aim the admin at any role.
      if (admin && binding.username === undefined) issue('username', `is required for the ${binding.strategy} strategy: the admin changes only the bound login`);
      if (binding.strategy === 'alternating-owner' && binding.ownerRole === undefined) issue('ownerRole', 'is required for the alternating-owner strategy');
      if (binding.strategy !== 'alternating-owner' && binding.ownerRole !== undefined) issue('ownerRole', 'is only for the alternating-owner strategy');
      if (!alternating && binding.alternateUsername !== undefined) issue('alternateUsername', 'is only for the alternating strategies');
      if (binding.alternateUsername !== undefined && binding.alternateUsername === binding.username) issue('alternateUsername', 'must differ from username');
      const companions = binding.usernameCompanionSecretArn !== undefined || binding.alternateUsernameCompanionSecretArn !== undefined;
      if (companions && binding.username === undefined) issue('username', 'is required with companion secrets: each companion is declared for a login');
      if (binding.alternateUsernameCompanionSecretArn !== undefined && !alternating) issue('alternateUsernameCompanionSecretArn', 'is only for the alternating strategies');
      if (companions && binding.usernameCompanionSecretArn === binding.alternateUsernameCompanionSecretArn) {
        issue('alternateUsernameCompanionSecretArn', "must differ from the username's companion: one secret per login");
      }
      // finishSecret writes a login's credentials into its companion: into the admin secret, they would replace the admin.
      for (const field of ['usernameCompanionSecretArn', 'alternateUsernameCompanionSecretArn'] as const) {
        const companion = binding[field];
        if (companion === undefined) continue;
        if (sameSecret(companion, binding.secretArn)) issue(field, 'names the rotated secret itself: a companion is another secret');
        else if (binding.adminSecretArn !== undefined && sameSecret(companion, binding.adminSecretArn)) issue(field, "names the binding's admin secret: its companion's credentials would replace the admin's");
      }
    }),
  )
  .register(z.globalRegistry, { id: 'RotationBinding' });
export type RotationBinding = z.infer<typeof RotationBindingSchema>;

export const RotationBindingsFileSchema = z
  .strictObject({
    schema: z.literal(ROTATION_BINDINGS_SCHEMA),
    bindings: z.array(RotationBindingSchema),
  })
  .check(
    z.superRefine((file, ctx) => {
      const seen = new Set<string>();
      file.bindings.forEach((binding, i) => {
        if (seen.has(binding.secretArn)) ctx.addIssue({ code: 'custom', path: ['bindings', i, 'secretArn'], message: 'is bound twice' });
        seen.add(binding.secretArn);
      });
    }),
  );
export type RotationBindingsFile = z.infer<typeof RotationBindingsFileSchema>;

/** The file's text as the construct writes it: stable two-space JSON, so the same bindings make the same asset. */
export function rotationBindingsFileText(bindings: readonly RotationBinding[]): string {
  const sorted = [...bindings].sort((a, b) => (a.secretArn < b.secretArn ? -1 : a.secretArn > b.secretArn ? 1 : 0));
  const file: RotationBindingsFile = RotationBindingsFileSchema.parse({ schema: ROTATION_BINDINGS_SCHEMA, bindings: sorted });
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads the bindings file once per container. No file means no bindings (a function deployed without the
 * construct): every secret then rotates as single-user only. A file that does not parse fails the container's first
 * invocation, naming the field.
 */
export function readRotationBindings(path: string | URL): RotationBinding[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw new InvalidInputError(ROTATION_BINDINGS_FILE, 'cannot be read');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(ROTATION_BINDINGS_FILE, 'is not valid JSON');
  }
  const parsed = RotationBindingsFileSchema.safeParse(json);
  if (!parsed.success) throw firstIssue(parsed.error, ROTATION_BINDINGS_FILE);
  return parsed.data.bindings;
}
