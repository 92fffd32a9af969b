// `npm run build`: the function bundle in dist/function/, for inspection and size checks.
import { bundleFunction, FUNCTION_ENTRIES } from './function-bundle';

const bytes = await bundleFunction('dist/function');
console.log(`dist/function: ${Object.keys(FUNCTION_ENTRIES).map((entry) => `${entry}.mjs`).join(', ')}: ${(bytes / 1024).toFixed(0)} KiB (with source maps)`);
