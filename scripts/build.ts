// `npm run build`: the function bundle in dist/, for inspection and size checks.
import { bundleFunction } from './function-bundle';

const bytes = await bundleFunction('dist/handler.mjs');
console.log(`dist/handler.mjs: ${(bytes / 1024).toFixed(0)} KiB (with source map)`);
