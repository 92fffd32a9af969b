import type { Settings } from '../config/settings';
import type { Logger } from '../log/logger';
import type { ParsedSecret } from '../secrets/secret-format';
import { AdminSecretSchema, DatabaseSecretSchema, parseSecretString } from '../secrets/secret-format';
import type { AdminSecret, DatabaseSecret } from '../secrets/secret-format';
import type { SecretMetadata, SecretStore } from '../secrets/secret-store';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../secrets/secret-store';
import { RotationStateError } from '../errors';

/** What every step needs: narrow dependencies, made once per container by the handler. */
export interface RotationDeps {
  readonly store: SecretStore;
  readonly settings: Settings;
  readonly log: Logger;
  readonly generatePassword: () => Promise<string>;
}

/** One step's view of the rotation in progress. */
export interface RotationContext {
  readonly deps: RotationDeps;
  readonly secretArn: string;
  readonly token: string;
  readonly rotationToken: string | undefined;
  /** From the gate's DescribeSecret, so finishSecret needs no second call. */
  readonly metadata: SecretMetadata;
  /** This rotation's secret values, each read once; the handler may start them before the gate answers. */
  readonly reads: SecretReads;
}

/** The two versions every step but finishSecret reads, memoized so each is fetched at most once. */
export interface SecretReads {
  current(): Promise<ParsedSecret<DatabaseSecret>>;
  /** The pending value for this token, or undefined while createSecret has not written it. */
  pending(): Promise<ParsedSecret<DatabaseSecret> | undefined>;
}

export function secretReads(store: SecretStore, secretId: string, token: string): SecretReads {
  let current: Promise<ParsedSecret<DatabaseSecret>> | undefined;
  let pending: Promise<ParsedSecret<DatabaseSecret> | undefined> | undefined;
  return {
    current: () =>
      (current ??= store.find(secretId, { stage: AWSCURRENT }).then((version) => {
        if (version?.secretString === undefined) {
          throw new RotationStateError(`secret ${secretId} has no AWSCURRENT value to rotate from`);
        }
        return parseSecretString(version.secretString, DatabaseSecretSchema, 'secret');
      })),
    pending: () =>
      (pending ??= store.find(secretId, { versionId: token, stage: AWSPENDING }).then((version) =>
        version?.secretString === undefined ? undefined : parseSecretString(version.secretString, DatabaseSecretSchema, 'pendingSecret'),
      )),
  };
}

/** What a step did, for the one log line per event. */
export interface StepOutcome {
  readonly strategy: string;
  readonly changed: boolean;
  readonly detail: string;
}

export function loadCurrent(ctx: RotationContext): Promise<ParsedSecret<DatabaseSecret>> {
  return ctx.reads.current();
}

export function loadPending(ctx: RotationContext): Promise<ParsedSecret<DatabaseSecret> | undefined> {
  return ctx.reads.pending();
}

export async function requirePending(ctx: RotationContext): Promise<ParsedSecret<DatabaseSecret>> {
  const pending = await loadPending(ctx);
  if (!pending) throw new RotationStateError(`secret ${ctx.secretArn} has no AWSPENDING value for version ${ctx.token}; createSecret must run first`);
  return pending;
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

export async function loadAdmin(ctx: RotationContext, masterArn: string): Promise<AdminSecret> {
  const version = await ctx.deps.store.find(masterArn, { stage: AWSCURRENT });
  if (version?.secretString === undefined) {
    throw new RotationStateError(`admin secret ${masterArn} (masterarn) has no AWSCURRENT value`);
  }
  return parseSecretString(version.secretString, AdminSecretSchema, 'adminSecret').fields;
}
