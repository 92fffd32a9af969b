/**
 * The server configurations tests can ask for. Each is a separate cluster because the settings that differ
 * (`ssl`, the server certificate, pg_hba.conf connection types) are per cluster in every supported major.
 */
export const VARIANTS = ['tls', 'hostssl-only', 'wrong-host', 'no-tls'] as const;

/** One of {@link VARIANTS}. */
export type PostgresVariant = (typeof VARIANTS)[number];

/** The variant tests get when they do not name one: the shape of a production RDS instance. */
export const DEFAULT_VARIANT: PostgresVariant = 'tls';

/**
 * How a client protects a connection, named after libpq's `sslmode` values with the same meaning:
 * `verify-ca` checks the chain only, `verify-full` also checks the host name.
 */
export type TlsMode = 'disable' | 'verify-ca' | 'verify-full';

/** What makes a variant different from the others. */
export interface VariantDefinition {
  readonly variant: PostgresVariant;
  /** Which certificate the server presents; `undefined` means `ssl = off`. */
  readonly serverCertificate: 'local' | 'wrong-host' | undefined;
  /** pg_hba.conf connection type of the TCP lines: `host` matches TLS and plain connections, `hostssl` only TLS. */
  readonly tcpConnectionType: 'host' | 'hostssl';
  /** The strongest mode a client can use against this variant and still connect. */
  readonly defaultTls: TlsMode;
}

const definitions: Record<PostgresVariant, VariantDefinition> = {
  tls: { variant: 'tls', serverCertificate: 'local', tcpConnectionType: 'host', defaultTls: 'verify-full' },
  'hostssl-only': {
    variant: 'hostssl-only',
    serverCertificate: 'local',
    tcpConnectionType: 'hostssl',
    defaultTls: 'verify-full',
  },
  'wrong-host': {
    variant: 'wrong-host',
    serverCertificate: 'wrong-host',
    tcpConnectionType: 'host',
    defaultTls: 'verify-ca',
  },
  'no-tls': { variant: 'no-tls', serverCertificate: undefined, tcpConnectionType: 'host', defaultTls: 'disable' },
};

/**
 * The definition of one variant.
 *
 * @example
 * variantDefinition('hostssl-only').tcpConnectionType; // 'hostssl'
 */
export function variantDefinition(variant: PostgresVariant): VariantDefinition {
  return definitions[variant];
}

/** Type guard for {@link PostgresVariant}. */
export function isVariant(value: string): value is PostgresVariant {
  return (VARIANTS as readonly string[]).includes(value);
}

/**
 * The pg_hba.conf of a variant. Every line demands scram-sha-256, so a wrong password is always refused
 * (never `trust` or `peer`), and there is deliberately no `hostnossl … reject` line: a plain connection to
 * `hostssl-only` fails the way RDS with `rds.force_ssl` does, with SQLSTATE 28000 "no pg_hba.conf entry".
 *
 * @example
 * pgHbaConf(variantDefinition('tls')); // "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n"
 */
export function pgHbaConf(definition: VariantDefinition): string {
  return [
    `# pg-rotator test harness, variant ${definition.variant}`,
    'local all all scram-sha-256',
    `${definition.tcpConnectionType} all all 127.0.0.1/32 scram-sha-256`,
    '',
  ].join('\n');
}
