#!/usr/bin/env node
// `pg-rotator` from a checkout: the CLI's TypeScript through tsx's loader, no build step. The package's bin is the built
// dist/cli/pg-rotator.mjs instead (scripts/package/cli-bundle.ts).
import { register } from 'tsx/esm/api';

register();
await import('../cli-main.ts');
