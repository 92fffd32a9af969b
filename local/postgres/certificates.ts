import { webcrypto } from 'node:crypto';
// @peculiar/x509 decorates its ASN.1 schemas with the Reflect metadata API; the polyfill must load first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** The host name in the certificate of the `wrong-host` variant: never resolvable (RFC 6761 `.invalid`). */
export const WRONG_HOST_NAME = 'db.wrong-host.invalid';

/** Names the server certificate of the `tls` variants is valid for: how tests reach a local server. */
export const LOCAL_SERVER_NAMES = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
}

/** The test PKI of one run. Nothing is written to disk here; keys exist only in memory until a cluster needs them. */
export interface TestCertificates {
  /** The CA clients trust for every local variant. */
  readonly caPem: string;
  /** Signed by the CA, valid for {@link LOCAL_SERVER_NAMES}. */
  readonly localServer: CertificateAndKey;
  /** Signed by the same CA, valid only for {@link WRONG_HOST_NAME}: passes CA-only checks, fails host-name checks. */
  readonly wrongHostServer: CertificateAndKey;
  /** A CA that signed nothing the servers present: trusting only it must fail every TLS handshake. */
  readonly otherCaPem: string;
}

const crypto = webcrypto;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * Creates a fresh test PKI with Web Crypto (ECDSA P-256, valid from an hour ago for two days, so clock skew
 * and long runs are harmless). Takes a few milliseconds and needs no `openssl` on the host.
 *
 * @example
 * const pki = await createTestCertificates();
 * new Client({ ssl: { ca: pki.caPem, rejectUnauthorized: true } });
 */
export async function createTestCertificates(): Promise<TestCertificates> {
  const [ca, otherCa] = await Promise.all([
    createCertificateAuthority('pg-rotator test CA'),
    createCertificateAuthority('pg-rotator unrelated CA'),
  ]);
  const [localServer, wrongHostServer] = await Promise.all([
    createServerCertificate(ca, 'localhost', [
      ...LOCAL_SERVER_NAMES.dns.map((value) => ({ type: 'dns' as const, value })),
      ...LOCAL_SERVER_NAMES.ip.map((value) => ({ type: 'ip' as const, value })),
    ]),
    createServerCertificate(ca, WRONG_HOST_NAME, [{ type: 'dns', value: WRONG_HOST_NAME }]),
  ]);
  return {
    caPem: ca.certificate.toString('pem'),
    localServer,
    wrongHostServer,
    otherCaPem: otherCa.certificate.toString('pem'),
  };
}

interface CertificateAuthority {
  readonly certificate: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60 * 60 * 1000), notAfter: new Date(now + 48 * 60 * 60 * 1000) };
}

async function createCertificateAuthority(commonName: string): Promise<CertificateAuthority> {
  const keys = await crypto.subtle.generateKey(ECDSA_P256, false, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=${commonName}`,
      keys,
      signingAlgorithm: SIGNING,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certificate, keys };
}

async function createServerCertificate(
  ca: CertificateAuthority,
  commonName: string,
  names: { type: 'dns' | 'ip'; value: string }[],
): Promise<CertificateAndKey> {
  // Extractable: the private key has to be written to a file postgres reads.
  const keys = await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${commonName}`,
      issuer: ca.certificate.subject,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: SIGNING,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        // Clients check the subjectAltName only (RFC 6125 §6.4.4); the CN is for humans reading the log.
        new x509.SubjectAlternativeNameExtension(names),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: certificate.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** A positive 64-bit serial in hex: unique per certificate, as RFC 5280 §4.1.2.2 requires of one issuer. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
