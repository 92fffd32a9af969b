import type { GrantAuthorityRow, GrantObject } from '../catalog/catalog';
import type { Grant } from './grants';
import { describeGrantObject } from './grants';

/**
 * Whom PostgreSQL records as the grantor of a GRANT, predicted from the catalogue so that a plan (and its dry run)
 * reports, and its rollback revokes, the grant as it will be recorded. PostgreSQL's select_best_grantor: a superuser
 * or the owner grants as the owner; otherwise the issuing role itself when it holds every needed grant option;
 * otherwise the first role, in membership order, whose privileges it holds and that holds them all (the owner
 * always does). When none holds them all PostgreSQL grants what it can and only warns, so a plan refuses that.
 */

/** A grant on an object (not a default privilege): what has a grantor. */
export type ObjectGrant = Exclude<Grant, { on: 'default' }>;

/** The object a grant names, and the role that issues it: the request's grantor, as grantStatements runs it. */
export function grantObjectOf(grant: ObjectGrant): GrantObject {
  return {
    kind: grant.on,
    schema: grant.schema,
    name: 'name' in grant ? grant.name : null,
    column: grant.on === 'column' ? grant.column : null,
    arguments: grant.on === 'function' ? grant.arguments : null,
    actor: grant.grantor,
  };
}

/** One object's identity, whatever the grantor, privileges or grant option: a key to match grants on it. */
export function objectIdentity(grant: ObjectGrant): string {
  const object = grantObjectOf(grant);
  return JSON.stringify([object.kind, object.schema, object.name, object.column, object.arguments]);
}

/** Why a grant would not be made as asked: the grant's field at fault, and what is wrong. */
export interface GrantRefusal {
  readonly field: 'schema' | 'name' | 'column' | 'grantor';
  readonly problem: string;
}

/**
 * The grantor PostgreSQL would record for a GRANT of exactly these privileges issued by `grant.grantor`, or why it
 * would not be made as asked. REVOKE picks its grantor the same way.
 */
export function recordedGrantor(grant: ObjectGrant, authority: GrantAuthorityRow): { readonly grantor: string } | GrantRefusal {
  const { owner } = authority;
  const object = describeGrantObject(grant);
  if (owner === undefined) return { field: grant.on === 'schema' ? 'schema' : grant.on === 'column' ? 'column' : 'name', problem: `names no ${object}` };
  if (!authority.actorExists) return { field: 'grantor', problem: `names no role "${grant.grantor}" in this cluster` };
  if (authority.actorIsOwnerOrSuperuser) return { grantor: owner };
  const holdsAll = (role: string) => grant.privileges.every((p) => authority.optionHolders.some((h) => h.role === role && h.privilege === p));
  const actor = grant.grantor;
  if (holdsAll(actor)) return { grantor: actor };
  const others = [...new Set(authority.optionHolders.map((h) => h.role))].filter((role) => role !== actor && holdsAll(role));
  const candidates = [...(authority.actsAsOwner ? [owner] : []), ...others];
  const privileges = grant.privileges.join(', ');
  if (candidates.length === 1) return { grantor: candidates[0] as string };
  if (candidates.length === 0) {
    return { field: 'grantor', problem: `"${actor}" holds no grant option for ${privileges} on ${object}: PostgreSQL would grant nothing it lacks and only warn` };
  }
  const names = candidates.map((role) => `"${role}"`).join(', ');
  return {
    field: 'grantor',
    problem: `"${actor}" holds the grant option for ${privileges} on ${object} only through ${names}, and PostgreSQL would record whichever comes first in its memberships: name one of them as grantor`,
  };
}

/**
 * The grant split by the grantor PostgreSQL records for each of its privileges, each group then issued in one
 * statement. One statement records one grantor for all it lists, and the issuing role may hold some grant options
 * itself and take others from the owner, so the prediction is made per privilege. A group's grantor is what a
 * statement of that group alone records: each privilege had exactly one candidate grantor, so every privilege in the
 * group has that candidate in common, and no other. A privilege PostgreSQL would not grant as asked keeps the listed
 * grantor, and `refusal` says why (the first such).
 */
export function recordedGrants(grant: ObjectGrant, authority: GrantAuthorityRow): { readonly grants: ObjectGrant[]; readonly refusal: GrantRefusal | undefined } {
  const byGrantor = new Map<string, ObjectGrant['privileges'][number][]>();
  let refusal: GrantRefusal | undefined;
  for (const privilege of grant.privileges) {
    const recorded = recordedGrantor({ ...grant, privileges: [privilege] }, authority);
    const grantor = 'grantor' in recorded ? recorded.grantor : grant.grantor;
    if (!('grantor' in recorded)) refusal ??= recorded;
    byGrantor.set(grantor, [...(byGrantor.get(grantor) ?? []), privilege]);
  }
  return { grants: [...byGrantor].map(([grantor, privileges]) => ({ ...grant, grantor, privileges })), refusal };
}

/**
 * Whether the session's own login, issuing a statement of this grant, would have PostgreSQL record `grant.grantor`:
 * it then runs without SET ROLE, which from PostgreSQL 16 needs a SET option the admin may lack.
 */
export function recordsAsSessionUser(grant: ObjectGrant, sessionAuthority: GrantAuthorityRow | undefined, sessionUser: string): boolean {
  if (sessionAuthority === undefined || !sessionAuthority.actorHasSchemaUsage) return false;
  return grant.privileges.every((privilege) => {
    const recorded = recordedGrantor({ ...grant, privileges: [privilege], grantor: sessionUser }, sessionAuthority);
    return 'grantor' in recorded && recorded.grantor === grant.grantor;
  });
}
