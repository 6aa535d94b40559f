// Lint: TypeScript and Vue rules, plus the layering rules of DESIGN.md as import bans.
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url', 'util']

export default tseslint.config(
  { ignores: ['out/**', 'out-*/**', 'node_modules/**', 'test-results/**', 'scripts/**/*.py', '**/*.local.test.ts', 'bench/*_tmp*'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  // src-shared is the common layer: no Node, Electron or DOM, nothing outside itself.
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...nodeBuiltins, 'electron', 'better-sqlite3', 'ws'], message: 'src-shared must stay free of Node and Electron' },
            { group: ['../src-main/**', '../src-renderer/**', '../../*'], message: 'src-shared imports nothing outside itself' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'process', 'Buffer'],
    },
  },
  // The renderer sees only src-shared (and its own packages): never main-process code.
  {
    files: ['src-renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...nodeBuiltins, 'electron', 'better-sqlite3', 'ws'], message: 'the renderer runs in a sandboxed page' },
            { group: ['**/src-main/**'], message: 'the renderer talks to main only through the typed client' },
          ],
        },
      ],
    },
  },
  // Only src-main/electron may import electron.
  {
    files: ['src-main/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.{ts,js}'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'only src-main/electron imports electron' }] }],
    },
  },
  // Studies import the kit and numeric/ only (their tests may also read the shared model).
  {
    files: ['src-main/studies/*/**/*.ts'],
    ignores: ['src-main/studies/*/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'studies run in workers' }],
          patterns: [
            {
              group: ['../../*', '!../../kit', '!../../kit/*', '!../../numeric', '!../../numeric/*', '!../../../src-shared/*'],
              message: 'a study imports ../../kit and ../../numeric/* only',
            },
            { group: [...nodeBuiltins, 'better-sqlite3', 'ws'], message: 'studies are pure computations' },
          ],
        },
      ],
    },
  },
)
