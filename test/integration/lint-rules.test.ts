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

/** Messages of one rule for a probe file at `file` (relative to the repository). */
async function ruleMessages(rule: string, file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

describe('the engine layers (README: Layers inside the engine)', () => {
  it.each([
    ['db importing the queue', 'main/engine/db/probe.ts', "import { QueueRunner } from '../queue/runner';"],
    [
      'db importing a provider',
      'main/engine/db/probe.ts',
      "import type { FetchedOutput } from '../providers/contract';",
    ],
    ['a provider importing db', 'main/engine/providers/probe.ts', "import { getJob } from '../db/jobs-repo';"],
    [
      'a provider importing the queue',
      'main/engine/providers/aixpose/probe.ts',
      "import { DEFAULT_RETRY_POLICY } from '../../queue/retry-policy';",
    ],
    ['imaging importing staging', 'main/engine/imaging/probe.ts', "import { Staging } from '../staging/staging';"],
    [
      'staging importing providers',
      'main/engine/staging/probe.ts',
      "import { operationOf } from '../providers/contract';",
    ],
    [
      'the queue importing ingest',
      'main/engine/queue/probe.ts',
      "import { IngestService } from '../ingest/ingest-service';",
    ],
    [
      'ingest importing export',
      'main/engine/ingest/probe.ts',
      "import { ExportService } from '../export/export-service';",
    ],
    ['a base file importing db', 'main/engine/probe.ts', "import { openDatabase } from './db/connection';"],
    ['net importing providers', 'main/engine/net/probe.ts', "import { operationOf } from '../providers/contract';"],
    [
      'a service importing a wiring file',
      'main/engine/queue/probe.ts',
      "import { createQueueApi } from './queue-api';",
    ],
    ['a re-export from a higher layer', 'main/engine/db/probe.ts', "export { QueueRunner } from '../queue/runner';"],
    [
      'a dynamic import from a higher layer',
      'main/engine/masks/probe.ts',
      "export const load = () => import('../queue/runner');",
    ],
  ])('fires on %s', async (_label, file, code) => {
    const errors = await ruleMessages('shootline/engine-layers', file, `${code}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/engine layers: see README/);
  });

  it('fires on a folder the table does not list', async () => {
    const errors = await ruleMessages(
      'shootline/engine-layers',
      'main/engine/gadgets/probe.ts',
      'export const a = 1;\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/does not list \('gadgets'\)/);
  });

  it.each([
    [
      'the queue importing db, providers and staging',
      'main/engine/queue/probe.ts',
      "import { getJob } from '../db/jobs-repo';\nimport { operationOf } from '../providers/contract';\nimport { Staging } from '../staging/staging';\nexport default [getJob, operationOf, Staging];",
    ],
    [
      'a provider importing net, imaging and masks',
      'main/engine/providers/probe.ts',
      "import { fetchVia } from '../net/http';\nimport { sniff } from '../imaging/sniff';\nimport { png } from '../masks/png';\nexport default [fetchVia, sniff, png];",
    ],
    [
      'export importing the queue',
      'main/engine/export/probe.ts',
      "import { variantFilePath } from '../queue/output-store';\nexport default variantFilePath;",
    ],
    [
      'a *-api.ts file importing anything',
      'main/engine/ingest/probe-api.ts',
      "import { getJob } from '../db/jobs-repo';\nimport { createLocalProvider } from '../providers/local';\nexport default [getJob, createLocalProvider];",
    ],
    [
      'engine.ts importing everything',
      'main/engine/engine.ts',
      "import { IngestPipeline } from './ingest/ingest-pipeline';\nimport { ExportService } from './export/export-service';\nexport default [IngestPipeline, ExportService];",
    ],
    [
      'db importing a base file and shared',
      'main/engine/db/probe.ts',
      "import type { Logger } from '../log';\nimport { AppError } from '../../../shared/errors';\nexport type L = Logger;\nexport default AppError;",
    ],
  ])('allows %s', async (_label, file, code) => {
    expect(await ruleMessages('shootline/engine-layers', file, `${code}\n`)).toEqual([]);
  });
});

describe('max-lines and complexity', () => {
  const lines = (count: number) => Array.from({ length: count }, (_, i) => `export const v${i} = ${i};`).join('\n');

  it('fires on a 401-line engine file and a 401-line renderer file, and not on 400 lines with comments beside them', async () => {
    expect(await ruleMessages('max-lines', 'main/engine/queue/probe.ts', `${lines(401)}\n`)).toHaveLength(1);
    expect(await ruleMessages('max-lines', 'renderer/src/views/probe.tsx', `${lines(401)}\n`)).toHaveLength(1);
    const commented = `${lines(400)}\n${Array.from({ length: 50 }, () => '// why, not what').join('\n')}\n\n`;
    expect(await ruleMessages('max-lines', 'main/engine/queue/probe.ts', commented)).toEqual([]);
  });

  it('lets the named exceptions through (the JPEG entropy decoder)', async () => {
    expect(await ruleMessages('max-lines', 'main/engine/imaging/jpeg-scan.ts', `${lines(900)}\n`)).toEqual([]);
  });

  it('holds engine.ts to complexity 1: one branch is too many', async () => {
    const branch = 'export function start(db: unknown): void {\n  if (db) return;\n}\n';
    const straight = 'export function start(db: unknown): unknown {\n  return [db];\n}\n';
    expect(await ruleMessages('complexity', 'main/engine/engine.ts', branch)).toHaveLength(1);
    expect(await ruleMessages('complexity', 'main/engine/engine.ts', straight)).toEqual([]);
    expect(await ruleMessages('complexity', 'main/engine/queue/probe.ts', branch)).toEqual([]);
  });
});
