/**
 * What the guard suites share: the audit record of a response, a refusal as the caller sees it, and a snapshot of
 * everything an action could change about a set of roles (discovery plus the password verifiers, which discovery
 * does not show), so "nothing changed" is one comparison.
 */
import { escapeIdentifier as q } from 'pg';
import { expect } from 'vitest';
import type { DiscoveryResult } from '../../lambda/discovery/discovery';
import type { Response } from '../../lambda/requests/envelope';
import type { Rig, Scenario } from './rig';

/** The audit record the function wrote for a response. */
export function auditOf(rig: Rig, requestId: string): Record<string, unknown> | undefined {
  const line = rig.stack.functionLog.find((l) => l.includes(requestId) && l.includes('"message":"audit"'));
  return line === undefined ? undefined : (JSON.parse(line) as { audit: Record<string, unknown> }).audit;
}

/** The response is ACTION_REFUSED by `rule`, and so is its audit record. */
export function expectRefused(rig: Rig, response: Response, rule: string, label = ''): void {
  expect(response.error, `${label} ${JSON.stringify(response.error)}`).toMatchObject({ code: 'ACTION_REFUSED', rule });
  expect(response.ok).toBe(false);
  expect(response.result).toBeNull();
  expect(auditOf(rig, response.requestId), `${label} audit`).toMatchObject({ outcome: 'error', errorCode: 'ACTION_REFUSED', rule });
}

/** Everything about these roles an action could change: attributes, memberships, privileges and password verifiers. */
export interface RoleSnapshot {
  readonly discovered: DiscoveryResult;
  readonly verifiers: Record<string, unknown>[];
}

export async function snapshot(s: Scenario, roles: readonly string[]): Promise<RoleSnapshot> {
  const discovered = await s.discover(roles);
  // pg_authid, as the superuser: discovery never shows password verifiers, and a changed one is a taken account.
  const verifiers = await s.su('SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolname = ANY($1) ORDER BY 1', [[...roles]]);
  return { discovered, verifiers };
}

/** Creates a role once per cluster (roles are cluster-wide; a managed service would have made it). */
export async function ensureRole(s: Scenario, name: string, attributes = 'NOLOGIN'): Promise<void> {
  await s.su(`DO $$ BEGIN CREATE ROLE ${q(name)} ${attributes}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
}
