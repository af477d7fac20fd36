// Flat config: typescript-eslint's recommended rules over the whole project.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.local/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no clocks of its own.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'crypto', 'http', 'https', 'googleapis', '../activities/*/!(types)*'] },
      ],
    },
  },
  {
    // Sealed: a frozen release's workflow runs only its own copies (workflows/legacy/*-v1.ts), so that
    // changing today's code cannot change an old run. Only the message and type contracts are shared.
    // (Repeats the sandbox patterns above: a later block's options replace an earlier one's.)
    files: ['workflows/legacy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'crypto', 'http', 'https', 'googleapis', '../../activities/*/!(types)*'] },
            {
              // A sibling of legacy/ in workflows/ (../x), the message contracts excepted.
              regex: '^\\.\\./(?!messages$)[^.]',
              message: 'workflows/legacy/ is frozen: copy what it needs into legacy/ (only ../messages is shared).',
            },
          ],
        },
      ],
    },
  },
);
