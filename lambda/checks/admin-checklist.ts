import { quoteIdentifier as q } from '../postgres/identifiers';
import type { ChecklistItem } from './test-request';

/** What the checklist is decided from, read by checklist-facts.ts. */
export interface ChecklistFacts {
  readonly admin: string;
  readonly versionNum: number;
  readonly superuser: boolean;
  readonly createrole: boolean;
  readonly signalBackend: boolean;
  readonly database: { readonly name: string; readonly canGrantConnect: boolean };
  readonly roles: readonly { readonly name: string; readonly exists: boolean; readonly superuser: boolean; readonly adminOption: boolean }[];
  readonly schemas: readonly {
    readonly name: string;
    readonly exists: boolean;
    /** Owners of the schema and of its objects whose privileges the admin does not hold. */
    readonly ownersWithoutPrivileges: readonly string[];
  }[];
}

const ROLE_ACTIONS = ['rotate-password', 'restore-password', 'lock-user', 'unlock-user', 'drop-user', 'grant-role', 'revoke-role'];
const STRATEGIES = ['strategy:admin', 'strategy:alternating', 'strategy:alternating-owner'];
const CREATING = ['create-read-only-user', 'create-temporary-user', 'expire-temporary-users'];
const PRIVILEGE_ACTIONS = ['revoke-all-privileges', 'grant-privileges', 'revoke-privileges', 'create-read-only-user'];

/**
 * What an admin login needs for each action and rotation strategy, and the SQL that grants what is missing.
 * Pure: decided from facts, so every rule is unit-tested without a server.
 * - CREATEROLE: creating, altering and dropping roles (CREATE ROLE, ALTER ROLE, DROP ROLE docs).
 * - PostgreSQL 16 and newer: ADMIN OPTION on each managed role; CREATEROLE alone no longer suffices ("Role
 *   Attributes"; release notes 16, E.9.3.1). Before 16, CREATEROLE cannot touch superusers. The fix grants it
 *   without INHERIT and SET: the admin needs to manage the role, not to hold its privileges, and a role whose
 *   privileges the admin holds is protected from every action (protected.admin-membership).
 * - GRANT/REVOKE on objects are made as the owner by its members, so the admin needs the privileges of every owner
 *   in the schemas it works in; ALTER DEFAULT PRIVILEGES FOR ROLE needs the same.
 * - pg_terminate_backend on other roles' sessions needs pg_signal_backend.
 */
export function adminChecklist(facts: ChecklistFacts): ChecklistItem[] {
  const me = q(facts.admin);
  const su = facts.superuser;
  const items: ChecklistItem[] = [
    item('login', true, ['everything'], `logged in as "${facts.admin}"`, null),
    item(
      'createrole',
      su || facts.createrole,
      [...ROLE_ACTIONS, ...CREATING, ...STRATEGIES],
      su ? 'superuser' : facts.createrole ? 'has CREATEROLE' : 'lacks CREATEROLE',
      `ALTER ROLE ${me} CREATEROLE`,
    ),
    item(
      'pg_signal_backend',
      su || facts.signalBackend,
      ['lock-user (terminateSessions)', 'drop-user (terminateSessions)', 'expire-temporary-users'],
      su || facts.signalBackend ? 'may end other roles\' sessions' : 'cannot end other roles\' sessions',
      `GRANT pg_signal_backend TO ${me}`,
    ),
    item(
      'database-connect-grant',
      su || facts.database.canGrantConnect,
      ['create-read-only-user'],
      `GRANT CONNECT ON DATABASE "${facts.database.name}" ${su || facts.database.canGrantConnect ? 'is' : 'is not'} allowed`,
      `GRANT CONNECT ON DATABASE ${q(facts.database.name)} TO ${me} WITH GRANT OPTION`,
    ),
  ];
  for (const role of facts.roles) {
    if (!role.exists) {
      items.push(item(`role:${role.name}`, false, [...ROLE_ACTIONS, ...STRATEGIES], `role "${role.name}" does not exist`, null));
    } else if (facts.versionNum >= 160000) {
      const ok = su || role.adminOption;
      items.push(item(`admin-option:${role.name}`, ok, [...ROLE_ACTIONS, ...STRATEGIES], `ADMIN OPTION on "${role.name}" ${ok ? 'held' : 'missing'} (needed on PostgreSQL 16+)`, `GRANT ${q(role.name)} TO ${me} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`));
    } else {
      const ok = su || !role.superuser;
      items.push(item(`manageable:${role.name}`, ok, [...ROLE_ACTIONS, ...STRATEGIES], ok ? `"${role.name}" can be managed with CREATEROLE` : `"${role.name}" is a superuser: only a superuser admin can manage it`, null));
    }
  }
  for (const schema of facts.schemas) {
    if (!schema.exists) {
      items.push(item(`schema:${schema.name}`, false, PRIVILEGE_ACTIONS, `schema "${schema.name}" does not exist`, null));
      continue;
    }
    const missing = su ? [] : schema.ownersWithoutPrivileges;
    items.push(
      item(
        `schema-owners:${schema.name}`,
        missing.length === 0,
        PRIVILEGE_ACTIONS,
        missing.length === 0 ? `holds the privileges of every owner in "${schema.name}"` : `lacks the privileges of ${missing.map((o) => `"${o}"`).join(', ')} in "${schema.name}"`,
        missing.map((owner) => `GRANT ${q(owner)} TO ${me}`).join('; '),
      ),
    );
  }
  return items;
}

function item(id: string, ok: boolean, neededBy: string[], detail: string, fix: string | null): ChecklistItem {
  return { id, ok, neededBy, detail, fix: ok ? null : fix };
}
