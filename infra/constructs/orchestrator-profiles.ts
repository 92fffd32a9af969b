import { Token } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ENV, EnvironmentSchema, ProfileNameSchema } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { DEFAULT_EXPIRY_SCHEDULE, expiryScheduleProblem, UNEXPIRED_TEMPORARY_USERS } from '../config/expiry-schedule';
import type { OrchestratorPrincipal } from './invoke-permissions';
import type { OrchestrationAccess } from './orchestration-access';
import { policyJson, sameSecret } from './orchestration-access';

/**
 * Orchestrator profiles: Lambda does not tell a function who invoked it, so different callers get different powers by
 * invoking different functions. Each profile is one orchestrator function on the shared code asset, with its own role
 * (its admin, connection and password secrets), its own permission policy, its own admin allow list and its own invoke
 * principals; no grant is shared or inherited between profiles.
 */

/** The profile the construct's shorthand (`orchestrators` with `orchestration`'s own fields) deploys. */
export const DEFAULT_PROFILE = 'orchestrator';

/** Where expire-temporary-users runs: an admin secret of the profile, and how to reach its server. */
export interface ExpiryTarget {
  /** One of the profile's `adminSecrets`. */
  readonly adminSecret: ISecret;
  /** One of its `connectionSecrets`, for an admin secret without a host (an RDS-managed master secret). @default - none */
  readonly connectionSecret?: ISecret;
  /** @default - the connection secret's dbname, else postgres */
  readonly database?: string;
}

/** The schedule of a profile's expire-temporary-users. */
export interface ExpirySchedule {
  /** An EventBridge Scheduler expression, recurring. @default 'rate(1 hour)' */
  readonly schedule?: string;
  /** @default - one per admin secret of the profile, each reached by its own host */
  readonly targets?: readonly ExpiryTarget[];
}

