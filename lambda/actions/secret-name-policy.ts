import { ENV } from '../config/environment';
import { InvalidInputError } from '../errors';

/** The action parameters that name a secret an action writes or deletes. */
const SECRET_NAME_PARAMS = ['secretName', 'deleteSecretName'] as const;

/**
 * Refuses an action that would write a secret outside the deployment's prefix (PASSWORD_SECRET_PREFIX), before
 * anything is read or changed; with no prefix declared, every secret write is refused. Only the prefix marks a secret
 * as pg-rotator's to write: the rotated secrets, their admin secrets and every other secret the function may read
 * belong to someone else, and an action writing one would hand its password to whoever reads that secret or bring a
 * retired one back.
 */
export function assertSecretNamesAllowed(params: Readonly<Record<string, unknown>>, prefix: string | undefined): void {
  for (const param of SECRET_NAME_PARAMS) {
    const value = params[param];
    if (typeof value !== 'string') continue;
    if (prefix === undefined) {
      throw new InvalidInputError(
        `request.params.${param}`,
        `names a secret to write, but the deployment declares no password-secret prefix (${ENV.passwordSecretPrefix}, from orchestration.passwordSecrets.namePrefix): without one, no action writes any secret`,
      );
    }
    if (!secretName(value).startsWith(prefix)) {
      throw new InvalidInputError(`request.params.${param}`, `must name a secret under "${prefix}" (${ENV.passwordSecretPrefix})`);
    }
  }
}

/** The name part of a secret ARN (`arn:…:secret:<name>-<6 characters>`), or the name as given. */
function secretName(secretId: string): string {
  const marker = ':secret:';
  const at = secretId.startsWith('arn:') ? secretId.indexOf(marker) : -1;
  return at === -1 ? secretId : secretId.slice(at + marker.length);
}
