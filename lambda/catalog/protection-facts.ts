import type { Session } from '../postgres/connect';
import { run } from '../postgres/role-changes';
import { protectionSql } from './protection-sql';

/** A role as the guard sees it: the attributes and relations that can make it protected. */
export interface LineageRole {
  readonly name: string;
  readonly login: boolean;
  readonly superuser: boolean;
  readonly createrole: boolean;
  readonly bypassrls: boolean;
  readonly replication: boolean;
  /** The admin login the action runs as. */
  readonly isAdmin: boolean;
  /** The admin holds its privileges or may SET ROLE to it (see protectionSql.lineage). */
  readonly adminHolds: boolean;
}

/** A named role and every role it is a member of, directly or through others. */
export interface Lineage {
  readonly self: LineageRole & { readonly comment: string | null };
  /** The roles it is a member of; `direct` when by a membership of its own rather than through another role. */
  readonly memberOf: readonly (LineageRole & { readonly direct: boolean })[];
}

/** What the catalog says about each named role that exists; a name absent from the map names no role. */
export type Lineages = ReadonlyMap<string, Lineage>;

/** One row of protectionSql.lineage. */
export interface LineageRow extends LineageRole {
  readonly role: string;
  readonly self: boolean;
  readonly direct: boolean;
  readonly comment: string | null;
}

/**
 * Reads the lineage of each named role in one round trip (protectionSql.lineage). Called inside the action's
 * transaction after its advisory locks, so what it reads is what the action then acts on.
 */
export async function readLineages(session: Session, names: readonly string[], versionNum: number): Promise<Lineages> {
  if (names.length === 0) return new Map();
  const { rows } = await run<LineageRow & Record<string, unknown>>(session, protectionSql.lineage([...new Set(names)], versionNum));
  return lineagesFrom(rows);
}

/** Groups the query's rows by named role (exported for tests that build lineages by hand). */
export function lineagesFrom(rows: readonly LineageRow[]): Lineages {
  const out = new Map<string, { self?: Lineage['self']; memberOf: Lineage['memberOf'][number][] }>();
  for (const row of rows) {
    const { role, self, direct, comment, ...facts } = row;
    const entry = out.get(role) ?? { memberOf: [] };
    if (self) entry.self = { ...facts, comment };
    else entry.memberOf.push({ ...facts, direct });
    out.set(role, entry);
  }
  const lineages = new Map<string, Lineage>();
  for (const [role, entry] of out) if (entry.self) lineages.set(role, { self: entry.self, memberOf: entry.memberOf });
  return lineages;
}
