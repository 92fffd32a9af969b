import { ENV } from '../config/environment';
import { InvalidInputError } from '../errors';

/** The action parameters that name a secret an action writes or deletes. */
const SECRET_NAME_PARAMS = ['secretName', 'deleteSecretName'] as const;

/**
 * Refuses an action whose password secret lies outside the deployment's prefix (PASSWORD_SECRET_PREFIX), before
 * anything is read or changed. IAM grants the function write access to the secrets it rotates too, so without
 * this an orchestrator could overwrite one of them; with no prefix configured, every name is allowed.
 */
export function assertSecretNamesAllowed(params: Readonly<Record<string, unknown>>, prefix: string | undefined): void {
  if (prefix === undefined) return;
  for (const param of SECRET_NAME_PARAMS) {
    const value = params[param];
    if (typeof value === 'string' && !secretName(value).startsWith(prefix)) {
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
