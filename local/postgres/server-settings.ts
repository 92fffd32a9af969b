/** Where a server with TLS on finds its certificate and key. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** What {@link serverSettings} needs to know about one cluster. */
export interface ServerSettingsInput {
  readonly port: number;
  /** Directory of the Unix socket; kept inside the cluster's own temporary directory. */
  readonly socketDir: string;
  /** `undefined` turns TLS off. */
  readonly tls: TlsFiles | undefined;
}

/**
 * The run-time settings of a test cluster, passed as `postgres -c name=value` so the data directory stays
 * as initdb wrote it and `ps` shows the whole configuration.
 *
 * @example
 * serverSettings({ port: 54321, socketDir: '/tmp/x', tls: undefined }).ssl; // 'off'
 */
export function serverSettings(input: ServerSettingsInput): Record<string, string> {
  return {
    listen_addresses: '127.0.0.1',
    port: String(input.port),
    unix_socket_directories: input.socketDir,
    password_encryption: 'scram-sha-256',
    ssl: input.tls ? 'on' : 'off',
    ...(input.tls ? { ssl_cert_file: input.tls.certFile, ssl_key_file: input.tls.keyFile } : {}),
    // The statement log is how tests prove what reached the server (e.g. that no plaintext password did).
    // It goes to postgres's stderr, which the harness points at one file per cluster.
    log_destination: 'stderr',
    logging_collector: 'off',
    log_statement: 'all',
    log_connections: 'on',
    log_line_prefix: '%m [%p] %q%u@%d ',
    // The binaries carry no message catalogues other than English, and tests match log lines.
    lc_messages: 'C',
    // A throwaway cluster does not need crash safety; these cut commit latency to almost nothing.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    // Parallel test workers each hold a few connections; the default 100 is tight on many-core CI.
    max_connections: '200',
    shared_buffers: '32MB',
  };
}

/** {@link serverSettings} as postgres command-line arguments. */
export function settingsAsArguments(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}
