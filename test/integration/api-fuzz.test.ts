import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { apiMethods, methodNames } from '../../shared/api';
import type { Envelope } from '../../shared/errors';
import { Engine } from '../../main/engine/engine';
import { createLogger } from '../../main/engine/log';
import { loopbackOnlyResolver } from '../../main/engine/net/network';
import { startServer } from '../../main/headless/server';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { assetsOf, call, until } from '../support/engine';
import { fuzzedDelivery, postRaw, WEBHOOK_ANSWERS } from '../support/fuzz-webhooks';
import { frameText, generateValid, malformed, type JsonSchema, type Pools } from '../support/fuzz-args';
import { seeded } from '../support/seeded';
import { tempDir } from '../support/temp';

/**
 * Every method of the contract, sent generated arguments through the real WebSocket server:
 * malformed ones and well-formed hostile ones. Each answer must be a result or a specific
 * refusal, never `internal`; nothing may be logged as an error; the server must stay up and the
 * database whole. At the same time the webhook route (the other way in, without a token) is sent
 * hostile deliveries for a provider that signs its webhooks: each answered with a plain 2xx/4xx.
 * Replay a failure with FUZZ_SEED=<seed>.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const PER_METHOD = 250;
const CLIENTS = 8;
const TOKEN = 'fuzz-token-0123456789abcdefghijklmnop';
const MAX_MESSAGE = 2000;
const WEBHOOK_DELIVERIES = 400;
const WEBHOOK_HOST = 'hooks.fuzz.example';
const WEBHOOK_SECRET = 'whsec-fuzz-4455';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Sent {
  method: string;
  args: unknown;
  schemaValid: boolean;
}

describe('the API under fuzzing', () => {
  it(`answers ${PER_METHOD} generated inputs per method with a result or a specific refusal (seed ${SEED})`, async ({
    annotate,
  }) => {
    const rng = seeded(SEED);
    const dataDir = tempDir('shootline-fuzz-');
    const logLines: string[] = [];
    const log = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
    const hooked = await startTestProvider({ dedupe: true });
    cleanups.push(hooked.close);
    const engine = new Engine({
      dataDir,
      providers: [testProviderModule({ id: 'hooked', baseUrl: hooked.url, idempotentSubmit: true, webhook: 'signed' })],
      shell: 'headless',
      version: '0.0.0-fuzz',
      log,
      stabilityMs: 200,
      // Nothing leaves loopback: every provider and staging host name resolves here or not at all.
      resolveHost: loopbackOnlyResolver(),
      testMethods: {
        'test.bug': {
          args: z.object({}).strict(),
          handler: () => {
            throw new TypeError('a deliberate bug with /home/user/secret in its message');
          },
        },
      },
    });
    engine.start();
    cleanups.push(() => engine.stop());
    const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
    const server = await startServer({
      engine,
      log,
      token: TOKEN,
      staticDir,
      port: 0,
      webhookUrl: `https://${WEBHOOK_HOST}`,
    });
    cleanups.push(() => server.close());

    const pools = await seedLibrary(engine, dataDir);
    await call(engine, 'providers.setKey', { provider: 'hooked', field: 'webhook-secret', key: WEBHOOK_SECRET });
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(server.port)));
    cleanups.push(() => clients.forEach((client) => client.close()));

    // The catch-all still exists: a real bug answers `internal`, without its message.
    const bug = await clients[0]?.call('test.bug', {});
    expect(bug).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(bug)).not.toContain('/home/user/secret');
    const bugLines = logLines.splice(0).filter((line) => line.includes('"level":"error"'));
    expect(bugLines).toHaveLength(1);

    const plan: Sent[] = [];
    for (const method of methodNames) {
      const schema = z.toJSONSchema(apiMethods[method].args, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      for (let index = 0; index < PER_METHOD; index += 1) {
        const valid = refined(method, generateValid(schema, rng, pools), rng, pools);
        const args = rng() < 0.5 ? valid : malformed(schema, valid, rng);
        // What the engine will see is what survives the trip through JSON.
        const wire = (JSON.parse(frameText({ args })) as { args?: unknown }).args;
        plan.push({ method, args, schemaValid: apiMethods[method].args.safeParse(wire ?? {}).success });
      }
    }
    shuffle(plan, rng);

    const problems: string[] = [];
    const outcomes = new Map<string, number>();
    const unusual = new Map<string, number>();
    const started = Date.now();
    let next = 0;
    const webhookAnswers = new Map<number, number>();
    const webhookRng = seeded(SEED + 1);
    const webhookFuzz = (async () => {
      for (let index = 0; index < WEBHOOK_DELIVERIES; index += 1) {
        const delivery = fuzzedDelivery(webhookRng, WEBHOOK_SECRET);
        const status = await postRaw(server.port, { host: WEBHOOK_HOST, ...delivery });
        webhookAnswers.set(status, (webhookAnswers.get(status) ?? 0) + 1);
        if (!WEBHOOK_ANSWERS.includes(status)) {
          problems.push(`webhook ${delivery.method} ${delivery.target} (${delivery.body.slice(0, 40)}): ${status}`);
        }
      }
    })();
    await Promise.all([
      webhookFuzz,
      ...clients.map(async (client) => {
        while (next < plan.length) {
          const sent = plan[next++] as Sent;
          const envelope = await client.call(sent.method, sent.args);
          const outcome = envelope === 'timeout' ? 'timeout' : envelope.ok ? 'ok' : envelope.error.code;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (!['ok', 'invalid_input', 'not_found'].includes(outcome)) {
            const key = `${sent.method} ${outcome}`;
            unusual.set(key, (unusual.get(key) ?? 0) + 1);
          }
          const problem = judge(sent, envelope);
          if (problem) problems.push(problem);
        }
      }),
    ]);
    const seconds = (Date.now() - started) / 1000;

    const counts = methodNames.map((method) => {
      const sent = plan.filter((entry) => entry.method === method);
      return { method, sent: sent.length, valid: sent.filter((entry) => entry.schemaValid).length };
    });
    const summary = counts.map(({ method, sent, valid }) => `${method} ${valid}/${sent}`).join(', ');
    const answers = [...outcomes, ...unusual].map(([outcome, count]) => `${outcome} ${count}`).join(', ');
    const hookAnswers = [...webhookAnswers].map(([status, count]) => `${status} ${count}`).join(', ');
    await annotate(
      `${plan.length} inputs in ${seconds.toFixed(1)} s (seed ${SEED}); answers: ${answers}; schema-valid per method: ${summary}; ` +
        `${WEBHOOK_DELIVERIES} webhook deliveries answered: ${hookAnswers}`,
    );

    expect(problems.slice(0, 20), `${problems.length} problems (seed ${SEED})`).toEqual([]);
    expect(plan.length).toBeGreaterThanOrEqual(10_000);
    // The deliveries reached every verdict: accepted, malformed, refused, not ours.
    for (const status of [202, 400, 401, 404])
      expect(webhookAnswers.get(status), `webhook ${status}`).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(90);
    for (const { method, sent, valid } of counts) {
      expect(valid / sent, `${method}: ${valid} of ${sent} passed the schema`).toBeGreaterThanOrEqual(0.3);
    }
    expect(logLines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    const health = await fetch(`http://127.0.0.1:${server.port}/api/health?token=${TOKEN}`);
    expect(health.status).toBe(200);

    await server.close();
    await engine.stop();
    const db = new Database(path.join(dataDir, 'shootline.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  }, 240_000);
});

/**
 * The JSON Schema cannot express cross-field rules (a pause names an id unless it is global; an
 * export names a preset or gives one, not both): well-formed values follow them here.
 */
