import { randomBytes } from 'node:crypto';
import { HarnessError } from './errors.js';

const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
let counter = 0;

/**
 * A fresh lowercase identifier, unique across test workers and runs sharing one server: the prefix, a
 * per-process counter and 8 random hex characters. It is a valid unquoted PostgreSQL identifier of at most
 * 53 characters (NAMEDATALEN is 64), so tests may still quote it, as production code always should.
 *
 * @example
 * uniqueName('app_user'); // 'app_user_3_9f2c41d0'
 */
export function uniqueName(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new HarnessError(
      'INVALID_ENVIRONMENT',
      `name prefix "${prefix}" must be 1 to 40 characters of a-z, 0-9 and _, starting with a letter`,
    );
  }
  counter += 1;
  return `${prefix}_${counter}_${randomBytes(4).toString('hex')}`;
}
