/**
 * node-postgres's Client class on its own (exported as `pg/lib/*`): what the function imports instead of `pg`, whose
 * index also loads Pool (pg-pool) and the pg-native wrapper, 16 KB of the bundle the function never runs.
 */
declare module 'pg/lib/client.js' {
  import type { Client } from 'pg';
  const PgClient: typeof Client;
  export default PgClient;
}