function refined(method: string, value: unknown, rng: () => number, pools: Pools): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const args = value as Record<string, unknown>;
  if (method === 'queue.pause' || method === 'queue.resume') {
    if (args.scope === 'global') delete args.id;
    else if (args.id === undefined) args.id = args.scope === 'shoot' ? pools.shootIds[0] : pools.providers[0];
  }
  if ((method === 'exports.start' || method === 'exports.preview') && args.preset !== undefined) {
    if (args.presetId !== undefined) delete args[rng() < 0.5 ? 'preset' : 'presetId'];
  } else if (method === 'exports.start' || method === 'exports.preview') {
    if (args.presetId === undefined) args.presetId = pools.presetIds[Math.floor(rng() * pools.presetIds.length)];
  }
  if (
    (method === 'masks.save' || method === 'masks.refine') &&
    typeof args.content === 'object' &&
    args.content !== null
  ) {
    // Brushes and feathers are bounded relative to the picture; keep well-formed ones within that.
    const drawing = args.content as { width?: unknown; height?: unknown; strokes?: unknown };
    const side = Math.max(Number(drawing.width) || 1, Number(drawing.height) || 1);
    if (Array.isArray(drawing.strokes)) {
      for (const stroke of drawing.strokes as { size?: number; feather?: number }[]) {
        if (typeof stroke.size === 'number') stroke.size = Math.min(stroke.size, 2 * side);
        if (typeof stroke.feather === 'number') stroke.feather = Math.min(stroke.feather, side);
      }
    }
  }
  return args;
}

/** What is wrong with an answer, or null when it is an acceptable one. */
function judge(sent: Sent, envelope: Envelope<unknown> | 'timeout'): string | null {
  const where = `${sent.method}(${preview(sent.args)})`;
  if (envelope === 'timeout') return `${where}: no answer within 20 s`;
  if (envelope.ok) {
    return sent.schemaValid ? null : `${where}: accepted arguments its schema refuses`;
  }
  const { code, message } = envelope.error;
  if (code === 'internal') return `${where}: internal — ${message}`;
  if (code === 'unknown_method') return `${where}: unknown_method`;
  if (message.length >= MAX_MESSAGE) return `${where}: a ${message.length}-character message`;
  if (!sent.schemaValid && code !== 'invalid_input') return `${where}: schema-invalid input refused as ${code}`;
  if (message.trim() === '') return `${where}: ${code} with no message`;
  return null;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function shuffle<T>(items: T[], rng: () => number): void {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(rng() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
}

interface FuzzClient {
  call: (method: string, args: unknown) => Promise<Envelope<unknown> | 'timeout'>;
  close: () => void;
}

async function connect(port: number): Promise<FuzzClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { type: string; id?: number; envelope?: Envelope<unknown> };
    if (frame.type === 'result' && frame.id !== undefined) pending.get(frame.id)?.(frame.envelope as Envelope<unknown>);
  });
  let nextId = 1;
  return {
    call: (method, args) =>
      new Promise((resolve) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve('timeout');
        }, 20_000);
        pending.set(id, (envelope) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(envelope);
        });
        ws.send(frameText({ type: 'call', id, method, args }));
      }),
    close: () => ws.close(),
  };
}

