'use strict';

// node:net through require, not as an ES module: scripts/function-bundle.ts (BUILTIN_SHIMS) says why.
module.exports = require('net');
