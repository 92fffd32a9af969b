/**
 * Where a rotating pool reads its secret from. A source reads one staging label of one secret and says which
 * version it got; it does not cache (the Agent and the Lambda extension cache on their side, and `fresh` asks them
 * not to). The pool's own cache and refresh rules live in secret-follower.ts.
 */

/** The two labels a pool reads: the one every client uses, and the one a rotation in flight has written. */
export type ReadStage = 'AWSCURRENT' | 'AWSPENDING';

/** One version of the secret, as read. */
export interface SecretVersionRead {
  readonly versionId: string;
  readonly secretString: string;
}

/**
 * Reads a staging label of the pool's secret.
 *
 * @example
 * // Powertools Parameters (or any cache of your own) as the source:
 * const source: SecretSource = {
 *   async read(stage, { fresh }) {
 *     const out = await secretsProvider.get(secretId, { forceFetch: fresh, sdkOptions: { VersionStage: stage }, transform: undefined });
 *     return ...;
 *   },
 * };
 */
export interface SecretSource {
  /**
   * The version holding `stage`, or undefined when no version holds it (AWSPENDING outside a rotation).
   * `fresh`: bypass any cache between here and Secrets Manager (after a refused login).
   *
   * @throws SecretsManagerError naming the operation and AWS's error name, never a value.
   */
  read(stage: ReadStage, options: { readonly fresh: boolean }): Promise<SecretVersionRead | undefined>;
}