/** One orchestrator profile: who may invoke its function, and what that function may use and do. */
export interface OrchestratorProfile extends OrchestrationAccess {
  /** Who may invoke this profile's function. @default - none: only its expiry schedule invokes it */
  readonly orchestrators?: readonly OrchestratorPrincipal[];
  /**
   * The schedule of expire-temporary-users, for a profile whose policy enables it (which schedules it by default,
   * hourly, on every admin secret); `false` for none. Asking for one without the action enabled fails the synth.
   * @default - scheduled when the policy enables expire-temporary-users
   */
  readonly expireTemporaryUsers?: ExpirySchedule | false;
  /** The function's reserved concurrency, and ceiling. @default - PgRotatorProps.orchestratorReservedConcurrentExecutions */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The construct's `orchestration`: its own fields are the grants of the profile named `orchestrator` (with the
 * construct's `orchestrators`), kept so a single-profile deployment stays as it was; `profiles` adds more.
 */
export interface OrchestrationProps extends OrchestrationAccess {
  /** The `orchestrator` profile's expiry schedule (see OrchestratorProfile.expireTemporaryUsers). */
  readonly expireTemporaryUsers?: ExpirySchedule | false;
  /**
   * More profiles, by name (`access-requests`, `incident`): lower-case words joined by hyphens, at most 32 characters.
   * Each deploys `<functionName>-<name>`. @default - none
   */
  readonly profiles?: Readonly<Record<string, OrchestratorProfile>>;
}

/** A profile with its name and the prop path its messages name. */
export interface ResolvedProfile extends OrchestratorProfile {
  readonly name: string;
  /** `orchestration` for the shorthand's profile, `orchestration.profiles.<name>` for the others. */
  readonly field: string;
  /** Where its invoke principals are declared. */
  readonly orchestratorsField: string;
}

/** The shorthand's grants, each of which needs orchestrators. */
const ACCESS_FIELDS = ['adminSecrets', 'connectionSecrets', 'passwordSecrets', 'inlineRotations', 'secretsManagerRotations', 'policy', 'expireTemporaryUsers'] as const;

/**
 * The profiles the props declare, the shorthand's first. The shorthand is a profile when it names orchestrators or any
 * grant; a grant without orchestrators is refused, as it always was (a role holding privileges nobody can exercise).
 *
 * @throws {InvalidInputError} naming the prop.
 */
export function resolveProfiles(orchestrators: readonly OrchestratorPrincipal[] | undefined, orchestration: OrchestrationProps | undefined): ResolvedProfile[] {
  const profiles: ResolvedProfile[] = [];
  const { profiles: named, ...shorthand } = orchestration ?? {};
  const grants = ACCESS_FIELDS.some((field) => {
    const value = shorthand[field];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
  if (grants && (orchestrators ?? []).length === 0) {
    throw new InvalidInputError(
      'orchestration',
      'grants what only orchestrator requests use, but no orchestrator may invoke the function; add orchestrators or leave orchestration out',
    );
  }
  if ((orchestrators ?? []).length > 0) {
    profiles.push({ ...shorthand, orchestrators, name: DEFAULT_PROFILE, field: 'orchestration', orchestratorsField: 'orchestrators' });
  }
  for (const [name, profile] of Object.entries(named ?? {})) {
    const field = `orchestration.profiles.${name}`;
    const checked = ProfileNameSchema.safeParse(name);
    if (!checked.success) throw new InvalidInputError(field, checked.error.issues[0]?.message ?? 'is not a profile name');
    if (name === DEFAULT_PROFILE && profiles.length > 0) {
      throw new InvalidInputError(field, 'is the profile that orchestrators and orchestration\'s own fields deploy; declare it one way, not both');
    }
    profiles.push({ ...profile, name, field, orchestratorsField: `${field}.orchestrators` });
  }
  return profiles;
}

/** A profile's expiry schedule once defaults apply, or undefined when it has none. */
export interface EffectiveExpiry {
  readonly schedule: string;
  readonly targets: readonly ExpiryTarget[];
}

/** Whether the profile's policy enables expire-temporary-users. */
const expiryEnabled = (profile: OrchestratorProfile) => profile.policy?.actions.includes('expire-temporary-users') === true;

/**
 * The expiry schedule a profile gets: by default, when its policy enables expire-temporary-users, hourly on each of its
 * admin secrets, so expired users, their sessions and grants never pile up (VALID UNTIL only stops new logins).
 */
export function effectiveExpiry(profile: OrchestratorProfile): EffectiveExpiry | undefined {
  const asked = profile.expireTemporaryUsers;
  if (asked === false || !expiryEnabled(profile)) return undefined;
  return {
    schedule: asked?.schedule ?? DEFAULT_EXPIRY_SCHEDULE,
    targets: asked?.targets ?? (profile.adminSecrets ?? []).map((adminSecret) => ({ adminSecret })),
  };
}

/** A secret the construct knows by name, and the prop that named it, for the prefix check. */
interface NamedSecret {
  readonly secret: ISecret;
  readonly field: string;
}

/** The construct's scheduled rotations, as the checks read them. */
type Rotations = readonly { readonly secret: ISecret; readonly adminSecret?: ISecret }[];

/**
 * Checks every profile against the rest of the props before anything is created. The config schema
 * (infra/config/orchestration-schema.ts) makes the same checks with config field names; these guard users of the
 * construct.
 *
 * @throws {InvalidInputError} naming the prop, e.g. `orchestration.profiles.incident.passwordSecrets.namePrefix`.
 */
export function validateProfiles(profiles: readonly ResolvedProfile[], rotations: Rotations, functionName: string | undefined): void {
  const named: NamedSecret[] = [
    ...rotations.flatMap((rotation, i) => [
      { secret: rotation.secret, field: `rotations[${i}].secret` },
      ...(rotation.adminSecret ? [{ secret: rotation.adminSecret, field: `rotations[${i}].adminSecret` }] : []),
    ]),
    ...profiles.flatMap(namedSecretsOf),
  ];
  for (const profile of profiles) validateProfile(profile, rotations, named, functionName);

  // Each profile's password secrets are its own: one profile's actions could otherwise overwrite, restore or delete
  // the passwords another profile's callers were handed.
  const prefixes = profiles.flatMap((profile) => (profile.passwordSecrets ? [{ profile, prefix: profile.passwordSecrets.namePrefix }] : []));
  for (const [i, a] of prefixes.entries()) {
    for (const b of prefixes.slice(i + 1)) {
      if (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix)) {
        throw new InvalidInputError(
          `${b.profile.field}.passwordSecrets.namePrefix`,
          `overlaps ${a.profile.field}.passwordSecrets.namePrefix (${a.prefix}); each profile needs a prefix of its own`,
        );
      }
    }
  }
  // One bindings file for the deployment: a secret rotated inline by two profiles would be bound twice.
  const inline = profiles.flatMap((profile) => (profile.inlineRotations ?? []).map((rotation, i) => ({ secret: rotation.secret, field: `${profile.field}.inlineRotations[${i}].secret` })));
  for (const [i, entry] of inline.entries()) {
    const earlier = inline.slice(0, i).find((other) => sameSecret(other.secret, entry.secret));
    if (earlier) throw new InvalidInputError(entry.field, `is also rotated inline by ${earlier.field}; one profile rotates a secret inline`);
  }
}

function namedSecretsOf(profile: ResolvedProfile): NamedSecret[] {
  const at = (what: string, i: number) => `${profile.field}.${what}[${i}]`;
  return [
    ...(profile.adminSecrets ?? []).map((secret, i) => ({ secret, field: at('adminSecrets', i) })),
    ...(profile.connectionSecrets ?? []).map((secret, i) => ({ secret, field: at('connectionSecrets', i) })),
    ...(profile.inlineRotations ?? []).flatMap((rotation, i) => [
      { secret: rotation.secret, field: `${at('inlineRotations', i)}.secret` },
      ...(rotation.adminSecret ? [{ secret: rotation.adminSecret, field: `${at('inlineRotations', i)}.adminSecret` }] : []),
    ]),
  ];
}

/** Lambda's limit on a function's name ("1-64 characters", CreateFunction API reference). */
export const LAMBDA_FUNCTION_NAME_LIMIT = 64;

/** The name of a profile's function, when the rotation function's is fixed: `<functionName>-<profile>`. */
export function profileFunctionName(functionName: string | undefined, profile: string): string | undefined {
  return functionName === undefined ? undefined : `${functionName}-${profile}`;
}

function validateProfile(profile: ResolvedProfile, rotations: Rotations, named: readonly NamedSecret[], functionName: string | undefined): void {
  const { field } = profile;
  if (profile.policy !== undefined) policyJson(profile.policy, `${field}.policy`);
  const expiry = effectiveExpiry(profile);
  if ((profile.orchestrators ?? []).length === 0 && expiry === undefined) {
    throw new InvalidInputError(profile.orchestratorsField, 'is empty and the profile schedules no expiry, so nothing could invoke its function; name who may invoke it');
  }
  const name = profileFunctionName(functionName, profile.name);
  if (name !== undefined && name.length > LAMBDA_FUNCTION_NAME_LIMIT) {
    throw new InvalidInputError(
      profile.name === DEFAULT_PROFILE ? 'functionName' : field,
      `makes the function name ${name} (${name.length} characters), over Lambda's ${LAMBDA_FUNCTION_NAME_LIMIT}; shorten functionName or the profile's name`,
    );
  }
  validateExpiry(profile, expiry);

  const isScheduled = (secret: ISecret) => rotations.some((rotation) => sameSecret(rotation.secret, secret));
  (profile.secretsManagerRotations ?? []).forEach((secret, index) => {
    if (!isScheduled(secret)) {
      throw new InvalidInputError(
        `${field}.secretsManagerRotations[${index}]`,
        "must be one of rotations: RotateSecret runs the secret's own rotation function, and only those secrets are rotated by this one",
      );
    }
  });
  (profile.inlineRotations ?? []).forEach((rotation, index) => {
    if (isScheduled(rotation.secret)) {
      throw new InvalidInputError(
        `${field}.inlineRotations[${index}].secret`,
        'has a rotation schedule here, and inline rotation refuses secrets with Secrets Manager rotation enabled; list it in secretsManagerRotations',
      );
    }
  });
  const prefix = profile.passwordSecrets?.namePrefix;
  if (prefix === undefined) return;
  const checked = EnvironmentSchema.shape[ENV.passwordSecretPrefix].safeParse(prefix);
  if (!checked.success || checked.data === undefined) {
    throw new InvalidInputError(`${field}.passwordSecrets.namePrefix`, checked.error?.issues[0]?.message ?? 'is required');
  }
  const covered = named.find(({ secret }) => !Token.isUnresolved(secret.secretName) && secret.secretName.startsWith(prefix));
  if (covered) {
    throw new InvalidInputError(
      `${field}.passwordSecrets.namePrefix`,
      `covers ${covered.field} (${covered.secret.secretName}); actions could overwrite or delete it, so choose a prefix no other secret uses`,
    );
  }
}

function validateExpiry(profile: ResolvedProfile, expiry: EffectiveExpiry | undefined): void {
  const field = `${profile.field}.expireTemporaryUsers`;
  const asked = profile.expireTemporaryUsers;
  if (asked !== undefined && asked !== false && !expiryEnabled(profile)) {
    throw new InvalidInputError(field, "schedules expire-temporary-users, which the profile's policy does not enable; add it to policy.actions or leave the schedule out");
  }
  if (asked !== false && !expiryEnabled(profile) && profile.policy?.actions.includes('create-temporary-user') === true) {
    throw new InvalidInputError(`${profile.field}.policy.actions`, UNEXPIRED_TEMPORARY_USERS);
  }
  if (expiry === undefined) return;
  const problem = expiryScheduleProblem(expiry.schedule);
  if (problem !== undefined) throw new InvalidInputError(`${field}.schedule`, problem);
  if (expiry.targets.length === 0) {
    throw new InvalidInputError(
      asked === undefined || asked === false || asked.targets === undefined ? `${profile.field}.adminSecrets` : `${field}.targets`,
      'is empty, yet the policy enables expire-temporary-users, which the construct schedules on each admin secret; declare one, or set expireTemporaryUsers to false',
    );
  }
  expiry.targets.forEach((target, i) => {
    if (!(profile.adminSecrets ?? []).some((secret) => sameSecret(secret, target.adminSecret))) {
      throw new InvalidInputError(`${field}.targets[${i}].adminSecret`, "must be one of the profile's adminSecrets: its function acts only as those");
    }
    if (target.connectionSecret !== undefined && !(profile.connectionSecrets ?? []).some((secret) => sameSecret(secret, target.connectionSecret as ISecret))) {
      throw new InvalidInputError(`${field}.targets[${i}].connectionSecret`, "must be one of the profile's connectionSecrets: its function reads only those");
    }
  });
}

/**
 * The construct id of one of a profile's parts. The `orchestrator` profile keeps the ids of pg-rotator's one
 * orchestrator function (`Orchestrator`, `Orchestration`, …), so a deployment that adds profiles, or moves its
 * shorthand to `profiles.orchestrator`, replaces none of its resources (a replaced function with a fixed name would
 * fail the update). The others' contain a hyphen, which no fixed id does.
 */
export function profilePartId(part: string, profile: string): string {
  return profile === DEFAULT_PROFILE ? part : `${part}-${profile}`;
}

/** A profile's name in PascalCase, one to one under ProfileNameSchema (each word starts with a letter). */
export function pascalCase(profile: string): string {
  return profile
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
