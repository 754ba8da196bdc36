import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * The project's real ESLint config, minus type-aware rules (the probe files below do not exist on
 * disk, so the type checker cannot see them). The layer rules need no types.
 */
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    { ...tseslint.configs.disableTypeChecked, languageOptions: { parserOptions: { projectService: false } } },
  ],
});

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('the layer rules of DESIGN.md', () => {
  it.each([
    ['a renderer file importing node:fs', 'renderer/src/probe.ts', "import fs from 'node:fs';\nexport default fs;\n"],
    ['a renderer file importing fs', 'renderer/src/probe.ts', "import fs from 'fs';\nexport default fs;\n"],
    [
      'a renderer file importing electron',
      'renderer/src/probe.tsx',
      "import { ipcRenderer } from 'electron';\nexport default ipcRenderer;\n",
    ],
    [
      'a renderer file importing the engine',
      'renderer/src/probe.ts',
      "import { Engine } from '../../main/engine/engine';\nexport default Engine;\n",
    ],
    [
      'a renderer file importing better-sqlite3',
      'renderer/src/probe.ts',
      "import Database from 'better-sqlite3';\nexport default Database;\n",
    ],
    [
      'an engine file importing electron',
      'main/engine/probe.ts',
      "import { app } from 'electron';\nexport default app;\n",
    ],
    [
      'an engine file importing the Electron shell',
      'main/engine/db/probe.ts',
      "import { bindIpc } from '../../app/ipc';\nexport default bindIpc;\n",
    ],
    [
      'a headless file importing electron',
      'main/headless/probe.ts',
      "import { safeStorage } from 'electron';\nexport default safeStorage;\n",
    ],
    ['a shared file importing node:path', 'shared/probe.ts', "import path from 'node:path';\nexport default path;\n"],
    ['a shared file importing react', 'shared/probe.ts', "import React from 'react';\nexport default React;\n"],
    [
      'a shared file importing engine code',
      'shared/probe.ts',
      "import { dispatch } from '../main/engine/rpc';\nexport default dispatch;\n",
    ],
    ['a preload file importing node:fs', 'preload/probe.ts', "import fs from 'node:fs';\nexport default fs;\n"],
    [
      'a preload file importing the engine',
      'preload/probe.ts',
      "import { Engine } from '../main/engine/engine';\nexport default Engine;\n",
    ],
  ])('fire on %s', async (_label, file, code) => {
    const errors = await importErrors(file, code);
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/layer rules/);
  });

  it.each([
    [
      'the renderer importing shared and react',
      'renderer/src/probe.tsx',
      "import { useState } from 'react';\nimport { apiMethods } from '../../shared/api';\nexport default [useState, apiMethods];\n",
    ],
    [
      'the engine importing node:fs and shared',
      'main/engine/probe.ts',
      "import fs from 'node:fs';\nimport { AppError } from '../../shared/errors';\nexport default [fs, AppError];\n",
    ],
    [
      'the Electron shell importing electron',
      'main/app/probe.ts',
      "import { app } from 'electron';\nexport default app;\n",
    ],
    [
      'preload importing electron and shared',
      'preload/probe.ts',
      "import { contextBridge } from 'electron';\nimport { ipcChannel } from '../shared/api';\nexport default [contextBridge, ipcChannel];\n",
    ],
    ['shared importing zod', 'shared/probe.ts', "import { z } from 'zod';\nexport default z;\n"],
    [
      'a db repository preparing SQL with better-sqlite3',
      'main/engine/db/probe.ts',
      "import Database from 'better-sqlite3';\nexport const run = (db: Database.Database) => db.prepare('SELECT 1');\n",
    ],
  ])('allow %s', async (_label, file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });
});
