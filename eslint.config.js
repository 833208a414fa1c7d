import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The UI reaches the engine only through the declared contract (docs/worker-api.md):
 * src/workers/protocol.ts exports the catalogs, the plain types and EngineApi. Components and views
 * also leave the worker to the stores (`extra`: they may not import the engine client).
 * @param {object[]} [extra] further restricted-import patterns
 * @returns {import('eslint').Linter.RulesRecord}
 */
function uiImportRule(extra = []) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['**/engine/**', '**/engine', '**/workers/*', '!**/workers/protocol'],
            message:
              'The UI imports the engine only through src/workers/protocol.ts (types included).',
          },
          {
            group: ['@tensorflow/*'],
            message: 'No tfjs on the UI thread: ML runs in the worker (src/workers/protocol.ts).',
          },
          ...extra,
        ],
      },
    ],
  };
}

export default tseslint.config(
  // wasm/: AssemblyScript (compiled by scripts/build-wasm.mjs), not TypeScript for tsc or ESLint
  { ignores: ['dist', 'dist-e2e*', 'coverage', 'runs', 'node_modules', 'public', 'wasm'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(dataSync|arraySync)$/]',
          message:
            'Read tensors asynchronously (await t.data()): synchronous reads block on WebGPU.',
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...uiImportRule(),
    },
  },
  {
    files: ['src/ui/components/**/*.{ts,tsx}', 'src/ui/views/**/*.{ts,tsx}'],
    rules: uiImportRule([
      {
        group: ['**/engine-client'],
        importNames: ['getEngine'],
        message: 'Components and views ask the stores (src/ui/store/*), which call the worker.',
      },
    ]),
  },
  {
    files: ['src/workers/**/*.ts'],
    languageOptions: { globals: globals.worker },
  },
  {
    files: [
      'src/cli/**/*.ts',
      'src/node/**/*.ts',
      'tests/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.mjs',
      '*.config.{js,ts}',
    ],
    languageOptions: { globals: globals.node },
  },
);
