import { z } from 'zod';
import { PermissionPolicySchema } from '../../lambda/actions/permission-policy';
import { ENV, EnvironmentSchema } from '../../lambda/config/environment';
import { secretNameOf } from './arns';
import { fieldPath } from './field-path';
import {
  bindingFields,
  type PlacedReference,
  ScheduledSecretReferenceSchema,
  SecretReferenceSchema,
  referencedArn,
  requireAdminSecretForStrategy,
  requireExactlyOneArn,
  secretReferenceFields,
} from './secret-reference';

/** The function's own rule for the prefix (lambda/config/environment.ts), so infra and the function agree. */
const PrefixSchema = EnvironmentSchema.shape[ENV.passwordSecretPrefix].def.innerType;

/** A secret `rotate` requests rotate inline: like a `secrets[]` entry, without a schedule. */
const InlineRotationSchema = z
  .strictObject({
    ...secretReferenceFields,
    ...bindingFields,
    adminSecret: SecretReferenceSchema.optional(),
  })
  .superRefine((secret, ctx) => {
    requireAdminSecretForStrategy(secret, ctx);
    requireExactlyOneArn(secret, ctx);
  });

/**
 * What orchestrator requests may use beyond rotation's grants (docs/deploy.md, "Invoking the function from an
 * orchestrator"). Every secret is named here; nothing is derived from a request.
 */
export const OrchestrationSchema = z.strictObject({
  /** Admin secrets actions, discover and test requests log in with: GetSecretValue only. */
  adminSecrets: z.array(SecretReferenceSchema).default([]),
  /** Secrets giving host, port and TLS when an admin secret has none (RDS-managed masters): GetSecretValue only. */
  connectionSecrets: z.array(SecretReferenceSchema).default([]),
  /** Where password-setting actions create and update their secrets. */
  passwordSecrets: z
    .strictObject({
      namePrefix: PrefixSchema,
      kmsKeyArn: secretReferenceFields.kmsKeyArn,
    })
    .optional(),
  /** Secrets `rotate` requests may rotate. */
  rotate: z
    .strictObject({
      /** Mode `inline`: the function runs the four steps; none may be scheduled in `secrets[]`. */
      inline: z.array(InlineRotationSchema).default([]),
      /** Mode `secrets-manager`: RotateSecret; each must be a `secrets[]` entry, so this function rotates it. */
      secretsManager: z.array(ScheduledSecretReferenceSchema).default([]),
    })
    .prefault({}),
  /** The permission policy of actions (docs/policy.md), checked with the function's own schema. */
  policy: z.optional(PermissionPolicySchema),
});

type ConfigPath = (string | number)[];
type Orchestration = z.infer<typeof OrchestrationSchema>;
type ArnReference = { readonly arn?: string; readonly partialArn?: string };

/**
 * The parts of the config the cross-field rules read. Declared here rather than taken from schema.ts's
 * PgRotatorConfig: schema.ts imports this module, and the two must not import each other.
 */
export interface OrchestrationContext {
  readonly secrets: readonly (ArnReference & { readonly adminSecret?: ArnReference })[];
  readonly orchestrators: readonly unknown[];
  readonly orchestration?: Orchestration;
}

/** Every secret reference of the section that carries a key, with its path: admin, connection, inline targets. */
export function orchestrationReferences(orchestration: Orchestration): PlacedReference[] {
  return [
    ...orchestration.adminSecrets.map((reference, i) => ({ reference, path: ['orchestration', 'adminSecrets', i] })),
    ...orchestration.connectionSecrets.map((reference, i) => ({ reference, path: ['orchestration', 'connectionSecrets', i] })),
    ...orchestration.rotate.inline.flatMap((reference, i) => [
      { reference, path: ['orchestration', 'rotate', 'inline', i] },
      ...(reference.adminSecret ? [{ reference: reference.adminSecret, path: ['orchestration', 'rotate', 'inline', i, 'adminSecret'] }] : []),
    ]),
  ];
}

/** A secret the config names: its ARN, its name (unique in the stack's account and region), and where. */
interface NamedSecret {
  readonly arn: string;
  readonly name: string;
  readonly path: ConfigPath;
}

const named = (reference: ArnReference, path: ConfigPath): NamedSecret => {
  const { arn, complete, field } = referencedArn(reference);
  return { arn, name: secretNameOf(arn, complete), path: [...path, field] };
};

/**
 * The cross-field rules of `orchestration`, reported as issues of the config. Orchestration without orchestrators
 * is an error, not a warning: only their requests use these grants, so the role would hold privileges nobody can
 * exercise, and a warning at synth is easy to miss.
 */
export function checkOrchestration(
  config: OrchestrationContext,
  ctx: z.RefinementCtx,
  sameHome: (arn: string | undefined, path: ConfigPath) => void,
): void {
  const orchestration = config.orchestration;
  if (!orchestration) return;
  const issue = (path: ConfigPath, message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (config.orchestrators.length === 0) {
    issue(['orchestration'], 'grants what only orchestrator requests use, but no orchestrator may invoke the function; add orchestrators or remove orchestration');
  }

  const own = orchestrationReferences(orchestration).map(({ reference, path }) => named(reference, path));
  for (const { arn, path } of own) sameHome(arn, path);

  // Compared by name, so `arn` and `partialArn` of one secret are the same secret.
  const scheduled = config.secrets.map((secret, i) => named(secret, ['secrets', i]));
  const isScheduled = (name: string) => scheduled.some((entry) => entry.name === name);
  const inline = orchestration.rotate.inline.map((secret, i) => named(secret, ['orchestration', 'rotate', 'inline', i]));
  inline.forEach(({ name, path }, i) => {
    if (isScheduled(name)) {
      issue(path, 'is scheduled in secrets[], and inline rotation refuses secrets with Secrets Manager rotation enabled; list it in rotate.secretsManager');
    }
    if (inline.findIndex((other) => other.name === name) < i) issue(path, 'is listed twice');
  });
  orchestration.rotate.secretsManager.forEach((secret, i) => {
    const { name, path } = named(secret, ['orchestration', 'rotate', 'secretsManager', i]);
    if (!isScheduled(name)) {
      issue(path, "must be one of secrets[]: RotateSecret runs the secret's own rotation function, and only secrets[] are rotated by this one");
    }
  });

  // The prefix must cover no secret named elsewhere, or actions could overwrite or delete it.
  const prefix = orchestration.passwordSecrets?.namePrefix;
  // An invalid prefix (reported by its own schema) could be empty, and would then "cover" every secret.
  if (prefix === undefined || !PrefixSchema.safeParse(prefix).success) return;
  const admins = config.secrets.flatMap((secret, i) => (secret.adminSecret ? [named(secret.adminSecret, ['secrets', i, 'adminSecret'])] : []));
  for (const { name, path } of [...scheduled, ...admins, ...own]) {
    if (name.startsWith(prefix)) {
      issue(['orchestration', 'passwordSecrets', 'namePrefix'], `covers ${name} (${fieldPath(path)}); actions could overwrite or delete it, so choose a prefix no other secret uses`);
    }
  }
}
