import type { PostgresVariant, TlsMode } from './variants.js';

/** The bootstrap superuser of a test server. The password is random per run and never logged. */
export interface SuperuserCredentials {
  readonly username: string;
  readonly password: string;
}

/** Everything a test needs to reach one server. Plain data: it crosses from vitest's globalSetup to workers. */
export interface ServerFacts {
  readonly variant: PostgresVariant;
  /** Always an IP literal for local servers, so TLS host checks use the certificate's IP SAN. */
  readonly host: string;
  readonly port: number;
  readonly major: number;
  /** `server_version`, e.g. `18.4`. */
  readonly version: string;
  readonly superuser: SuperuserCredentials;
  /** PEM of the CA that signed the server's certificate; `undefined` when unknown or TLS is off. */
  readonly caPem: string | undefined;
  /** The strongest TLS mode that connects to this server. */
  readonly defaultTls: TlsMode;
  /** File the server writes its log (with every statement) to; `undefined` when not readable (remote server). */
  readonly logFile: string | undefined;
}

/** Where the test servers of one run came from. */
export type ServerSource = 'embedded' | 'external' | 'container';

/** The test servers of one run, as handed to test workers. */
export interface TestServers {
  readonly source: ServerSource;
  readonly servers: Partial<Record<PostgresVariant, ServerFacts>>;
  /** Why each missing variant is missing, so tests can skip with a visible reason. */
  readonly unavailable: Partial<Record<PostgresVariant, string>>;
  /** PEM of a CA that signed none of the servers' certificates. */
  readonly otherCaPem: string;
}
