/** node-postgres's crypto helpers (exported as `pg/lib/*`); scram-client.ts replaces some of them. */
declare module 'pg/lib/crypto/utils.js' {
  const utils: Record<string, unknown>;
  export default utils;
}
