import { z } from 'zod';
import { PermissionPolicySchema } from '../../lambda/actions/permission-policy';
import { ENV, EnvironmentSchema, ProfileNameSchema } from '../../lambda/config/environment';
import { IdentifierSchema } from '../../lambda/postgres/identifiers';
import type { OrchestratorPrincipal } from '../constructs/invoke-permissions';
import { ACCOUNT_ID, IAM_ROLE_ARN, secretNameOf } from './arns';
import { DEFAULT_EXPIRY_SCHEDULE, expiryScheduleProblem, UNEXPIRED_TEMPORARY_USERS } from './expiry-schedule';
import { fieldPath } from './field-path';
import {
  bindingFields,
  companionsOf,
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

/** Who may invoke a profile's function: one role, or every principal of one account. */
export const OrchestratorSchema = z
  .strictObject({
    roleArn: z.string().regex(IAM_ROLE_ARN, { error: 'must be an IAM role ARN' }).optional(),
    accountId: z.string().regex(ACCOUNT_ID, { error: 'must be a 12-digit account id' }).optional(),
  })
  .superRefine((orchestrator, ctx) => {
    if ((orchestrator.roleArn === undefined) === (orchestrator.accountId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['roleArn'], message: 'give exactly one of roleArn and accountId' });
    }
  })
  // Runs only once the refinement passed, so exactly one is set: the output is the construct's own type.
  .transform(({ roleArn, accountId }): OrchestratorPrincipal =>
    roleArn !== undefined ? { roleArn } : { accountId: accountId ?? '' },
  );

/** Where a scheduled expire-temporary-users runs: one of the profile's admin secrets (its key comes from there). */
const ExpiryTargetSchema = z.strictObject({
  adminSecret: ScheduledSecretReferenceSchema,
  /** One of the profile's connectionSecrets, for an admin secret without a host (an RDS-managed master secret). */
  connectionSecret: ScheduledSecretReferenceSchema.optional(),
  database: z.optional(IdentifierSchema),
});

/**
 * The schedule of a profile's expire-temporary-users: scheduled by default wherever its policy enables the action,
 * hourly on each admin secret; `false` for none.
 */
