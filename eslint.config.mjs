// Flat config: typescript-eslint with type information over the whole project, so that a promise left
// floating, a switch that forgets a case and a value import into workflow code are errors, not reviews.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Value imports that would put a side effect (or a Node built-in) into Temporal's deterministic sandbox. */
const NOT_IN_WORKFLOWS = [
  {
    group: ['node:*', 'fs', 'fs/*', 'crypto', 'http', 'https', 'net', 'os', 'path', 'child_process', 'worker_threads'],
    message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.',
  },
  {
    // The same libraries worker/workflow-bundle.ts refuses at build time (FORBIDDEN_IN_WORKFLOWS).
    group: [
      'googleapis',
      'google-auth-library',
      'gaxios',
      'nodemailer',
      'smtp-server',
      'postal-mime',
      'pino',
      'fastify',
      'commander',
      '@temporalio/worker',
      '@temporalio/client',
      '@temporalio/activity',
      '@temporalio/testing',
      '@opentelemetry/exporter-trace-otlp-http',
    ],
    message: 'A library of activities, the worker or the client: workflow code must not import it.',
  },
  {
    // Every depth: `../activities`, `../../activities/customer`, … (types are allowed: they vanish at build).
    group: ['**/activities', '**/activities/**', '**/worker', '**/worker/**', '**/client', '**/client/**'],
    allowTypeImports: true,
    message: 'Workflow code calls activities through workflows/activity-stubs.ts; import their types only.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.local/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // Activities, stub activities and the emulator's route handlers are async by contract (they return a
      // promise, and a throw must become a rejection) whether or not they await anything.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Jest's asymmetric matchers (`expect.any`, `expect.objectContaining`, …) are typed `any`, and
    // `expect(obj.method)` hands a method over without calling it: the unsafe-any rules only add noise here.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly' },
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no side-effect libraries.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: NOT_IN_WORKFLOWS }],
    },
  },
  {
    // Sealed: a frozen release's workflow runs only its own copies (workflows/legacy/*-v1.ts), so that
    // changing today's code cannot change an old run. Only the message and type contracts are shared.
    // (Repeats the sandbox patterns above: a later block's options replace an earlier one's.)
    files: ['workflows/legacy/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...NOT_IN_WORKFLOWS,
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
