// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import engineLayers from './eslint/engine-layers.js';
import tseslint from 'typescript-eslint';

/**
 * The layer rules of DESIGN.md, enforced here so a wrong import fails `npm test`:
 *   shared/   imports only zod and other shared files (no Node, Electron, DOM or app code);
 *   main/engine, main/headless  never import electron or the app shell;
 *   preload/  imports electron and shared/ only;
 *   renderer/ imports shared/ and browser libraries only.
 */
// Bare names here; the `node:` forms are caught by a pattern below.
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));
const nodeOnlyPackages = [
  'better-sqlite3',
  'ws',
  'sharp',
  'exiftool-vendored',
  'electron-store',
  'electron-updater',
  'conf',
];
const message = (text) => `${text} (layer rules: see DESIGN.md).`;

const restrict = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

/** The engine's imports: plain Node, never electron, never the shells' or the UI's code. */
const engineImports = (extraPaths) =>
  restrict(
    [
      { name: 'electron', message: message('The engine and headless shell run in plain Node: no electron') },
      // Both load electron when imported: they belong to the desktop shell (main/app).
      {
        name: 'electron-store',
        message: message('Desktop preferences live in main/app (electron-store loads electron)'),
      },
      { name: 'electron-updater', message: message('Updates belong to the desktop shell in main/app') },
      ...extraPaths,
    ],
    [
      { regex: '^electron/', message: message('The engine and headless shell run in plain Node: no electron') },
      { regex: '^(\\.\\./)+app(/|$)', message: message('The engine cannot depend on the Electron shell') },
      { regex: '^(\\.\\./)+(renderer|preload)(/|$)', message: message('main/ cannot import renderer or preload code') },
    ],
  );

const layerRules = [
  {
    files: ['shared/**/*.{ts,tsx}'],
    rules: restrict(
      [],
      [
        { regex: '^(?!zod(/|$))[^./]', message: message('shared/ may import only zod and other shared/ files') },
        { regex: '^(\\.\\./)+(main|renderer|preload|test)(/|$)', message: message('shared/ cannot import app code') },
      ],
    ),
  },
  {
    files: ['main/engine/**/*.ts', 'main/headless/**/*.ts'],
    ignores: ['main/engine/db/**'],
    rules: engineImports([
      { name: 'better-sqlite3', message: message('SQL belongs in main/engine/db: add a repository function there') },
    ]),
  },
  {
    // The db layer: plain Node like the rest of the engine, and the one place better-sqlite3 is used.
    files: ['main/engine/db/**/*.ts'],
    rules: engineImports([]),
  },
  {
    // SQL lives in main/engine/db only (one repository per table), as in Signal Desktop's sql layer.
    files: ['main/**/*.ts'],
    ignores: ['main/engine/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(prepare|pragma)$/]',
          message: message('SQL belongs in main/engine/db: add a repository function there'),
        },
      ],
    },
  },
  {
    files: ['main/app/**/*.ts'],
    rules: restrict(
      [],
      [
        {
          regex: '^(\\.\\./)+(renderer|preload)(/|$)',
          message: message('main/ cannot import renderer or preload code'),
        },
      ],
    ),
  },
  {
    files: ['preload/**/*.ts'],
    rules: restrict(
      [],
      [
        { regex: '^(?!electron$)[^./]', message: message('preload/ may import only electron and shared/') },
        {
          regex: '^(\\.\\./)+(main|renderer|test)(/|$)',
          message: message('preload/ may import only electron and shared/'),
        },
      ],
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: restrict(
      [
        { name: 'electron', message: message('The renderer talks to the engine only through the bridge') },
        ...[...nodeBuiltins, ...nodeOnlyPackages].map((name) => ({
          name,
          message: message('The renderer runs in a browser: no Node modules'),
        })),
      ],
      [
        { regex: '^node:', message: message('The renderer runs in a browser: no Node modules') },
        {
          regex: '^(\\.\\./)+(main|preload)(/|$)',
          message: message('The renderer talks to the engine only through the bridge'),
        },
      ],
    ),
  },
];

/** Files allowed past max-lines, each with the reason it is one file. */
const maxLinesExceptions = [
  [
    'main/engine/imaging/jpeg-scan.ts',
    'one baseline/progressive JPEG entropy decoder: its Huffman, scan and marker code share state and are read together',
  ],
];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '.cache/**',
      '.scratch/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layerRules,
  {
    // The engine's own layers (db below queue, providers without db or queue…): see README.
    files: ['main/engine/**/*.ts'],
    plugins: { shootline: engineLayers },
    rules: { 'shootline/engine-layers': 'error' },
  },
  {
    // A file you can hold in your head: 400 lines of code (comments and blank lines are free).
    files: ['main/engine/**/*.ts', 'renderer/src/**/*.{ts,tsx}'],
    ignores: maxLinesExceptions.map(([file]) => file),
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    // engine.ts is wiring only: every decision lives in a service it builds.
    files: ['main/engine/engine.ts'],
    rules: { complexity: ['error', 1] },
  },
);
