import type { ConnectionOptions, SecureContext } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { SslMode } from '../config/environment';
import { belowMinimum } from '../config/environment';
import { InvalidInputError } from '../errors';

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

/** What a secret says about TLS: libpq's sslmode, AWS's `ssl` key, a CA of its own. */
export interface SecretTls {
  readonly sslmode?: SslMode;
  readonly ssl?: boolean | string;
  readonly sslrootcertPem?: string;
}

/** The floors whoever reads a secret sets (the function's environment, an application's pool options). */
export interface TlsFloor {
  /** The sslmode of a secret that names none. */
  readonly sslmode: SslMode;
  /** No secret connects below it. */
  readonly minimum: SslMode;
  /** The CA every server must chain to, when the reader pins one; else a secret may bring its own. */
  readonly pinnedCaPem?: string;
  /** How messages name the reader (`the deployment`), its settings (`MINIMUM_SSLMODE`, `PGSSLROOTCERT`) and what connects. */
  readonly names: { readonly reader: string; readonly minimum: string; readonly pinnedCa: string; readonly connector: string };
}

/**
 * The TLS a secret connects with, above the reader's floors, which no secret lowers:
 * - an sslmode below the minimum is refused, naming the field (`sslmode`, or AWS's `ssl`) rather than raised
 *   silently, so whoever wrote the secret learns it;
 * - a secret's own CA (`sslrootcertPem`) is refused where the reader pins one, unless it is that CA: a writer of the
 *   secret could otherwise pair a host of theirs with a CA of theirs and pass verify-full.
 *
 * @param label the secret's name in messages (`secret`, `adminSecret`)
 * @throws InvalidInputError naming the secret's field
 */
export function securedTls(secret: SecretTls, floor: TlsFloor, label: string): TlsSettings {
  const mode = resolveSslMode(secret, floor.sslmode);
  if (belowMinimum(mode, floor.minimum)) {
    const field = secret.sslmode !== undefined ? 'sslmode' : 'ssl';
    throw new InvalidInputError(`${label}.${field}`, `asks for sslmode ${mode}, below ${floor.names.reader}'s minimum (${floor.names.minimum}=${floor.minimum}); no secret lowers it`);
  }
  if (secret.sslrootcertPem !== undefined && floor.pinnedCaPem !== undefined && secret.sslrootcertPem.trim() !== floor.pinnedCaPem.trim()) {
    throw new InvalidInputError(`${label}.sslrootcertPem`, `names a CA of its own, but ${floor.names.reader} pins ${floor.names.pinnedCa}: a secret cannot widen whom ${floor.names.connector} trusts`);
  }
  const caPem = secret.sslrootcertPem ?? floor.pinnedCaPem;
  return { mode, ...(caPem === undefined ? {} : { caPem }) };
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
