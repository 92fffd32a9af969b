import type { Declarations } from '../config/declarations';
import type { Settings } from '../config/settings';
import type { Logger } from '../log/logger';
import type { ParsedSecret } from '../secrets/secret-format';
import { AdminSecretSchema, DatabaseSecretSchema, parseSecretString } from '../secrets/secret-format';
import type { AdminSecret, DatabaseSecret } from '../secrets/secret-format';
import type { SecretMetadata, SecretStore, SecretVersion } from '../secrets/secret-store';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../secrets/secret-store';
import type { VersionMemory } from '../secrets/version-memory';
import { RotationStateError } from '../errors';
import { awaitedLater } from './awaited-later';
import type { SourcedBinding } from './bound-secret';
import { boundSecret } from './bound-secret';
import { bindingFromTags } from './binding-tags';

/** What every step needs: narrow dependencies, made once per container by the handler. */
export interface RotationDeps {
  readonly store: SecretStore;
  readonly settings: Settings;
  /** What the deployment declared: rotation bindings and the admin allow list. */
  readonly declarations: Declarations;
  readonly log: Logger;
  readonly generatePassword: () => Promise<string>;
  /** The secret versions this container saw lately, so a step's logins need not wait on Secrets Manager. */
  readonly memory: VersionMemory;
}

/**
 * One step's view of the rotation in progress. A step starts while the gate's DescribeSecret is in flight, so
 * its reads and logins overlap it; it changes nothing before {@link RotationContext.admitted} resolves.
 */
export interface RotationContext {
  readonly deps: RotationDeps;
  readonly secretArn: string;
  readonly token: string;
  readonly rotationToken: string | undefined;
  /**
   * Resolves with the gate's DescribeSecret once the step may change something: the gate let it run, and every
   * remembered AWSCURRENT it used is still current. Await it before the first change.
   */
  admitted(): Promise<SecretMetadata>;
  /**
   * The deployment's binding of this secret: its bindings file entry at once, else, where the deployment lets tags
   * bind, its `pg-rotator:*` tags from the gate's DescribeSecret; undefined when it has none.
   */
  binding(): Promise<SourcedBinding | undefined>;
  readonly reads: SecretReads;
}

/**
 * The versions a step reads, each read at most once. The pending version's value is exact when remembered
 * (versions never change); a remembered AWSCURRENT is a guess that {@link SecretReads.confirm} checks.
 */
export interface SecretReads {
  current(): Promise<ParsedSecret<DatabaseSecret>>;
  /** The pending value for this token, or undefined while createSecret has not written it. */
  pending(): Promise<ParsedSecret<DatabaseSecret> | undefined>;
  /** The admin secret's AWSCURRENT (masterarn). */
  admin(masterArn: string): Promise<AdminSecret>;
  /** @throws StaleMemory when a remembered AWSCURRENT this step used has moved on. */
  confirm(metadata: SecretMetadata): Promise<void>;
  /** Notes what createSecret wrote, for the next steps in this container. */
  rememberPending(secretString: string): void;
  /** The rotation is over: nothing of it needs remembering any longer. */
  forgetRotation(): void;
}

/** A remembered AWSCURRENT was not current any more: the step is run again from fresh reads. */
export class StaleMemory extends Error {
  override readonly name = 'StaleMemory';
}

