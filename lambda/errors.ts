/**
 * The error family of pg-rotator. Every error thrown on purpose is a {@link PgRotatorError} with a stable
 * `code` that callers and alarms can match on; messages name the field, role, secret or SQLSTATE involved and
 * never a value that could be a credential.
 *
 * @example
 * throw new InvalidInputError('secret.port', 'must be an integer from 1 to 65535');
 */
export abstract class PgRotatorError extends Error {
  abstract readonly code: string;
  /**
   * The class's own name, written out as a string in every class: Lambda reports a failure's errorType from
   * `error.name`, alarms, RotationFailed events and the runbook key on it, and a minified bundle renames classes
   * (`new.target.name` would say "H"). test/unit/error-names.test.ts checks each matches its class.
   */
  abstract override readonly name: string;
}

/** Input (event, secret JSON, request, config) failed its schema. `field` is a dotted path. */
export class InvalidInputError extends PgRotatorError {
  override readonly name = 'InvalidInputError';
  readonly code = 'INVALID_INPUT';

  constructor(
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** The secret's rotation state does not allow the requested step (AWS's pre-step gate). */
export class RotationStateError extends PgRotatorError {
  override readonly name = 'RotationStateError';
  readonly code = 'ROTATION_STATE';
}

/**
 * Secrets Manager refused or failed a call; `operation` names the API call, `awsErrorName` AWS's error code (or the
 * socket's, when no answer came), `httpStatus` the answer's status when there was one.
 */
export class SecretsManagerError extends PgRotatorError {
  override readonly name = 'SecretsManagerError';
  readonly code = 'SECRETS_MANAGER';

  constructor(
    readonly operation: string,
    readonly awsErrorName: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${operation}: ${awsErrorName}: ${message}`);
  }
}

/** The pending login does not hold the same role memberships as the current one (alternating-owner). */
export class MembershipDriftError extends PgRotatorError {
  override readonly name = 'MembershipDriftError';
  readonly code = 'MEMBERSHIP_DRIFT';
}

/** What kind of database failure happened, so a runbook can say what to do. */
export type DatabaseFailureKind =
  | 'authentication'
  | 'network'
  | 'tls'
  | 'permission'
  | 'missing-role'
  | 'timeout'
  | 'query';

const DATABASE_ERROR_CODES = {
  authentication: 'DB_AUTHENTICATION',
  network: 'DB_NETWORK',
  tls: 'DB_TLS',
  permission: 'DB_PERMISSION',
  'missing-role': 'DB_MISSING_ROLE',
  timeout: 'DB_TIMEOUT',
  query: 'DB_QUERY',
} as const satisfies Record<DatabaseFailureKind, string>;

/** A PostgreSQL or connection failure, translated by SQLSTATE or socket error code, never by message text. */
export class DatabaseError extends PgRotatorError {
  override readonly name = 'DatabaseError';
  readonly code: (typeof DATABASE_ERROR_CODES)[DatabaseFailureKind];

  constructor(
    readonly kind: DatabaseFailureKind,
    message: string,
    readonly sqlState?: string,
    options?: { cause?: unknown },
  ) {
    super(sqlState ? `${message} (SQLSTATE ${sqlState})` : message, options);
    this.code = DATABASE_ERROR_CODES[kind];
  }
}

/** An action named a role that does not exist (and the action cannot be a no-op for it). */
export class RoleNotFoundError extends PgRotatorError {
  override readonly name = 'RoleNotFoundError';
  readonly code = 'ROLE_NOT_FOUND';
}

/** An action would create a role that already exists; its password is unknown to us, so we do not adopt it. */
export class RoleExistsError extends PgRotatorError {
  override readonly name = 'RoleExistsError';
  readonly code = 'ROLE_EXISTS';
}

/**
 * A role cannot be dropped as asked: it owns objects or holds privileges. `dependents` lists them as PostgreSQL
 * describes them (pg_describe_object), which names objects and databases, never values.
 */
export class DependentObjectsError extends PgRotatorError {
  override readonly name = 'DependentObjectsError';
  readonly code = 'ROLE_HAS_DEPENDENTS';

  constructor(
    message: string,
    readonly dependents: readonly string[],
  ) {
    super(message);
  }
}

/**
 * An orchestrator action was refused before anything changed: the reason is in the message. A refusal by the
 * permission policy or the protected roles names its rule (lambda/actions/guard-rules.ts), also at the start of
 * the message.
 *
 * @example
 * throw new ActionRefusedError('request.params.role: role "dba" is a superuser', { rule: 'protected.superuser' });
 */
export class ActionRefusedError extends PgRotatorError {
  override readonly name = 'ActionRefusedError';
  readonly code = 'ACTION_REFUSED';
  readonly rule?: string;

  constructor(message: string, options?: { rule?: string; cause?: unknown }) {
    super(options?.rule === undefined ? message : `${options.rule}: ${message}`, options);
    if (options?.rule !== undefined) this.rule = options.rule;
  }
}
