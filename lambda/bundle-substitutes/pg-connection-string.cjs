'use strict';

/**
 * The bundle's stand-in for `pg-connection-string` (scripts/function-bundle.ts aliases it): node-postgres parses a
 * connection string with it only when given one. The function never is (lambda/postgres/connect.ts passes host, port,
 * database and user one by one, from the secret), so this fails loudly instead of parsing, without the 3.5 KB.
 * CommonJS, as node-postgres require()s it.
 */
module.exports = {
  parse() {
    throw new Error('pg-rotator bundle: connection strings are not bundled (the function connects from the secret\'s fields)');
  },
};
