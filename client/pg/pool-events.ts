import { PgRotatorError } from '../../lambda/errors';
import type { ReadStage } from './secret-source';

/**
 * What a rotating pool tells `onEvent`: which version it reads and uses, refused logins, login switches. Events
 * name roles, versions and staging labels, never a password; `error` is our error's code and message, which name
 * the field, secret or operation and never a value.
 */
export type RotatingPoolEvent =
  /** A read of the secret. `fresh`: after a refused login, past any cache. */
  | { readonly type: 'secret-read'; readonly stage: ReadStage; readonly versionId: string; readonly username: string; readonly fresh: boolean }
  /** A read failed; the pool goes on with the credentials it has, if any. */
  | { readonly type: 'secret-read-failed'; readonly stage: ReadStage; readonly error: { readonly name: string; readonly code?: string; readonly message: string } }
  /** PostgreSQL refused a login with SQLSTATE 28P01. `retry`: it was the one retry, so the caller gets the error. */
  | { readonly type: 'login-refused'; readonly username: string; readonly versionId: string; readonly retry: boolean }
  /** New connections now log in as `to`; the connections of `from` finish their work and close. */
  | { readonly type: 'login-switched'; readonly from: string; readonly to: string }
  /** Every connection of a replaced login has closed. */
  | { readonly type: 'login-drained'; readonly username: string };

export type EventSink = (event: RotatingPoolEvent) => void;

/** An event sink that cannot throw into the pool: a failing listener must not fail a query. */
export function safeSink(listener: EventSink | undefined): EventSink {
  if (listener === undefined) return () => undefined;
  return (event) => {
    try {
      listener(event);
    } catch {
      // The application's listener failed; the pool's work goes on.
    }
  };
}

/** An error as an event may carry it: our errors' messages name no value; anything else is reduced to its name. */
export function describeReadError(error: unknown): { name: string; code?: string; message: string } {
  if (error instanceof PgRotatorError) return { name: error.name, code: error.code, message: error.message };
  return { name: error instanceof Error ? error.name : 'UnknownError', message: 'reading the secret failed' };
}
