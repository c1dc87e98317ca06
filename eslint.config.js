import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-server/**', 'dev-dist/**', '.e2e-tmp/**', 'node_modules/**', 'data/**', '.bench/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module', extraFileExtensions: ['.vue'] },
    },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, __APP_VERSION__: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    // ADR 0006: the lead workspace is not precached. Field code (everything outside the lead
    // folders) must not import it statically, or a member's offline path would need a chunk
    // that is not on the phone. The router reaches lead pages by dynamic import().
    files: ['src/**/*.ts', 'src/**/*.vue'],
    ignores: ['src/domain/**', 'src/pages/lead/**', 'src/components/lead/**', 'src/composables/lead/**', 'src/stores/lead-*', 'src/workers/**', 'src/i18n/messages/lead.*'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/pages/lead/**', '**/components/lead/**', '**/composables/lead/**', '**/stores/lead-*', '**/workers/lead-*', '**/i18n/messages/lead.*', './lead/**', '../lead/**'],
              message: 'Field code must not import the lead workspace (not precached; see docs/adr/0006-app-shell-budget.md). Move shared pieces out of the lead folders.',
            },
          ],
        },
      ],
    },
  },
  {
    // src/domain is shared with the relay and must stay framework-free.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['vue', 'vue-*', 'pinia', 'dexie', 'yjs', 'y-*', '@hocuspocus/*', '@/stores/*', '@/db/*', '@/docs/*', '@/sync/*', '@/composables/*', '@/components/*', '@/pages/*', '@/workers/*'] }],
    },
  },
);