const ExpirySchema = z.union([
  z.literal(false),
  z.strictObject({
    schedule: z
      .string()
      .default(DEFAULT_EXPIRY_SCHEDULE)
      .superRefine((schedule, ctx) => {
        const problem = expiryScheduleProblem(schedule);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    targets: z.array(ExpiryTargetSchema).min(1).optional(),
  }),
]);

/**
 * What one orchestrator profile's requests may use beyond rotation's grants (docs/deploy.md, "Invoking the function
 * from an orchestrator"). Every secret is named here; nothing is derived from a request.
 */
const accessFields = {
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
  /** The schedule of expire-temporary-users. */
  expireTemporaryUsers: ExpirySchema.optional(),
};

/** One orchestrator profile: its own function, role, policy and invoke principals. */
export const ProfileSchema = z.strictObject({
  /** Who may invoke the profile's function. */
  orchestrators: z.array(OrchestratorSchema).default([]),
  ...accessFields,
  /** The function's reserved concurrency; `function.orchestratorReservedConcurrency` when absent. */
  reservedConcurrency: z.number().int().min(1).max(1000).optional(),
});

/**
 * `orchestration`: its own fields are the profile named `orchestrator`, whose invoke principals are the config's
 * top-level `orchestrators` (what a single-profile deployment writes); `profiles` adds more, by name.
 */
export const OrchestrationSchema = z.strictObject({
  ...accessFields,
  profiles: z.record(ProfileNameSchema, ProfileSchema).optional(),
});

/** The profile the shorthand (`orchestrators` with `orchestration`'s own fields) deploys. */
export const DEFAULT_PROFILE_NAME = 'orchestrator';

type ConfigPath = (string | number)[];
type Orchestration = z.infer<typeof OrchestrationSchema>;
/** A profile's grants, as the shorthand and each named profile write them. */
export type ProfileAccess = Omit<Orchestration, 'profiles'>;
type ArnReference = { readonly arn?: string; readonly partialArn?: string };

/**
 * The parts of the config the cross-field rules read. Declared here rather than taken from schema.ts's
 * PgRotatorConfig: schema.ts imports this module, and the two must not import each other.
 */
export interface OrchestrationContext {
  readonly secrets: readonly (ArnReference & { readonly adminSecret?: ArnReference; readonly companionSecrets?: Readonly<Record<string, ArnReference | undefined>> })[];
  readonly attachments?: { readonly adminSecrets: readonly ArnReference[] };
  readonly orchestrators: readonly OrchestratorPrincipal[];
  readonly orchestration?: Orchestration;
  readonly function: { readonly functionName?: string };
}

/** A profile of the config, with where it is written. */
export interface ConfigProfile {
  readonly name: string;
  readonly access: ProfileAccess;
  readonly orchestrators: readonly OrchestratorPrincipal[];
  readonly reservedConcurrency?: number;
  /** `['orchestration']` for the shorthand's, `['orchestration', 'profiles', name]` for the others. */
  readonly path: ConfigPath;
  readonly orchestratorsPath: ConfigPath;
}

/** Whether the shorthand grants anything (each grant needs orchestrators). */
function shorthandGrants(access: ProfileAccess): boolean {
  return (
    access.adminSecrets.length > 0 ||
    access.connectionSecrets.length > 0 ||
    access.passwordSecrets !== undefined ||
    access.rotate.inline.length > 0 ||
    access.rotate.secretsManager.length > 0 ||
    access.policy !== undefined ||
    access.expireTemporaryUsers !== undefined
  );
}

/**
 * The config's profiles, the shorthand's first: the shorthand is a profile when `orchestrators` names someone (with
 * or without `orchestration`), as pg-rotator's one orchestrator function always was.
 */
export function configProfiles(config: Pick<OrchestrationContext, 'orchestrators' | 'orchestration'>): ConfigProfile[] {
  const { profiles, ...shorthand } = config.orchestration ?? { adminSecrets: [], connectionSecrets: [], rotate: { inline: [], secretsManager: [] } };
  const out: ConfigProfile[] = [];
  if (config.orchestrators.length > 0) {
    out.push({ name: DEFAULT_PROFILE_NAME, access: shorthand, orchestrators: config.orchestrators, path: ['orchestration'], orchestratorsPath: ['orchestrators'] });
  }
  for (const [name, { orchestrators, reservedConcurrency, ...access }] of Object.entries(profiles ?? {})) {
    const path = ['orchestration', 'profiles', name];
    out.push({ name, access, orchestrators, reservedConcurrency, path, orchestratorsPath: [...path, 'orchestrators'] });
  }
  return out;
}

/** Every secret reference of a profile that carries a key, with its path: admin, connection, inline targets. */
function accessReferences(access: ProfileAccess, at: ConfigPath): PlacedReference[] {
  return [
    ...access.adminSecrets.map((reference, i) => ({ reference, path: [...at, 'adminSecrets', i] })),
    ...access.connectionSecrets.map((reference, i) => ({ reference, path: [...at, 'connectionSecrets', i] })),
    ...access.rotate.inline.flatMap((reference, i) => [
      { reference, path: [...at, 'rotate', 'inline', i] },
      ...(reference.adminSecret ? [{ reference: reference.adminSecret, path: [...at, 'rotate', 'inline', i, 'adminSecret'] }] : []),
    ]),
  ];
}

/** Every secret reference of the section (every profile's) that carries a key, with its path. */
export function orchestrationReferences(orchestration: Orchestration): PlacedReference[] {
  const { profiles, ...shorthand } = orchestration;
  return [
    ...accessReferences(shorthand, ['orchestration']),
    ...Object.entries(profiles ?? {}).flatMap(([name, profile]) => accessReferences(profile, ['orchestration', 'profiles', name])),
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

/** Lambda's limit on a function's name ("1-64 characters", CreateFunction API reference). */
const FUNCTION_NAME_LIMIT = 64;

/**
 * The cross-field rules of `orchestration`, reported as issues of the config. A grant without orchestrators is an
 * error, not a warning: only their requests use it, so the role would hold privileges nobody can exercise, and a
 * warning at synth is easy to miss.
 */
export function checkOrchestration(
  config: OrchestrationContext,
  ctx: z.RefinementCtx,
  sameHome: (arn: string | undefined, path: ConfigPath) => void,
): void {
  const orchestration = config.orchestration;
  if (!orchestration) return;
  const issue = (path: ConfigPath, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const { profiles: namedProfiles, ...shorthand } = orchestration;
  if (config.orchestrators.length === 0 && shorthandGrants(shorthand)) {
    issue(['orchestration'], 'grants what only orchestrator requests use, but no orchestrator may invoke the function; add orchestrators or remove orchestration');
  }
  if (config.orchestrators.length > 0 && namedProfiles?.[DEFAULT_PROFILE_NAME] !== undefined) {
    issue(['orchestration', 'profiles', DEFAULT_PROFILE_NAME], "is the profile that orchestrators and orchestration's own fields deploy; declare it one way, not both");
  }
  const profiles = configProfiles(config);
  const scheduled = config.secrets.map((secret, i) => named(secret, ['secrets', i]));
  const admins = config.secrets.flatMap((secret, i) => (secret.adminSecret ? [named(secret.adminSecret, ['secrets', i, 'adminSecret'])] : []));
  // What a prefix must not cover: every secret the config names, companions and attached secrets' admins included.
  const companions = config.secrets.flatMap((secret, i) => companionsOf(secret).map(([login, reference]) => named(reference, ['secrets', i, 'companionSecrets', login])));
  const attachedAdmins = (config.attachments?.adminSecrets ?? []).map((reference, i) => named(reference, ['attachments', 'adminSecrets', i]));
  const everyNamed = [...scheduled, ...admins, ...companions, ...attachedAdmins, ...profiles.flatMap((profile) => accessReferences(profile.access, profile.path).map(({ reference, path }) => named(reference, path)))];
  for (const profile of profiles) checkProfile(profile, config, { scheduled, everyNamed }, issue, sameHome);

  // Each profile's password secrets are its own: another profile's actions could otherwise overwrite, restore or
  // delete the passwords this one's callers were handed.
  const prefixes = profiles.flatMap((profile) => (profile.access.passwordSecrets && PrefixSchema.safeParse(profile.access.passwordSecrets.namePrefix).success ? [{ profile, prefix: profile.access.passwordSecrets.namePrefix }] : []));
  prefixes.forEach((b, i) => {
    const a = prefixes.slice(0, i).find((earlier) => earlier.prefix.startsWith(b.prefix) || b.prefix.startsWith(earlier.prefix));
    if (a) issue([...b.profile.path, 'passwordSecrets', 'namePrefix'], `overlaps ${fieldPath([...a.profile.path, 'passwordSecrets', 'namePrefix'])} (${a.prefix}); each profile needs a prefix of its own`);
  });
  // One bindings file for the deployment: a secret rotated inline by two profiles would be bound twice.
  const inline = profiles.flatMap((profile) => profile.access.rotate.inline.map((secret, i) => named(secret, [...profile.path, 'rotate', 'inline', i])));
  inline.forEach(({ name, path }, i) => {
    const earlier = inline.slice(0, i).find((other) => other.name === name);
    if (earlier) issue(path, earlier.path.slice(0, -3).join('.') === path.slice(0, -3).join('.') ? 'is listed twice' : `is also rotated inline by ${fieldPath(earlier.path)}`);
  });
}

function checkProfile(
  profile: ConfigProfile,
  config: OrchestrationContext,
  known: { readonly scheduled: readonly NamedSecret[]; readonly everyNamed: readonly NamedSecret[] },
  issue: (path: ConfigPath, message: string) => void,
  sameHome: (arn: string | undefined, path: ConfigPath) => void,
): void {
  const { access, path: at } = profile;
  for (const { reference, path } of accessReferences(access, at)) {
    const secret = named(reference, path);
    sameHome(secret.arn, secret.path);
  }
  const enabled = access.policy?.actions.includes('expire-temporary-users') === true;
  const expiry = access.expireTemporaryUsers;
  const scheduledExpiry = enabled && expiry !== false;
  if (profile.orchestrators.length === 0 && !scheduledExpiry) {
    issue(profile.orchestratorsPath, 'is empty and the profile schedules no expiry, so nothing could invoke its function; name who may invoke it');
  }
  const functionName = config.function.functionName;
  if (functionName !== undefined && `${functionName}-${profile.name}`.length > FUNCTION_NAME_LIMIT) {
    const name = `${functionName}-${profile.name}`;
    issue(profile.name === DEFAULT_PROFILE_NAME ? ['function', 'functionName'] : at, `makes the function name ${name} (${name.length} characters), over Lambda's ${FUNCTION_NAME_LIMIT}; shorten functionName or the profile's name`);
  }
  checkExpiry(profile, enabled, issue);

  const isScheduled = (name: string) => known.scheduled.some((entry) => entry.name === name);
  access.rotate.inline.forEach((secret, i) => {
    const { name, path } = named(secret, [...at, 'rotate', 'inline', i]);
    if (isScheduled(name)) {
      issue(path, 'is scheduled in secrets[], and inline rotation refuses secrets with Secrets Manager rotation enabled; list it in rotate.secretsManager');
    }
  });
  access.rotate.secretsManager.forEach((secret, i) => {
    const { name, path } = named(secret, [...at, 'rotate', 'secretsManager', i]);
    if (!isScheduled(name)) {
      issue(path, "must be one of secrets[]: RotateSecret runs the secret's own rotation function, and only secrets[] are rotated by this one");
    }
  });

  // The prefix must cover no secret named elsewhere, or actions could overwrite or delete it.
  const prefix = access.passwordSecrets?.namePrefix;
  // An invalid prefix (reported by its own schema) could be empty, and would then "cover" every secret.
  if (prefix === undefined || !PrefixSchema.safeParse(prefix).success) return;
  for (const { name, path } of known.everyNamed) {
    if (name.startsWith(prefix)) {
      issue([...at, 'passwordSecrets', 'namePrefix'], `covers ${name} (${fieldPath(path)}); actions could overwrite or delete it, so choose a prefix no other secret uses`);
    }
  }
}

/** A schedule only where the policy enables the action, and only on the profile's own admin and connection secrets. */
function checkExpiry(profile: ConfigProfile, enabled: boolean, issue: (path: ConfigPath, message: string) => void): void {
  const { access, path: at } = profile;
  const expiry = access.expireTemporaryUsers;
  if (expiry === false) return;
  if (!enabled && access.policy?.actions.includes('create-temporary-user') === true) {
    issue([...at, 'policy', 'actions'], UNEXPIRED_TEMPORARY_USERS);
    return;
  }
  if (expiry !== undefined && !enabled) {
    issue([...at, 'expireTemporaryUsers'], "schedules expire-temporary-users, which the profile's policy does not enable; add it to policy.actions or leave the schedule out");
    return;
  }
  if (!enabled) return;
  const nameOf = (reference: ArnReference) => named(reference, []).name;
  if (expiry?.targets === undefined) {
    if (access.adminSecrets.length === 0) {
      issue([...at, 'adminSecrets'], 'is empty, yet the policy enables expire-temporary-users, which is scheduled on each admin secret; declare one, or set expireTemporaryUsers to false');
    }
    return;
  }
  expiry.targets.forEach((target, i) => {
    const path = [...at, 'expireTemporaryUsers', 'targets', i];
    if (!access.adminSecrets.some((admin) => nameOf(admin) === nameOf(target.adminSecret))) {
      issue([...path, 'adminSecret'], "must be one of the profile's adminSecrets: its function acts only as those");
    }
    if (target.connectionSecret !== undefined && !access.connectionSecrets.some((secret) => nameOf(secret) === nameOf(target.connectionSecret as ArnReference))) {
      issue([...path, 'connectionSecret'], "must be one of the profile's connectionSecrets: its function reads only those");
    }
  });
}
