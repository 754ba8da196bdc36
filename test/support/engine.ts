import type { SecretStore } from '../../main/engine/secrets/secret-store';
import type { HostResolver } from '../../main/engine/net/network';
import path from 'node:path';
import type { MethodArgs, MethodName, MethodResult } from '../../shared/api';
import type { Asset, HotFolder } from '../../shared/domain';
import { afterEach, expect } from 'vitest';
import { Engine } from '../../main/engine/engine';
import { createLogger, type Logger } from '../../main/engine/log';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { systemClock } from '../../main/engine/clock';
import { tempDir } from './temp';

const running: Engine[] = [];

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  logLines: string[];
  /**
   * What the engine's own hooks saw: scheduler passes, and files ingest hashed (by base name). A
   * test that asserts "nothing was sent" checks a pass ran after its action, not that time passed.
   */
  activity: { dispatchPasses: number; hashed: string[] };
}

/** A real engine on a real SQLite file in a temp dir; stopped after the test. */
export function startTestEngine(
  options: {
    dataDir?: string;
    now?: () => number;
    providers?: ProviderModule[];
    stabilityMs?: number;
    derivativeCacheBytes?: number;
    secrets?: SecretStore;
    resolveHost?: HostResolver;
    /** The public address webhooks are registered at (as the headless server's --webhook-url). */
    webhookUrl?: string;
  } = {},
): TestEngine {
  const dataDir = options.dataDir ?? tempDir('shootline-engine-');
  const logLines: string[] = [];
  const log: Logger = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  const clock = options.now ? { ...systemClock, now: options.now } : systemClock;
  const activity = { dispatchPasses: 0, hashed: [] as string[] };
  const engine = new Engine({
    dataDir,
    shell: 'headless',
    version: '0.0.0-test',
    log,
    clock,
    providers: options.providers,
    stabilityMs: options.stabilityMs,
    derivativeCacheBytes: options.derivativeCacheBytes,
    secrets: options.secrets,
    resolveHost: options.resolveHost,
    ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
    hooks: {
      queue: { onDispatchPass: () => (activity.dispatchPasses += 1) },
      onHashed: (file) => activity.hashed.push(path.basename(file)),
    },
  });
  engine.start();
  running.push(engine);
  return { engine, dataDir, logLines, activity };
}

afterEach(async () => {
  for (const engine of running.splice(0).reverse()) await engine.stop();
});

/** Calls a method and returns its result, failing the test with the engine's error if it has one. */
export async function call<M extends MethodName>(
  engine: Engine,
  method: M,
  args: MethodArgs<M>,
): Promise<MethodResult<M>> {
  const envelope = await engine.call(method, args);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.result as MethodResult<M>;
}

/** Calls a method that must fail, and returns its error. */
export async function refusal(
  engine: Engine,
  method: MethodName,
  args: unknown,
): Promise<{ code: string; message: string }> {
  const envelope = await engine.call(method, args);
  if (envelope.ok) throw new Error(`${method} unexpectedly succeeded`);
  return envelope.error;
}

/** A hot folder record for tests that write the library directly. */
export function testHotFolder(folderPath: string, overrides: Partial<HotFolder> = {}): HotFolder {
  return {
    id: 'hf',
    path: folderPath,
    name: path.basename(folderPath),
    defaultRecipeId: null,
    spendingCap: null,
    autoApprove: false,
    recursive: true,
    polling: false,
    reconcileMinutes: 5,
    exportPresetId: null,
    exportFolder: null,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

/** Polls until the check holds, then returns the value; fails the test with what was last seen. */
export async function until<T>(read: () => Promise<T>, holds: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!holds(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  expect(holds(value), JSON.stringify(value).slice(0, 2000)).toBe(true);
  return value;
}

/** Every asset of every shoot, through the API. */
export async function assetsOf(engine: Engine): Promise<Asset[]> {
  const all: Asset[] = [];
  for (const shoot of await call(engine, 'shoots.list', {})) {
    all.push(...(await call(engine, 'assets.list', { shootId: shoot.id, limit: 1000 })).assets);
  }
  return all;
}
