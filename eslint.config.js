// Lint: the recommended JS and TypeScript rules; type-checking itself is `npm run typecheck`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', '.hssk/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Plain JavaScript: the `hssk` launcher runs on Node, the service worker in the browser.
  { files: ['bin/**/*.js', 'eslint.config.js'], languageOptions: { globals: globals.node } },
  { files: ['web/public/**/sw.js'], languageOptions: { globals: { ...globals.serviceworker, ...globals.browser } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
);
