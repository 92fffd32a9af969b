/**
 * What one container has lately read or written of each secret, so the next rotation step can start its logins
 * without waiting on Secrets Manager.
 *
 * A secret version never changes once written (PutSecretValue refuses a second value for a version id), so a
 * remembered value is exactly that version's value. Which version holds AWSCURRENT does change: that is only a
 * guess here, and whoever acts on it checks it against Secrets Manager first.
 *
 * Values live only in this container's memory, which held them anyway, and only for a few minutes: a rotation's
 * four steps follow one another within seconds.
 */
export interface VersionMemory {
  /** The value of a version, if this container saw it lately. */
  valueOf(secretId: string, versionId: string): string | undefined;
  /** The version this container last saw holding AWSCURRENT: a guess until checked. */
  currentVersionOf(secretId: string): string | undefined;
  rememberValue(secretId: string, versionId: string, secretString: string): void;
  rememberCurrent(secretId: string, versionId: string): void;
}

export interface VersionMemoryOptions {
  readonly ttlMs?: number;
  /** Oldest entries go first beyond this many. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export const VERSION_MEMORY_TTL_MS = 5 * 60_000;

export function versionMemory(options: VersionMemoryOptions = {}): VersionMemory {
  const ttlMs = options.ttlMs ?? VERSION_MEMORY_TTL_MS;
  const maxEntries = options.maxEntries ?? 64;
  const now = options.now ?? Date.now;
  // Insertion order is age order: an entry is deleted before it is set again.
  const entries = new Map<string, { readonly value: string; readonly expires: number }>();

  const get = (key: string): string | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.value;
  };
  const set = (key: string, value: string): void => {
    entries.delete(key);
    entries.set(key, { value, expires: now() + ttlMs });
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  };
  // JSON arrays as keys: no separator a secret id or version id could contain can make two keys collide.
  return {
    valueOf: (secretId, versionId) => get(JSON.stringify(['value', secretId, versionId])),
    currentVersionOf: (secretId) => get(JSON.stringify(['current', secretId])),
    rememberValue: (secretId, versionId, secretString) => set(JSON.stringify(['value', secretId, versionId]), secretString),
    rememberCurrent: (secretId, versionId) => set(JSON.stringify(['current', secretId]), versionId),
  };
}

/** Remembers nothing: for a step that must read everything fresh. */
export const NO_MEMORY: VersionMemory = {
  valueOf: () => undefined,
  currentVersionOf: () => undefined,
  rememberValue: () => undefined,
  rememberCurrent: () => undefined,
};
