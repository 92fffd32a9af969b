import { quoteLiteral } from '../postgres/identifiers';

/** What replaces a password verifier wherever a statement is shown rather than executed. */
export const REDACTED = '[redacted]';

/**
 * One statement an action sends, as executed (`text`, `values`) and as shown to callers, the audit log and the
 * dry run (`shown`). The two differ only where a password verifier is replaced by {@link REDACTED} and where
 * `$n` parameters are written out as literals, so a dry run shows exactly what the real run executes.
 */
export interface PlannedStatement {
  readonly text: string;
  readonly values?: readonly string[];
  readonly shown: string;
}

/**
 * A statement without parameters or secrets.
 *
 * @example
 * statement('ALTER ROLE "app" NOLOGIN').shown // 'ALTER ROLE "app" NOLOGIN'
 */
export function statement(text: string): PlannedStatement {
  return { text, shown: text };
}

/**
 * A statement with `$n` parameters (used where PostgreSQL accepts them: queries, not utility statements). The
 * shown text has each parameter written as the literal it stands for.
 *
 * @example
 * parameterized('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', ['app']).shown
 * // "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'"
 */
export function parameterized(text: string, values: readonly string[]): PlannedStatement {
  const shown = text.replace(/\$(\d+)/g, (match, index: string) => {
    const value = values[Number(index) - 1];
    return value === undefined ? match : quoteLiteral(value);
  });
  return { text, values, shown };
}

/**
 * A role statement that carries a password verifier (`… PASSWORD '<verifier>' …`). The verifier is what the
 * server stores (SCRAM or md5), never the plaintext, and is still redacted from the shown text: a SCRAM verifier
 * allows an offline guessing attack, and callers have no use for it.
 *
 * @example
 * withPassword('ALTER ROLE "app"', verifier).shown // `ALTER ROLE "app" PASSWORD '[redacted]'`
 */
export function withPassword(head: string, verifier: string, tail = ''): PlannedStatement {
  return {
    text: `${head} PASSWORD ${quoteLiteral(verifier)}${tail}`,
    shown: `${head} PASSWORD '${REDACTED}'${tail}`,
  };
}