export function secretReads(store: SecretStore, memory: VersionMemory, secretId: string, token: string): SecretReads {
  let current: Promise<{ versionId: string; secret: ParsedSecret<DatabaseSecret>; remembered: boolean }> | undefined;
  let pending: Promise<ParsedSecret<DatabaseSecret> | undefined> | undefined;
  const admins = new Map<string, Promise<{ versionId: string; secret: AdminSecret; fresh: Promise<SecretVersion> }>>();

  const readCurrent = async (id: string, missing: string): Promise<SecretVersion & { secretString: string }> => {
    const version = await store.find(id, { stage: AWSCURRENT });
    if (version?.secretString === undefined) throw new RotationStateError(missing);
    memory.rememberValue(id, version.versionId, version.secretString);
    memory.rememberCurrent(id, version.versionId);
    return { ...version, secretString: version.secretString };
  };
  /** The remembered AWSCURRENT of a secret, if this container has both its version id and its value. */
  const rememberedCurrent = (id: string): { versionId: string; secretString: string } | undefined => {
    const versionId = memory.currentVersionOf(id);
    const secretString = versionId === undefined ? undefined : memory.valueOf(id, versionId);
    return versionId === undefined || secretString === undefined ? undefined : { versionId, secretString };
  };

  return {
    current: () =>
      (current ??= (async () => {
        const remembered = rememberedCurrent(secretId);
        const version = remembered ?? (await readCurrent(secretId, `secret ${secretId} has no AWSCURRENT value to rotate from`));
        return { versionId: version.versionId, secret: parseSecretString(version.secretString, DatabaseSecretSchema, 'secret'), remembered: remembered !== undefined };
      })()).then(({ secret }) => secret),

    pending: () =>
      (pending ??= (async () => {
        let secretString = memory.valueOf(secretId, token);
        if (secretString === undefined) {
          secretString = (await store.find(secretId, { versionId: token, stage: AWSPENDING }))?.secretString;
          if (secretString !== undefined) memory.rememberValue(secretId, token, secretString);
        }
        return secretString === undefined ? undefined : parseSecretString(secretString, DatabaseSecretSchema, 'pendingSecret');
      })()),

    admin: (masterArn) => {
      let read = admins.get(masterArn);
      if (read === undefined) {
        // Always read fresh: a remembered admin secret only lets the admin's login start before the read returns.
        const fresh = awaitedLater(readCurrent(masterArn, `admin secret ${masterArn} (masterarn) has no AWSCURRENT value`));
        const remembered = rememberedCurrent(masterArn);
        read = (async () => {
          const version = remembered ?? (await fresh);
          return { versionId: version.versionId, secret: parseSecretString(version.secretString, AdminSecretSchema, 'adminSecret').fields, fresh };
        })();
        admins.set(masterArn, read);
      }
      return read.then(({ secret }) => secret);
    },

    async confirm(metadata) {
      const used = await current?.catch(() => undefined);
      if (used?.remembered && !metadata.versionIdsToStages[used.versionId]?.includes(AWSCURRENT)) {
        throw new StaleMemory(`version ${used.versionId} of secret ${secretId} is no longer AWSCURRENT`);
      }
      for (const [masterArn, read] of admins) {
        const { versionId, fresh } = await read;
        if ((await fresh).versionId !== versionId) throw new StaleMemory(`admin secret ${masterArn} has a new AWSCURRENT`);
      }
    },

    rememberPending: (secretString) => memory.rememberValue(secretId, token, secretString),
    forgetRotation: () => memory.forget(secretId),
  };
}

/** What a step did, for the one log line per event. */
export interface StepOutcome {
  readonly strategy: string;
  readonly changed: boolean;
  readonly detail: string;
}

export async function requirePending(ctx: RotationContext): Promise<ParsedSecret<DatabaseSecret>> {
  const pending = await ctx.reads.pending();
  if (!pending) throw new RotationStateError(`secret ${ctx.secretArn} has no AWSPENDING value for version ${ctx.token}; createSecret must run first`);
  return pending;
}

/**
 * Where the binding of a secret comes from: the bindings file at once; else its tags, once the gate's DescribeSecret
 * answers, when tags may bind. Started with the step, so a file-bound secret waits on nothing.
 */
export function bindingOf(deps: RotationDeps, secretArn: string, metadata: Promise<SecretMetadata>): Promise<SourcedBinding | undefined> {
  const file = deps.declarations.fileBinding(secretArn);
  if (file !== undefined) return Promise.resolve({ binding: file, source: 'file' });
  if (!deps.declarations.tagsBind) return Promise.resolve(undefined);
  return awaitedLater(
    metadata.then((described) => {
      const binding = bindingFromTags(described.arn, described.tags);
      return binding === undefined ? undefined : { binding, source: 'tags' as const };
    }),
  );
}

/** A secret of this rotation with the deployment's binding applied (bound-secret.ts). */
export async function bound(ctx: RotationContext, secret: DatabaseSecret, label = 'secret'): Promise<DatabaseSecret> {
  return boundSecret(secret, await ctx.binding(), { declarations: ctx.deps.declarations, env: ctx.deps.settings.env }, label);
}

/** AWSPREVIOUS, if any and if it parses: only ever a login fallback, so a bad one is simply not used. */
export async function loadPrevious(ctx: RotationContext): Promise<DatabaseSecret | undefined> {
  const version = await ctx.deps.store.find(ctx.secretArn, { stage: AWSPREVIOUS });
  if (version?.secretString === undefined) return undefined;
  try {
    return parseSecretString(version.secretString, DatabaseSecretSchema, 'previousSecret').fields;
  } catch {
    return undefined;
  }
}
