// Lint: the layer rule (scripts/lint/layers.mjs, drawn in docs/architecture.md), typescript-eslint's
// recommended rules and a few cheap correctness rules. Tests are white-box: they may import any
// file, and may use `any` to send what the types would not allow.
import tseslint from 'typescript-eslint';
import layers from './scripts/lint/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/**', 'coverage/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a value kept on purpose (a rest sibling left out, an unused parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-control-regex': 'error',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/boundaries': 'error' },
  },
  {
    // The console runs in the browser: it reimplements what it needs (ui/src/lib/) and never
    // imports the server's modules or Node's.
    files: ['ui/**/*.ts', 'ui/**/*.tsx'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(\\.\\./)+(.*/)?src(/|$)', message: 'the console may not import the server\'s src/: reimplement it in ui/src/lib/ (with a test that both agree)' },
          { regex: '^node:', message: 'the console runs in the browser: no Node modules' },
        ],
      }],
      // Journal records are attacker-influenced text: React renders them as text nodes, never HTML.
      'no-restricted-syntax': ['error', { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'no raw HTML in the console' }],
    },
  },
  {
    files: ['ui/vite.config.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