/**
 * A small real library to aim at: a hot folder with a shoot of three photos, a recipe run on
 * them (jobs and variants), and a scratch folder holding the hostile paths.
 */
async function seedLibrary(engine: Engine, dataDir: string): Promise<Pools> {
  const scratch = fs.realpathSync(tempDir('shootline-fuzz-paths-'));
  const hot = path.join(scratch, 'hot');
  fs.mkdirSync(path.join(hot, 'Harbour Rd'), { recursive: true });
  for (const [index, colour] of [
    [1, { r: 200, g: 120, b: 40 }],
    [2, { r: 30, g: 140, b: 220 }],
    [3, { r: 90, g: 200, b: 90 }],
  ] as const) {
    const file = path.join(hot, 'Harbour Rd', `photo-${index}.jpg`);
    await sharp({ create: { width: 96, height: 64, channels: 3, background: colour } })
      .jpeg()
      .toFile(file);
  }
  const folder = await call(engine, 'hotFolders.add', { path: hot, defaultRecipeId: null });
  const assets = await until(
    () => assetsOf(engine),
    (list) => list.length === 3 && list.every((asset) => asset.state === 'ok'),
  );
  const recipe = await call(engine, 'recipes.create', {
    name: 'Auto enhance',
    provider: 'local',
    operation: 'enhance',
    params: { preset: 'auto' },
  });
  const run = await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: assets.map((asset) => asset.id) });
  await until(
    async () => (await call(engine, 'jobs.list', {})).jobs,
    (jobs) => jobs.length === 3 && jobs.every((job) => job.state === 'done'),
  );
  const variants = await call(engine, 'variants.list', {});
  const presets = await call(engine, 'exports.presets', {});
  const shoots = await call(engine, 'shoots.list', {});

  const fifo = path.join(scratch, 'pipe.jpg');
  execFileSync('mkfifo', [fifo]);
  fs.symlinkSync(path.join(scratch, 'loop-b'), path.join(scratch, 'loop-a'));
  fs.symlinkSync(path.join(scratch, 'loop-a'), path.join(scratch, 'loop-b'));
  const fresh = [1, 2, 3].map((index) => path.join(scratch, `new-folder-${index}`));
  fs.mkdirSync(fresh[0] as string);

  const ids = [
    ...shoots.map((shoot) => shoot.id),
    ...assets.map((asset) => asset.id),
    ...run.jobIds,
    ...variants.map((variant) => variant.id),
    recipe.id,
    folder.id,
    ...presets.map((preset) => preset.id),
    '00000000-0000-4000-8000-000000000000',
  ];
  return {
    ids,
    shootIds: shoots.map((shoot) => shoot.id),
    assetIds: assets.map((asset) => asset.id),
    providers: ['local', 'aixpose', 'productai', 'LOCAL', '__proto__', 'constructor', 'nope'],
    operations: ['enhance', 'upscale', 'resize-for-listing', 'redact', 'spot-heal', 'video', 'publish', 'toString'],
    paths: [
      '/',
      '..',
      '.',
      'relative/folder',
      '/etc',
      '/proc/self',
      '/dev/zero',
      dataDir,
      path.join(dataDir, 'shootline.db'),
      path.join(dataDir, 'media'),
      fifo,
      path.join(scratch, 'loop-a'),
      path.join(scratch, 'loop-a', 'inside'),
      hot,
      path.join(hot, 'Harbour Rd'),
      ...fresh,
      path.join(scratch, 'a'.repeat(300)),
    ],
    urls: [
      'http://127.0.0.1:1',
      'http://127.0.0.1:1/v1/',
      'https://localhost:1/x',
      'http://[::1]:9/',
      'https://api.example.com',
      'http://10.0.0.5/',
      'http://169.254.169.254/latest/meta-data/',
      'https://user:pass@example.com/',
      'ftp://example.com/file',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://a',
    ],
    presets: presets.map((entry) => entry.preset),
    presetIds: presets.map((entry) => entry.id),
    params: [
      {},
      { preset: 'auto' },
      { preset: 'real-estate' },
      { factor: 2 },
      { factor: 4 },
      { longEdge: 2048 },
      { actions: ['interior-style-japandi'], variants: 2 },
      { prompt: 'x'.repeat(5000) },
    ],
  };
}
