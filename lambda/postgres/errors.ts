import type { DatabaseFailureKind } from '../errors';
import { DatabaseError } from '../errors';

/** SQLSTATE classes and codes we explain (PostgreSQL Appendix A). */
const KIND_BY_SQLSTATE: Readonly<Record<string, DatabaseFailureKind>> = {
  '28P01': 'authentication', // invalid_password (also an unknown role: the server does not say which)
  '28000': 'authentication', // invalid_authorization_specification: pg_hba rejected, or role cannot log in
  '42501': 'permission', // insufficient_privilege
  '0LP01': 'permission', // invalid_grant_operation
  '42704': 'missing-role', // undefined_object
  '3D000': 'missing-role', // invalid_catalog_name: the database does not exist
  '57014': 'timeout', // query_canceled: statement_timeout
  '55P03': 'timeout', // lock_not_available: lock_timeout, waiting on a lock another session holds
  '57P01': 'network', // admin_shutdown: the server went away mid-session
  '57P03': 'network', // cannot_connect_now: starting up or shutting down
  '53300': 'network', // too_many_connections
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE']);

const WHAT: Readonly<Record<DatabaseFailureKind, string>> = {
  authentication: 'authentication failed',
  network: 'could not reach the server',
  tls: 'TLS negotiation or certificate verification failed',
  permission: 'permission denied',
  'missing-role': 'role or database does not exist',
  timeout: 'timed out',
  query: 'statement failed',
};

/**
 * node-postgres raises one fixed message, with no code, when the server answers 'N' to an SSLRequest
 * (lib/connection.js). It is the driver's own constant, not server text, so matching it is stable.
 */
export const SERVER_REFUSED_TLS = 'The server does not support SSL connections';

/** node-postgres's own message when a query gets no answer within query_timeout (lib/client.js): a constant too. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

/** Classifies a driver or server error: by SQLSTATE, then by Node's socket or TLS error code. */
export function failureKind(error: unknown): DatabaseFailureKind {
  const code = errorCode(error);
  if (code !== undefined) {
    const bySqlState = KIND_BY_SQLSTATE[code];
    if (bySqlState) return bySqlState;
    if (NETWORK_CODES.has(code)) return 'network';
    if (isTlsErrorCode(code)) return 'tls';
    if (/^[0-9A-Z]{5}$/.test(code)) return code.startsWith('28') ? 'authentication' : 'query';
  }
  if (error instanceof Error && error.message === SERVER_REFUSED_TLS) return 'tls';
  if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) return 'timeout';
  return 'network';
}

/**
 * Whether a failed connection attempt lets the next attempt of an sslmode run (libpq's order, tls.ts): after a
 * refused TLS request or a failed handshake, or when pg_hba refused this kind of connection (hostssl vs hostnossl,
 * SQLSTATE 28000) and the other kind may be accepted. A wrong password is never a reason to try again.
 */
export function shouldTryNextAttempt(error: unknown): boolean {
  return failureKind(error) === 'tls' || errorCode(error) === '28000';
}

function isTlsErrorCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'EPROTO'
  );
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/**
 * Turns any connection or statement failure into a {@link DatabaseError} naming what we were doing, the role
 * and the host. The server's message is kept (it names roles and objects, never a password: we send verifiers,
 * not passwords); the driver's error, which may hold the connection config, is not kept as `cause`.
 */
export function toDatabaseError(error: unknown, context: { readonly doing: string; readonly role: string; readonly host: string }): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const kind = failureKind(error);
  const code = errorCode(error);
  const sqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const detail = serverMessage(error, sqlState !== undefined || code !== undefined || isDriverConstant(error));
  const message = `${context.doing} as role "${context.role}" on ${context.host}: ${WHAT[kind]}${detail ? ` (${detail})` : ''}`;
  return new DatabaseError(kind, message, sqlState);
}

/**
 * node-postgres's own fixed messages for a connection that went away (lib/client.js), safe to repeat. Any other
 * message without a code could come from anywhere and is not.
 */
const DRIVER_CONSTANTS = new Set([SERVER_REFUSED_TLS, QUERY_READ_TIMEOUT, 'Connection terminated unexpectedly', 'Connection terminated']);

function isDriverConstant(error: unknown): boolean {
  return error instanceof Error && DRIVER_CONSTANTS.has(error.message);
}

function serverMessage(error: unknown, trusted: boolean): string | undefined {
  if (!trusted || !(error instanceof Error)) return undefined;
  const code = errorCode(error);
  // Socket errors carry the address in their message already; keep the code, which is what a runbook needs.
  if (code !== undefined && NETWORK_CODES.has(code)) return code;
  return error.message.slice(0, 300);
}
