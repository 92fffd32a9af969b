import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Strategy } from '../../lambda/config/environment';

/**
 * How the deployment binds a secret to its rotation: the strategy, the admin secret, the login(s) and the owner role.
 * The rotation takes them from here (the bindings file or the `pg-rotator:*` tags the construct writes), never from
 * the secret's value, and refuses a value that disagrees. One shape for every way a secret is declared: a scheduled
 * rotation, an inline one, a tagged secret, an attachment.
 */
export interface SecretBinding {
  /**
   * The admin (master) secret whose login changes the password, read-only for the function. The rotation function
   * must declare it (ADMIN_SECRET_ARNS), and a secret whose `masterarn` names another is refused.
   * @default - none (single-user)
   */
  readonly adminSecret?: ISecret;
  /**
   * The strategy.
   * @default - with adminSecret: `connection.defaultStrategy`, else 'alternating' (what AWS's functions do with a
   * masterarn); without: 'single-user'
   */
  readonly strategy?: Strategy;
  /** The login the secret holds. Required for the admin strategies: the admin changes only this login (and its pair). */
  readonly username?: string;
  /** The alternating pair's second login. @default - `<username>_clone` (AWS's scheme) */
  readonly alternateUsername?: string;
  /** alternating-owner: the NOLOGIN role both logins act as. */
  readonly ownerRole?: string;
  /**
   * Companion secrets, one per login, each holding that login's newest password (for RDS Proxy): the function may
   * describe and write them, never read them. @default - none
   */
  readonly companionSecrets?: { readonly username?: ISecret; readonly alternateUsername?: ISecret };
}
