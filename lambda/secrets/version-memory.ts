/**
 * What one container has lately read or written of each secret, so the next rotation step can start its logins
 * without waiting on Secrets Manager.
 *
 * A secret version never changes once written (PutSecretValue refuses a second value for a version id), so a
 * remembered value is exactly that version's value. Which version holds AWSCURRENT does change: that is only a
 * guess here, and whoever acts on it checks it against Secrets Manager first.
 *
 * Values live only in this container's memory, which held them anyway, and briefly: a rotation's four steps
 * follow one another within seconds, finishSecret forgets its secret, and anything else goes after a few minutes.
 */
export interface VersionMemory {
  /** The value of a version, if this container saw it lately. */
  valueOf(secretId: string, versionId: string): string | undefined;
  /** The version this container last saw holding AWSCURRENT: a guess until checked. */
  currentVersionOf(secretId: string): string | undefined;
  rememberValue(secretId: string, versionId: string, secretString: string): void;
  rememberCurrent(secretId: string, versionId: string): void;
  /**
   * Notes that this container logged in with a version's credentials (testSecret did, for the pending version), so
   * finishSecret in the same container need not log in again before it promotes that version.
   */
  rememberLoggedIn(secretId: string, versionId: string): void;
  /** Whether this container lately logged in with a version's credentials itself. */
  loggedIn(secretId: string, versionId: string): boolean;
  /** Drops everything remembered of a secret. */
  forget(secretId: string): void;
}

export interface VersionMemoryOptions {
  readonly ttlMs?: number;
  /** Secrets remembered at most; the one remembered longest ago goes first. */
  readonly maxSecrets?: number;
  readonly now?: () => number;
}

export const VERSION_MEMORY_TTL_MS = 5 * 60_000;

interface Remembered {
  readonly expires: number;
  currentVersionId?: string;
  readonly values: Map<string, string>;
  readonly loggedIn: Set<string>;
}

export function versionMemory(options: VersionMemoryOptions = {}): VersionMemory {
  const ttlMs = options.ttlMs ?? VERSION_MEMORY_TTL_MS;
  const maxSecrets = options.maxSecrets ?? 32;
  const now = options.now ?? Date.now;
  // Insertion order is age order: a secret's entry is made once, when first remembered, and expires whole.
  const secrets = new Map<string, Remembered>();

  const live = (secretId: string): Remembered | undefined => {
    const entry = secrets.get(secretId);
    if (entry !== undefined && entry.expires <= now()) {
      secrets.delete(secretId);
      return undefined;
    }
    return entry;
  };
  const entryFor = (secretId: string): Remembered => {
    let entry = live(secretId);
    if (entry === undefined) {
      entry = { expires: now() + ttlMs, values: new Map(), loggedIn: new Set() };
      secrets.set(secretId, entry);
      for (const oldest of secrets.keys()) {
        if (secrets.size <= maxSecrets) break;
        secrets.delete(oldest);
      }
    }
    return entry;
  };
  return {
    valueOf: (secretId, versionId) => live(secretId)?.values.get(versionId),
    currentVersionOf: (secretId) => live(secretId)?.currentVersionId,
    rememberValue: (secretId, versionId, secretString) => void entryFor(secretId).values.set(versionId, secretString),
    rememberCurrent: (secretId, versionId) => void (entryFor(secretId).currentVersionId = versionId),
    rememberLoggedIn: (secretId, versionId) => void entryFor(secretId).loggedIn.add(versionId),
    loggedIn: (secretId, versionId) => live(secretId)?.loggedIn.has(versionId) ?? false,
    forget: (secretId) => void secrets.delete(secretId),
  };
}

/** Remembers nothing: for a step that must read everything fresh. */
export const NO_MEMORY: VersionMemory = {
  valueOf: () => undefined,
  currentVersionOf: () => undefined,
  rememberValue: () => undefined,
  rememberCurrent: () => undefined,
  rememberLoggedIn: () => undefined,
  loggedIn: () => false,
  forget: () => undefined,
};
