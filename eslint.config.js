// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', 'schemas/', 'scripts/package/scratch-app/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', fetch: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // CommonJS stand-ins (lambda/bundle-substitutes/): what a CommonJS dependency require()s, and Node's built-ins
    // as the bundle reaches them.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The bundle reaches Node's built-ins through require (scripts/function-bundle.ts, BUILTIN_SHIMS), and the interop
    // wrapper of node:util's exports loads 35 of Node's internal modules at every cold start.
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['node:util', 'util'].map((name) => ({ name, message: 'its interop wrapper in the bundle loads 35 of Node\'s internal modules at cold start; write the few lines it would save' })) }],
    },
  },
  {
    // Scripts, demo, benchmarks and the local endpoints talk to a terminal on purpose.
    files: ['scripts/**', 'demo/**', 'bench/**', 'local/**', 'test/**', 'infra/bin/**'],
    rules: { 'no-console': 'off' },
  },
);
