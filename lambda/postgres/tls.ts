import type { ConnectionOptions, SecureContext } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { SslMode } from '../config/environment';

/** What a secret (or the environment) says about TLS. */
export interface TlsSettings {
  readonly mode: SslMode;
  /** PEM bundle that replaces the default CA store (the runtime's, which holds the RDS CAs). */
  readonly caPem?: string;
}

/** One way of opening the connection: plaintext, or TLS with these options for node:tls. */
export type ConnectionAttempt =
  | { readonly tls: false }
  | { readonly tls: ConnectionOptions & { readonly verification: 'none' | 'chain' | 'chain-and-host' } };

/**
 * The attempts libpq makes for an sslmode (libpq docs, "SSL Support", table 34.1), in order:
 * - disable: plaintext only; allow: plaintext, then TLS; prefer: TLS, then plaintext;
 * - require: TLS; verify-ca: TLS, chain verified; verify-full: chain and host name verified.
 * In allow, prefer and require, a TLS attempt verifies nothing unless a root certificate is given: then it
 * verifies the chain, as libpq does whenever `sslrootcert` exists ("the server's certificate will be verified to
 * be signed by one of these authorities"), so prefer falls back to plaintext on a certificate from another CA.
 * A later attempt is made only when the earlier one failed; see `shouldTryNextAttempt` in errors.ts for which failures.
 */
export function connectionAttempts(settings: TlsSettings): ConnectionAttempt[] {
  const unverified: ConnectionAttempt = { tls: { verification: 'none', rejectUnauthorized: false } };
  const ca = settings.caPem === undefined ? {} : { ca: settings.caPem };
  const chainOnly: ConnectionAttempt = {
    // Node checks the host name in checkServerIdentity; verify-ca skips exactly that part.
    tls: { verification: 'chain', rejectUnauthorized: true, checkServerIdentity: () => undefined, ...ca },
  };
  const full: ConnectionAttempt = { tls: { verification: 'chain-and-host', rejectUnauthorized: true, ...ca } };
  const tlsAttempt = settings.caPem === undefined ? unverified : chainOnly;
  switch (settings.mode) {
    case 'disable':
      return [{ tls: false }];
    case 'allow':
      return [{ tls: false }, tlsAttempt];
    case 'prefer':
      return [tlsAttempt, { tls: false }];
    case 'require':
      return [tlsAttempt];
    case 'verify-ca':
      return [chainOnly];
    case 'verify-full':
      return [full];
  }
}

/**
 * The sslmode a secret asks for. Precedence: the secret's `sslmode`, then AWS's `ssl` key, then the
 * function's default (PGSSLMODE, verify-full unless set).
 *
 * AWS's `ssl` key: true / "true" → TLS verified against the CA store (AWS uses verify-full), false / "false" →
 * no TLS. Where AWS would try TLS and silently fall back to plaintext (key absent or any other value), we use the
 * default instead: a downgrade happens only when a secret asks for allow or prefer.
 */
export function resolveSslMode(secret: { sslmode?: SslMode; ssl?: boolean | string }, fallback: SslMode): SslMode {
  if (secret.sslmode !== undefined) return secret.sslmode;
  const ssl = typeof secret.ssl === 'string' ? secret.ssl.toLowerCase() : secret.ssl;
  if (ssl === true || ssl === 'true') return 'verify-full';
  if (ssl === false || ssl === 'false') return 'disable';
  return fallback;
}

/**
 * node-postgres's `ssl` for an attempt: false for plaintext, else node:tls options. A given CA becomes a secure
 * context built once per PEM and reused: parsing a CA bundle for every connection is most of a TLS login's CPU time.
 */
export function nodeTlsOptions(attempt: ConnectionAttempt): false | ConnectionOptions {
  if (attempt.tls === false) return false;
  const { verification: _verification, ca, ...tlsOptions } = attempt.tls;
  return typeof ca === 'string' ? { ...tlsOptions, secureContext: secureContextFor(ca) } : tlsOptions;
}

const secureContexts = new Map<string, SecureContext>();

function secureContextFor(caPem: string): SecureContext {
  let context = secureContexts.get(caPem);
  if (context === undefined) {
    context = createSecureContext({ ca: caPem });
    secureContexts.set(caPem, context);
  }
  return context;
}
