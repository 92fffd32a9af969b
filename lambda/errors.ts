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

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input (event, secret JSON, request, config) failed its schema. `field` is a dotted path. */
export class InvalidInputError extends PgRotatorError {
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
  readonly code = 'ROTATION_STATE';
}

/** Secrets Manager refused or failed a call; `operation` names the API call. */
export class SecretsManagerError extends PgRotatorError {
  readonly code = 'SECRETS_MANAGER';

  constructor(
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${message}`, options);
  }
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

/** A PostgreSQL or connection failure, translated by SQLSTATE or socket error code, never by message text. */
export class DatabaseError extends PgRotatorError {
  readonly code: `DB_${Uppercase<string>}`;

  constructor(
    readonly kind: DatabaseFailureKind,
    message: string,
    readonly sqlState?: string,
    options?: { cause?: unknown },
  ) {
    super(sqlState ? `${message} (SQLSTATE ${sqlState})` : message, options);
    this.code = `DB_${kind.toUpperCase().replace('-', '_')}` as `DB_${Uppercase<string>}`;
  }
}
