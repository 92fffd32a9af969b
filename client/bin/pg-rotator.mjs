#!/usr/bin/env node
// `pg-rotator` executable: the CLI is TypeScript, run through tsx's loader so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../cli-main.ts');
