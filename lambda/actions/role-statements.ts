import { quoteIdentifier as q, quoteLiteral } from '../postgres/identifiers';
import type { PlannedStatement } from './planned-statement';
import { parameterized, statement, withPassword } from './planned-statement';

/** Options of a role membership. INHERIT and SET exist per membership from PostgreSQL 16 on. */
export interface MembershipOptions {
  readonly admin?: boolean;
  readonly inherit?: boolean;
  readonly set?: boolean;
}

/** Attributes a new login may get besides its password. */
export interface LoginAttributes {
  readonly connectionLimit?: number;
  /** An ISO 8601 timestamp; after it the password no longer authenticates (ALTER ROLE … VALID UNTIL). */
  readonly validUntil?: string;
}

/**
 * The utility statements the actions send (CREATE/ALTER/DROP ROLE, GRANT/REVOKE of roles, REASSIGN/DROP OWNED,
 * COMMENT). PostgreSQL takes no `$n` parameters in utility statements, so names go through quoteIdentifier and
 * values through quoteLiteral, after the request schema validated them; passwords arrive as verifiers.
 */
export const roleStatements = {
  createLogin(role: string, verifier: string, attributes: LoginAttributes = {}): PlannedStatement {
    const limit = attributes.connectionLimit === undefined ? '' : ` CONNECTION LIMIT ${Math.trunc(attributes.connectionLimit)}`;
    const until = attributes.validUntil === undefined ? '' : ` VALID UNTIL ${quoteLiteral(attributes.validUntil)}`;
    return withPassword(`CREATE ROLE ${q(role)} LOGIN`, verifier, `${limit}${until}`);
  },

  setPassword(role: string, verifier: string): PlannedStatement {
    return withPassword(`ALTER ROLE ${q(role)}`, verifier);
  },

  /** LOGIN or NOLOGIN. NOLOGIN refuses new sessions only; open ones go on until terminated. */
  setLogin(role: string, login: boolean): PlannedStatement {
    return statement(`ALTER ROLE ${q(role)} ${login ? 'LOGIN' : 'NOLOGIN'}`);
  },

  dropRole(role: string): PlannedStatement {
    return statement(`DROP ROLE ${q(role)}`);
  },

  comment(role: string, text: string): PlannedStatement {
    return statement(`COMMENT ON ROLE ${q(role)} IS ${quoteLiteral(text)}`);
  },

  /**
   * GRANT of a role. Before 16 the only option is ADMIN (`WITH ADMIN OPTION`); from 16 on each option is written
   * explicitly (`WITH ADMIN TRUE, INHERIT FALSE, SET TRUE`) when given, so a rollback restores exactly the
   * membership that was revoked. GRANTED BY records who granted it (PostgreSQL 16: "the grant is recorded as
   * having been done by the specified role").
   */
  grantRole(granted: string, member: string, options: MembershipOptions, versionNum: number, grantedBy?: string): PlannedStatement {
    const by = grantedBy === undefined ? '' : ` GRANTED BY ${q(grantedBy)}`;
    let withClause = '';
    if (versionNum >= 160000) {
      const parts = [
        options.admin === undefined ? undefined : `ADMIN ${options.admin ? 'TRUE' : 'FALSE'}`,
        options.inherit === undefined ? undefined : `INHERIT ${options.inherit ? 'TRUE' : 'FALSE'}`,
        options.set === undefined ? undefined : `SET ${options.set ? 'TRUE' : 'FALSE'}`,
      ].filter((part) => part !== undefined);
      withClause = parts.length > 0 ? ` WITH ${parts.join(', ')}` : '';
    } else if (options.admin === true) {
      withClause = ' WITH ADMIN OPTION';
    }
    return statement(`GRANT ${q(granted)} TO ${q(member)}${withClause}${by}`);
  },

  revokeRole(granted: string, member: string, grantedBy?: string): PlannedStatement {
    const by = grantedBy === undefined ? '' : ` GRANTED BY ${q(grantedBy)}`;
    return statement(`REVOKE ${q(granted)} FROM ${q(member)}${by}`);
  },

  reassignOwned(role: string, to: string): PlannedStatement {
    return statement(`REASSIGN OWNED BY ${q(role)} TO ${q(to)}`);
  },

  /** Drops what the role still owns in this database and revokes every privilege granted to it here and on shared objects. */
  dropOwned(role: string): PlannedStatement {
    return statement(`DROP OWNED BY ${q(role)}`);
  },

  grantConnect(database: string, role: string): PlannedStatement {
    return statement(`GRANT CONNECT ON DATABASE ${q(database)} TO ${q(role)}`);
  },

  setRole(role: string): PlannedStatement {
    return statement(`SET ROLE ${q(role)}`);
  },

  resetRole(): PlannedStatement {
    return statement('RESET ROLE');
  },

  /**
   * Ends every other session of the role (pg_terminate_backend; needs pg_signal_backend, or superuser for a
   * superuser's sessions) and returns how many it ended. Sessions are matched by the role's OID (usesysid): after
   * DROP ROLE, pg_stat_activity no longer has a name for them. Run after COMMIT: ending sessions cannot be rolled
   * back, and before the commit a terminated client could log straight back in.
   */
  terminateSessions(roleOid: string): PlannedStatement {
    return parameterized(
      'SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid))::int AS terminated FROM pg_catalog.pg_stat_activity WHERE usesysid = $1 AND pid <> pg_catalog.pg_backend_pid()',
      [roleOid],
    );
  },
} as const;
