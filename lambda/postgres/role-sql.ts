import { quoteIdentifier, quoteLiteral } from './identifiers';

/**
 * SQL text for role changes. PostgreSQL takes no `$n` parameters in utility statements (CREATE/ALTER ROLE,
 * GRANT), so names go through {@link quoteIdentifier} and values through {@link quoteLiteral}; the password is
 * always a verifier (SCRAM or md5), never the plaintext. Queries that can be parameterised are.
 */
export interface Statement {
  readonly text: string;
  readonly values?: readonly unknown[];
}

export const roleSql = {
  setPassword: (role: string, verifier: string): Statement => ({
    text: `ALTER ROLE ${quoteIdentifier(role)} PASSWORD ${quoteLiteral(verifier)}`,
  }),
  createLogin: (role: string, verifier: string): Statement => ({
    text: `CREATE ROLE ${quoteIdentifier(role)} LOGIN PASSWORD ${quoteLiteral(verifier)}`,
  }),
  createGroup: (role: string): Statement => ({ text: `CREATE ROLE ${quoteIdentifier(role)} NOLOGIN` }),
  grantMembership: (group: string, member: string): Statement => ({
    text: `GRANT ${quoteIdentifier(group)} TO ${quoteIdentifier(member)}`,
  }),
  /** New sessions of `login` act as `group` (SET ROLE), so what they create is owned by the group. */
  defaultToRole: (login: string, group: string): Statement => ({
    text: `ALTER ROLE ${quoteIdentifier(login)} SET role = ${quoteLiteral(group)}`,
  }),
  roleExists: (role: string): Statement => ({ text: 'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', values: [role] }),
  /** Direct memberships of a role, sorted, readable by any role (pg_auth_members is world-readable). */
  memberships: (role: string): Statement => ({
    text: `SELECT g.rolname AS role
             FROM pg_catalog.pg_auth_members m
             JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
             JOIN pg_catalog.pg_roles u ON u.oid = m.member
            WHERE u.rolname = $1
            ORDER BY 1`,
    values: [role],
  }),
  isMember: (group: string, member: string): Statement => ({
    text: `SELECT 1
             FROM pg_catalog.pg_auth_members m
             JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
             JOIN pg_catalog.pg_roles u ON u.oid = m.member
            WHERE g.rolname = $1 AND u.rolname = $2`,
    values: [group, member],
  }),
  /**
   * The cluster's system identifier, set by initdb and shared by its physical replicas: which server this is,
   * whatever host name reached it. Null where pg_control_system() is not available to the login.
   */
  systemIdentifier: (): Statement => ({
    text: `SELECT CASE WHEN pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')
                       THEN (SELECT c.system_identifier::text FROM pg_catalog.pg_control_system() c) END AS id`,
  }),

  serverFacts: (): Statement => ({
    text: `SELECT current_setting('server_version_num')::int AS version_num,
                  current_setting('password_encryption') AS password_encryption`,
  }),
} as const;
