import { readFileSync } from 'node:fs';
import type { Environment } from './environment';
import { ENV, readEnvironment } from './environment';
import { InvalidInputError } from '../errors';

/** Everything the function reads from its environment, resolved once per container. */
export interface Settings {
  readonly env: Environment;
  /** PGSSLROOTCERT's contents: replaces the default CA store where a secret brings no CA of its own. */
  readonly defaultCaPem: string | undefined;
}

export function loadSettings(source: NodeJS.ProcessEnv = process.env): Settings {
  const env = readEnvironment(source);
  const caPath = env[ENV.sslRootCert];
  // libpq's sslrootcert=system means the default store, which is what no CA means here.
  if (caPath === undefined || caPath === 'system') return { env, defaultCaPem: undefined };
  try {
    return { env, defaultCaPem: readFileSync(caPath, 'utf8') };
  } catch {
    throw new InvalidInputError(`environment.${ENV.sslRootCert}`, 'names a file that cannot be read');
  }
}
