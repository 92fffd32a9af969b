/**
 * Whether this run is the test matrix's (scripts/test-matrix.mjs sets PG_MATRIX_RUN): the database suites again, on
 * another PostgreSQL major, after `npm test` ran everything once. A suite may leave out there the parts that no server
 * version changes, and must say which.
 */
export const MATRIX_RUN = process.env.PG_MATRIX_RUN === 'true';
