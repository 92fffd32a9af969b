'use strict';

/**
 * The bundle's stand-in for `pgpass` (scripts/function-bundle.ts aliases it): node-postgres asks it for a password from
 * ~/.pgpass only when a connection has none. The function always gives one (lambda/postgres/connect.ts), and Lambda
 * has no ~/.pgpass; this answers as pgpass does when the file is absent, without its 4 KB (pgpass and split2).
 * CommonJS, as node-postgres require()s it.
 *
 * @param {unknown} _connection
 * @param {(password: string | undefined) => void} callback
 */
module.exports = function pgPass(_connection, callback) {
  callback(undefined);
};
