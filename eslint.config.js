import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

/** Folder boundaries (STYLE.md habit 10), enforced here rather than remembered. */
const nodeBuiltins = { group: ['node:*'], message: 'shared/ is pure TypeScript: no node:* imports.' };

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', 'coverage/**', 'var/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            nodeBuiltins,
            {
              group: ['electron', 'vue', 'pinia', '@port-yard/agent', '@port-yard/desktop'],
              message: 'shared/ depends on nothing runtime-specific.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['agent/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@port-yard/desktop', '**/desktop/**', 'electron', 'vue'],
              message: 'The agent never imports the console.',
            },
            {
              group: ['../../shared/**', '../../../shared/**'],
              message: 'Import @port-yard/shared, not its files.',
            },
          ],
        },
      ],
    },
  },
  // The console's single-file components: Vue's recommended rules, TypeScript in <script setup>.
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['desktop/**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
      globals: { ...globals.browser },
    },
    rules: {
      // Prettier owns the layout of templates.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
    },
  },
  {
    files: ['desktop/src/renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'node:*', '**/desktop/src/main/**', '../main/**'],
              message:
                'The renderer runs in a browser: no Node or Electron; the desktop bridge is window.portYard.',
            },
          ],
        },
      ],
    },
  },
  {
    // Core logic takes its IO through the interfaces it owns (STYLE.md habit 2).
    files: ['agent/src/storage/**/*.ts', 'agent/src/engines/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../cli/**', '../catalog/**', '../restore/**', '../main.ts'],
              message: 'Backends and engines do not import the core.',
            },
          ],
        },
      ],
    },
  },
);
