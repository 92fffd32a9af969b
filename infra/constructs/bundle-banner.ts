/**
 * esbuild's ESM output has no `require`; CommonJS dependencies (pg requires `net`, `tls`, `crypto`…) call it.
 * This banner defines one from `import.meta.url`, under an alias so it cannot clash with bundle identifiers.
 * Shared by the construct's bundling and the local bundle (`npm run build`, the benchmark).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __pgRotatorCreateRequire } from 'node:module'; const require = __pgRotatorCreateRequire(import.meta.url);";
